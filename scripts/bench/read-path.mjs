#!/usr/bin/env node
// `pnpm bench read-path`: the read path's targets of issue 12 ("Numbers"), over HTTP against a started
// service with demo data (`pnpm start`; PORT or BENCH_URL):
// - the per-village list of 宁城县 (150429000000): county → townships → villages, each village with
//   rectificationSummary(2025), fundsSummary(2025) and supportTotals(2025) in ONE request, as demo-county
//   (target p95 < 300 ms);
// - each region dashboard field as demo-region (target p95 < 50 ms), and all of them in one request
//   (target p95 < 150 ms).
// Environment: N (requests measured per query, default 50), WARMUP (5), ONLY (comma-separated names).
// Prints one JSON line per query (p50/p95/max in ms, target, pass) and the load average.
import { loadavg } from 'node:os';
import { gql, login, measure } from './http.mjs';

const N = Number(process.env.N ?? 50);
const WARMUP = Number(process.env.WARMUP ?? 5);
const only = process.env.ONLY?.split(',').map((s) => s.trim());
const YEAR = 2025;

const summary = `rectificationSummary(year: ${YEAR}) { assessed thirdCategory targets transformed transformationRate keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline }`;
const funds = `fundsSummary(year: ${YEAR}) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } }`;
const support = `supportTotals(from: "${YEAR}-01-01", to: "${YEAR}-12-31") { entries visits meetings problemsSolved projectsCoordinated peoplePlaced materialsValue }`;

/** the region dashboard's fields, each as it is asked for on its own */
const DASHBOARD = {
  rectificationSummary: summary,
  keyTargets: `keyTargets(year: ${YEAR}) { township { code name } villages required keyTargets shortfall }`,
  accountability: `accountability(year: ${YEAR}) { township { code name } consequence newlyParalysed }`,
  relapsePatterns: `relapsePatterns(year: ${YEAR}) { goodThenWeak transformedThenRelapsed weakThroughout noHistory }`,
  pairingCoverage: `pairingCoverage(year: ${YEAR}) { targets fullyCovered rate slots { slot filled rate } }`,
  supportTotals: support,
  fundsSummary: funds,
  fundingCompliance: `fundingCompliance(year: ${YEAR}) { officeBelowStandardCount activityBelowStandardCount counties { county { code name } allocated disbursed rate averageDaysToDisburse } }`,
  lightCounts: `lightCounts { green yellow red }`,
  warningStats: `warningStats(year: ${YEAR}) { redRaised yellowRaised resolved open disputes disputesResolved }`,
};
const REGION = '150000000000';
const COUNTY = '150429000000'; // 宁城县: 25 townships, 334 villages

const results = [];
async function run(name, query, token, target, check) {
  if (only && !only.some((o) => name.startsWith(o))) return;
  const first = await gql(query, {}, token);
  const info = check?.(first);
  const r = await measure(name, () => gql(query, {}, token), { n: N, warmup: WARMUP });
  const line = { ...r, target, pass: r.p95 < target, ...(info ?? {}), load: loadavg().map((l) => +l.toFixed(2)) };
  results.push(line);
  console.log(JSON.stringify(line));
}

const county = await login('demo-county');
const region = await login('demo-region');

// one page of townships (25) and one page of villages each (the largest township has 35)
const villageList = `{ adminUnit(code: "${COUNTY}") { code children(first: 25) { edges { node { code children(first: 35) { edges { node { code name ${summary} ${funds} ${support} } } } } } } } }`;
await run('宁城县 villages with rectificationSummary + fundsSummary + supportTotals', villageList, county, 300, (d) => {
  const townships = d.adminUnit.children.edges;
  const villages = townships.reduce((n, t) => n + t.node.children.edges.length, 0);
  if (villages !== 334) throw new Error(`expected 334 villages, got ${villages}`);
  return { villages };
});

for (const [field, selection] of Object.entries(DASHBOARD)) {
  await run(`region ${field}`, `{ adminUnit(code: "${REGION}") { ${selection} } }`, region, 50);
}
await run('region dashboard, all fields in one request', `{ adminUnit(code: "${REGION}") { ${Object.values(DASHBOARD).join(' ')} } }`, region, 150);

const missed = results.filter((r) => !r.pass).map((r) => r.name);
console.log(JSON.stringify({ summary: 'read-path', measured: results.length, missed }));
