#!/usr/bin/env node
// Pairing figures over HTTP as demo-region against `pnpm start`: the coverage report for the whole
// region (target p95 < 100 ms) and support totals for the region (target p95 < 50 ms).
import { gql, login, measure } from './http.mjs';

const token = await login('demo-region');
await measure('pairingCoverage, region, 2025', () =>
  gql(`{ adminUnit(code: "150000000000") { pairingCoverage(year: 2025) { targets fullyCovered rate slots { slot filled rate } } } }`, {}, token), { n: 100 });
await measure('pairingCoverage with the gap list, region, 2025', () =>
  gql(`{ adminUnit(code: "150000000000") { pairingCoverage(year: 2025) { targets fullyCovered rate gaps { village { code name } missing } } } }`, {}, token), { n: 50 });
await measure('supportTotals, region, 2025', () =>
  gql(`{ adminUnit(code: "150000000000") { supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits peoplePlaced materialsValue meetings problemsSolved } } }`, {}, token));

// Per-village lists over 宁城县's villages (334) in one request: batched per level, a few statements
// whatever the number of villages (run with GRAPHQL_MAX_COST raised: the default refuses such a list).
const villages = (fields) => `{ adminUnit(code: "150429000000") { children(first: 100) { edges { node { children(first: 100) { edges { node { code ${fields} } } } } } } } }`;
const county = await login('demo-county');
await measure('per village, 宁城县: supportTotals', () =>
  gql(villages(`supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits materialsValue }`), {}, county), { n: 30, warmup: 3 });
await measure('per village, 宁城县: pairings', () =>
  gql(villages(`pairings { startsOn endsOn partner { name kind } }`), {}, county), { n: 30, warmup: 3 });
await measure('per village, 宁城县: pairingCoverage', () =>
  gql(villages(`pairingCoverage(year: 2025) { targets fullyCovered slots { slot filled } }`), {}, county), { n: 30, warmup: 3 });
