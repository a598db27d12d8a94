#!/usr/bin/env node
// Dynamic management 110 over HTTP against `pnpm start` (demo data): the region's lightCounts (a
// rollup; target p95 < 20 ms), the light counts of the region's counties, reporter accountability of
// the region and me.dueItems of the county centre. The escalation task's figure belongs to its own
// benchmark once the task exists.
import { gql, login, measure } from './http.mjs';

const region = await login('demo-region');
const county = await login('demo-county');
const COUNTS = `{ adminUnit(code: "150000000000") { lightCounts { green yellow red } } }`;
console.log(JSON.stringify((await gql(COUNTS, {}, region)).adminUnit.lightCounts));
await measure('lightCounts, region', () => gql(COUNTS, {}, region));
await measure('lightCounts of the region\'s children (first 20)', () =>
  gql(`{ adminUnit(code: "150000000000") { children(first: 20) { edges { node { code lightCounts { green yellow red } } } } } }`, {}, region), { n: 100 });
const ACCOUNT = `{ adminUnit(code: "150000000000") { reporterAccountability(year: 2025) { reporter { username } late missed concealed total consequence } stationFailures(year: 2025) } }`;
const acc = (await gql(ACCOUNT, {}, region)).adminUnit;
console.log(JSON.stringify({ reporters: acc.reporterAccountability.length, stationFailures: acc.stationFailures }));
await measure('reporterAccountability + stationFailures, region, 2025', () => gql(ACCOUNT, {}, region), { n: 50, warmup: 5 });
const DUE = `{ me { dueItems(first: 50) { kind dueOn refId unit { code } } } }`;
console.log(JSON.stringify({ dueItemsOfDemoCounty: (await gql(DUE, {}, county)).me.dueItems.length }));
await measure('me.dueItems(first: 50), demo-county', () => gql(DUE, {}, county), { n: 100 });
