#!/usr/bin/env node
// `pnpm bench export`: spreadsheet exports of the whole demo region (内蒙古, 150000000000) over HTTP, as
// demo-region (issue 15: < 10 s each, process memory growing by < 100 MB). The service runs in this
// process, as `pnpm start` runs it, on a fresh embedded cluster in a temporary directory (the demo data
// on Inner Mongolia), so its memory is this process's: RSS and heap are sampled every 10 ms during each
// download (the client only counts the bytes it receives).
// Besides the demo's 2025 ledgers, a dense case register: a case with two problem items for EVERY village
// of the region in 2026. The peer of each export, measured in the same run: reading the same rows through
// the same page functions in one transaction, without building a file.
// Other requests during an export: a light GraphQL query (adminUnit by code) in a loop, one at a time, while
// the dense XLSX case register is written (each round), against the same loop with nothing else running.
// Environment: ROUNDS (3: each export runs that often, interleaved, after WARMUP rounds, 1, reported apart),
// KEEP=1 keeps the data directory.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const REGION = '150000000000';
const ROUNDS = Number(process.env.ROUNDS ?? 3);
// the first export of each kind in a process loads and compiles exceljs, archiver and zlib: measured apart
const WARMUP = Number(process.env.WARMUP ?? 1);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const dir = mkdtempSync(join(tmpdir(), 'jiceng-export-'));
chmodSync(dir, 0o755);
let service;
try {
  Object.assign(process.env, { JICENG_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', PORT: '0', JICENG_DEMO: '1', LOG_LEVEL: 'warn' });
  const { startService } = await import('../../services/api/dist/index.js');
  const { readConfig, createLogger } = await import('../../packages/core/dist/index.js');
  const { createOrm, inScope, executeBound } = await import('../../packages/db/dist/index.js');
  const { allEntities } = await import('../../services/api/dist/index.js');
  const { unitByCode } = await import('../../packages/tenancy/dist/index.js');
  const { LEDGERS, EXPORT_BATCH } = await import('../../packages/sheets/dist/index.js');
  let t = performance.now();
  service = await startService(readConfig(), createLogger('warn'));
  report({ name: 'service start with demo seeds', seconds: secs(t) });
  const base = `http://127.0.0.1:${service.app.server.address().port}`;
  process.env.BENCH_URL = `${base}/graphql`;
  const { login, gql } = await import('./http.mjs');
  const token = await login('demo-region');
  const probe = () => gql(`{ adminUnit(code: "150429100200") { id code name level } }`, {}, token);
  const probeIdle = [];
  const probeBusy = [];

  // the dense case register: every village of the region, 2026, two problem items each
  t = performance.now();
  const owner = await createOrm({ url: service.db.ownerUrl, entities: allEntities(), poolMax: 1 });
  const dense = await inScope(owner, ['cn'], async (em) => {
    const cases = await executeBound(em, `insert into rectification_case (unit_id, year, state, responsible_leader, village_secretary, working_group, deadline, plan)
      select id, 2026, 'RECTIFYING', '包保领导（基准）', '村党组织书记（基准）', '{队员甲,队员乙}', date '2026-11-30', '一村一策（基准）'
        from admin_unit where path <@ 'cn.r15' and level = 'VILLAGE' on conflict do nothing returning id, unit_id`, []);
    await executeBound(em, `insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on)
      select c.id, c.unit_id, p.problem, p.measure, p.who, date '2026-06-30'
        from unnest($1::bigint[], $2::bigint[]) c(id, unit_id)
        cross join (values ('组织生活不规范', '每月召开主题党日', '支部书记'), ('村务公开不及时', '每季度公开村务财务', '村委会主任')) p(problem, measure, who)`,
      [cases.map((c) => c.id), cases.map((c) => c.unit_id)]);
    await em.execute('analyze rectification_case; analyze problem_item');
    return cases.length;
  });
  await owner.close();
  report({ name: 'dense case register seeded (2026: every village of the region)', cases: dense, seconds: secs(t) });

  const exports = [
    // the small one first: the first export after start pays for the heap growing once (reported as warmup)
    ['cases', 2025], ['cases', 2026], ['disbursements', 2025],
  ].flatMap(([ledger, year]) => ['xlsx', 'csv'].map((format) => ({ ledger, year, format, name: `${ledger}.${format} ${year}` })));
  const times = new Map(exports.map((e) => [e.name, []]));
  const growth = new Map(exports.map((e) => [e.name, { rss: 0, heap: 0 }]));
  const sizes = new Map();
  const peers = new Map();
  const warm = new Map(exports.map((e) => [e.name, []]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const e of exports) {
      gc();
      const before = process.memoryUsage();
      const peak = { rss: before.rss, heap: before.heapUsed };
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peak.rss = Math.max(peak.rss, m.rss);
        peak.heap = Math.max(peak.heap, m.heapUsed);
      }, 10);
      // other requests meanwhile: during the dense XLSX register (not during warmup)
      const probing = e.name === 'cases.xlsx 2026' && round >= WARMUP ? { on: true } : null;
      const probed = probing ? (async () => { while (probing.on) { const t0 = performance.now(); await probe(); probeBusy.push(performance.now() - t0); } })() : null;
      const started = performance.now();
      const res = await fetch(`${base}/export/${e.ledger}.${e.format}?unit=${REGION}&year=${e.year}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`${e.name}: ${res.status} ${await res.text()}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body) {
        bytes += chunk.length;
        if (e.format === 'csv') for (const b of chunk) if (b === 10) lines++;
      }
      const ms = performance.now() - started;
      clearInterval(sampler);
      if (probing) {
        probing.on = false;
        await probed;
        // the same loop, idle, for as long
        for (const until = performance.now() + ms; performance.now() < until; ) { const t0 = performance.now(); await probe(); probeIdle.push(performance.now() - t0); }
      }
      if (round < WARMUP) {
        warm.get(e.name).push({ seconds: +(ms / 1000).toFixed(2), rssGrowthMB: +((peak.rss - before.rss) / 2 ** 20).toFixed(1), heapGrowthMB: +((peak.heap - before.heapUsed) / 2 ** 20).toFixed(1) });
        continue;
      }
      times.get(e.name).push(ms);
      const g = growth.get(e.name);
      g.rss = Math.max(g.rss, peak.rss - before.rss);
      g.heap = Math.max(g.heap, peak.heap - before.heapUsed);
      sizes.set(e.name, { bytes, ...(e.format === 'csv' ? { rows: lines - 1 } : {}) });
      // the peer: the same rows read through the same page functions, no file
      if (e.format === 'csv') {
        const list = peers.get(e.name) ?? [];
        list.push(await readPeer(service, e, LEDGERS, EXPORT_BATCH, { inScope, unitByCode, executeBound }));
        peers.set(e.name, list);
      }
    }
  }
  const load = loadavg().map((l) => +l.toFixed(2));
  const results = exports.map((e) => {
    const list = [...times.get(e.name)].sort((a, b) => a - b);
    const g = growth.get(e.name);
    const peer = peers.get(e.ledger + '.csv ' + e.year);
    const peerMs = peer ? Math.min(...peer.map((p) => p.ms)) : null;
    const best = list[0];
    return {
      name: `export ${e.name} of the region`, ...sizes.get(e.name), ...(peer ? { rows: peer[0].rows } : {}),
      bestSeconds: +(best / 1000).toFixed(2), worstSeconds: +(list.at(-1) / 1000).toFixed(2),
      rssGrowthMB: +(g.rss / 2 ** 20).toFixed(1), heapGrowthMB: +(g.heap / 2 ** 20).toFixed(1),
      warmup: warm.get(e.name), peerReadSeconds: peerMs === null ? null : +(peerMs / 1000).toFixed(2), ratioToPeer: peerMs ? +(best / peerMs).toFixed(1) : null,
      pass: list.at(-1) < 10_000 && g.rss < 100 * 2 ** 20, load,
    };
  });
  for (const r of results) report(r);
  const pct = (list, p) => { const s = [...list].sort((a, b) => a - b); return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1); };
  if (probeBusy.length && probeIdle.length) {
    report({ name: 'adminUnit by code, one at a time, during the dense XLSX case register vs idle', during: { n: probeBusy.length, p50: pct(probeBusy, 50), p95: pct(probeBusy, 95), max: pct(probeBusy, 100) },
      idle: { n: probeIdle.length, p50: pct(probeIdle, 50), p95: pct(probeIdle, 95), max: pct(probeIdle, 100) }, p95Ratio: +(pct(probeBusy, 95) / pct(probeIdle, 95)).toFixed(2), load });
  }
  const missed = results.filter((r) => !r.pass).map((r) => r.name);
  console.log(JSON.stringify({ summary: 'export', rounds: ROUNDS, missed }));
} finally {
  if (service) await service.stop(1000);
  if (process.env.KEEP === '1') console.log(`data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

/** The peer of an export: its rows read through the ledger's page functions in one transaction under demo-region's scope, no file built. */
async function readPeer(service, e, LEDGERS, batch, { inScope, unitByCode, executeBound }) {
  const started = performance.now();
  let rows = 0;
  const region = await inScope(service.orm, ['cn'], (em) => unitByCode(em, REGION));
  await inScope(service.orm, [region.path], async (em) => {
    const [u] = await executeBound(em, `select id::text from app_user where username = 'demo-region'`, []);
    const principal = { userId: u.id, username: 'demo-region', displayName: 'demo-region', unitId: region.id, unitPath: region.path, roles: ['ORG_ADMIN'], scopes: [region.path] };
    for await (const page of LEDGERS.get(e.ledger).pages({ em, principal, unit: region, year: e.year, batch })) rows += page.length;
  });
  return { ms: performance.now() - started, rows };
}

function secs(since) {
  return +((performance.now() - since) / 1000).toFixed(1);
}

function report(r) {
  console.log(JSON.stringify(r));
}
