// The operations of the ledger page (台账, /ledgers/:code), typed from schema.graphql (gql.tada). Kept apart
// from operations.ts so that the ledger page and the other screens change separately.
import { graphql } from './graphql.js';

/**
 * The unit of the ledger page (null: unknown or outside the caller's scope) and, to choose the default year,
 * whether each of four years holds anything the caller may read: rectification targets (rectification:read),
 * else pairing targets (pairing:read), else disputes (warning:read).
 */
export const LEDGER_UNIT = graphql(`
  query LedgerUnit($code: String!, $y0: Int!, $y1: Int!, $y2: Int!, $y3: Int!, $rect: Boolean!, $pair: Boolean!, $warn: Boolean!) {
    adminUnit(code: $code) {
      id code name level
      ancestors { id code name level }
      r0: rectificationSummary(year: $y0) @include(if: $rect) { targets assessed }
      r1: rectificationSummary(year: $y1) @include(if: $rect) { targets assessed }
      r2: rectificationSummary(year: $y2) @include(if: $rect) { targets assessed }
      r3: rectificationSummary(year: $y3) @include(if: $rect) { targets assessed }
      p0: pairingCoverage(year: $y0) @include(if: $pair) { targets }
      p1: pairingCoverage(year: $y1) @include(if: $pair) { targets }
      p2: pairingCoverage(year: $y2) @include(if: $pair) { targets }
      p3: pairingCoverage(year: $y3) @include(if: $pair) { targets }
      d0: disputes(year: $y0, first: 1) @include(if: $warn) { totalCount }
      d1: disputes(year: $y1, first: 1) @include(if: $warn) { totalCount }
      d2: disputes(year: $y2, first: 1) @include(if: $warn) { totalCount }
      d3: disputes(year: $y3, first: 1) @include(if: $warn) { totalCount }
    }
  }
`);

export const IMPORT_JOB_FIELDS = graphql(`
  fragment ImportJobFields on ImportJob @_unmask {
    id kind state fileName total validated written problemCount errorCode errorMessage createdAt finishedAt
    result { inserted updated unchanged }
    problems { sheet row column header code message }
  }
`);

/** The caller's latest import jobs, newest first (a job survives a page reload). */
export const IMPORT_JOBS = graphql(
  `
  query ImportJobs($first: Int!) {
    importJobs(first: $first) { ...ImportJobFields }
  }
`,
  [IMPORT_JOB_FIELDS],
);

export const IMPORT_JOB = graphql(
  `
  query ImportJob($id: ID!) {
    importJob(id: $id) { ...ImportJobFields }
  }
`,
  [IMPORT_JOB_FIELDS],
);
