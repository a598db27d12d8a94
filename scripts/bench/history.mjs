#!/usr/bin/env node
// Past-year figures before and after a move, over HTTP against `pnpm start` (demo data): the region's and
// 天义镇's 2025 rectificationSummary and fundsSummary on today's tree, then with 小河沿村 moved to 小城子镇
// (with BENCH_MOVE=1; past years take the slow path for the units involved), then moved back. Leaves the tree as it found it
// (the two moves stay on record). Target: the region summary p95 < 50 ms either way.
import { gql, login, measure } from './http.mjs';

const region = await login('demo-region');
const county = await login('demo-county');
const SUMMARY = (code, year) => `{ adminUnit(code: "${code}") { rectificationSummary(year: ${year}) { assessed thirdCategory targets transformed
  keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline } } }`;
const FUNDS = (code) => `{ adminUnit(code: "${code}") { fundsSummary(year: 2025) { allocated disbursed spent balance } } }`;
const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const id = async (code) => (await gql(ID, { c: code }, county)).adminUnit.id;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`;

async function round(label) {
  console.log(JSON.stringify({ label, tianyi2025: (await gql(SUMMARY('150429100000', 2025), {}, county)).adminUnit.rectificationSummary.targets,
    tianyiFunds2025: (await gql(FUNDS('150429100000'), {}, county)).adminUnit.fundsSummary.allocated }));
  await measure(`${label}: rectificationSummary, region, 2025`, () => gql(SUMMARY('150000000000', 2025), {}, region), { n: 100 });
  await measure(`${label}: rectificationSummary, region, 2021`, () => gql(SUMMARY('150000000000', 2021), {}, region), { n: 100 });
  await measure(`${label}: rectificationSummary, 天义镇, 2025`, () => gql(SUMMARY('150429100000', 2025), {}, county), { n: 100 });
  await measure(`${label}: fundsSummary, region, 2025`, () => gql(FUNDS('150000000000'), {}, region), { n: 100 });
  await measure(`${label}: fundsSummary, 天义镇, 2025`, () => gql(FUNDS('150429100000'), {}, county), { n: 100 });
}

await round('no move');
if (process.env.BENCH_MOVE === '1') {
  const [village, from, to] = [await id('150429100201'), await id('150429100000'), await id('150429101000')];
  await gql(MOVE, { u: village, p: to }, county);
  try {
    await round('小河沿村 moved');
  } finally {
    await gql(MOVE, { u: village, p: from }, county);
  }
}
