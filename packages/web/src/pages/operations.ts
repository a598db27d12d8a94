// The operations of the dashboards, the village page and the forms (typed from schema.graphql by gql.tada).
// Sections a caller may not read are left out with @include (the API would answer FORBIDDEN for them).
import { graphql } from '../graphql/graphql.js';

/** A unit's dashboard for a year: rectification, pairing, funds and warnings, and the same per child unit. */
export const DASHBOARD = graphql(`
  query Dashboard($code: String!, $year: Int!, $rect: Boolean!, $pair: Boolean!, $funds: Boolean!, $warn: Boolean!) {
    adminUnit(code: $code) {
      id code name level
      ancestors { id code name level }
      rectificationSummary(year: $year) @include(if: $rect) {
        targets thirdCategory keyTargets transformed transformationRate overdueProblems
        byCause { cause count }
        casesByState { state count }
      }
      keyTargets(year: $year) @include(if: $rect) { township { id code name } villages required keyTargets shortfall }
      pairingCoverage(year: $year) @include(if: $pair) { targets fullyCovered rate slots { slot filled rate } }
      fundsSummary(year: $year) @include(if: $funds) { allocated disbursed spent balance }
      fundingCompliance(year: $year) @include(if: $funds) {
        counties { county { id name } unit { id name } allocated disbursed rate averageDaysToDisburse }
      }
      warningStats(year: $year) @include(if: $warn) { yellowRaised redRaised resolved open disputes disputesResolved }
    }
  }
`);

/** A page of a unit's children with their figures (the per-county / per-township charts); paged to keep within the cost limit. */
export const CHILD_FIGURES = graphql(`
  query ChildFigures($code: String!, $year: Int!, $after: String, $rect: Boolean!, $funds: Boolean!) {
    adminUnit(code: $code) {
      id
      children(first: 25, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            id code name level
            rectificationSummary(year: $year) @include(if: $rect) { targets transformed transformationRate }
            fundsSummary(year: $year) @include(if: $funds) { allocated disbursed spent balance }
          }
        }
      }
    }
  }
`);

/** A village's page: lights per category, open warnings, its case and problems, pairings, funds. */
export const VILLAGE = graphql(`
  query Village($code: String!, $year: Int!, $from: LocalDate!, $to: LocalDate!,
                $warn: Boolean!, $rect: Boolean!, $pair: Boolean!, $support: Boolean!, $funds: Boolean!) {
    adminUnit(code: $code) {
      id code name level urban population households partyMembers
      ancestors { id code name level }
      light @include(if: $warn)
      categoryLights @include(if: $warn) { code name light }
      openWarnings(first: 20) @include(if: $warn) {
        totalCount
        edges {
          node {
            id indicatorCode level severity handlerLevel facts observedOn followUpDue late
            notices { sentOn text }
          }
        }
      }
      assessment(year: $year) @include(if: $rect) { stars category }
      cases(year: $year, first: 1) @include(if: $rect) {
        edges {
          node {
            id state plan responsibleLeader deadline transformedOn
            problems { id problem measure responsible dueOn resolvedOn overdue }
          }
        }
      }
      pairings @include(if: $pair) { id startsOn endsOn partner { id name kind } }
      pairingCoverage(year: $year) @include(if: $pair) { targets rate slots { slot filled } }
      supportTotals(from: $from, to: $to) @include(if: $support) { entries visits peoplePlaced materialsValue meetings problemsSolved projectsCoordinated }
      fundsSummary(year: $year) @include(if: $funds) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } }
      transfers(year: $year, first: 20) @include(if: $funds) { edges { node { id kind fund amount voucher occurredOn } } }
    }
  }
`);

/** The indicator catalogue in force at a village (the report form's choices). */
export const CATALOG = graphql(`
  query Catalog($unitId: ID) { indicatorCatalog(unitId: $unitId) { code name items { code name indicators { code name } } } }
`);

/** A partner's villages (its scope) with the support it logged on each in a period. */
export const PARTNER_SUPPORT = graphql(`
  query PartnerSupport($from: LocalDate!, $to: LocalDate!) {
    me {
      partner { id name kind }
      scope { id code name level supportTotals(from: $from, to: $to) { entries visits peoplePlaced materialsValue meetings problemsSolved projectsCoordinated } }
    }
  }
`);

export const REPORT_WARNING = graphql(`
  mutation ReportWarning($input: ReportWarningInput!) { reportWarning(input: $input) { id level handlerLevel village { id light } } }
`);

export const RESOLVE_WARNING = graphql(`
  mutation ResolveWarning($id: ID!, $on: LocalDate!, $note: String!) { resolveWarning(id: $id, on: $on, note: $note) { id resolvedOn village { id light } } }
`);

export const ADD_PROBLEM = graphql(`
  mutation AddProblem($caseId: ID!, $input: ProblemInput!) { addProblemItem(caseId: $caseId, input: $input) { id problems { id } } }
`);

export const LOG_SUPPORT = graphql(`
  mutation LogSupport($input: SupportInput!) { logSupport(input: $input) }
`);

export const DISBURSE = graphql(`
  mutation Disburse($villageId: ID!, $fund: Fund!, $year: Int!, $amount: Money!, $voucher: String!, $on: LocalDate!, $idempotencyKey: String!) {
    disburseFunds(villageId: $villageId, fund: $fund, year: $year, amount: $amount, voucher: $voucher, on: $on, idempotencyKey: $idempotencyKey) { id amount }
  }
`);

/** Villages of a subtree by name (the dashboard's way to a village page, for roles without the board). */
export const VILLAGE_SEARCH = graphql(`
  query VillageSearch($code: String!, $name: String!) {
    adminUnit(code: $code) { id search(name: $name, level: VILLAGE, first: 10) { edges { node { id code name parent { id name } } } } }
  }
`);
