#!/usr/bin/env node
// Funding figures. (1) Disbursements per second through the service layer, every invariant on
// (row lock, no overdraw, idempotency key, both entries, rollup delta, RLS as the API role), one per
// request transaction and in batches (disburseMany, as disburseFundsBatch uses it), into a throwaway
// database on DATABASE_URL or on an embedded server of its own (JICENG_BENCH_DATA_DIR, default
// <tmp>/jiceng-bench-data, kept between runs), so it can run beside `pnpm start`.
// (2) The funds summary for the whole region over HTTP as demo-region, against a running `pnpm start`.
// Run after `pnpm install` (which builds): node scripts/bench/funding.mjs
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, createDatabase, dropDatabase, ensureRoles, inScope, migrate, databaseUrls, openDatabase } from '../../packages/db/dist/index.js';
import { allEntities, allMigrations } from '../../services/api/dist/index.js';
import { appropriate, allocate, disburse, disburseMany } from '../../packages/funding/dist/index.js';
import { gql, login, measure } from './http.mjs';

const N = Number(process.env.N ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const BATCH = Number(process.env.BATCH ?? 50);
const BATCH_CONCURRENCY = Number(process.env.BATCH_CONCURRENCY ?? 4);
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.JICENG_BENCH_DATA_DIR ?? join(tmpdir(), 'jiceng-bench-data') });
const name = `jiceng_bench_${randomBytes(4).toString('hex')}`;
const passwords = { owner: 'x', api: 'y' };
try {
  await ensureRoles(db.adminUrl, passwords);
  await createDatabase(db.adminUrl, name);
  const urls = databaseUrls(db.adminUrl, name, passwords);
  await migrate(urls.ownerUrl, allMigrations());
  const owner = await createOrm({ url: urls.ownerUrl, entities: allEntities(), poolMax: 2 });
  const { region, county, villages, user } = await inScope(owner, ['cn'], async (em) => {
    const [r] = await em.execute(`insert into admin_unit (code, name, level, path) values ('990000000000', '基准区', 'REGION', 'cn.r99') returning id`);
    const [c] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('990100000000', '基准旗', 'COUNTY', ?, 'cn.r99.c990100') returning id`, [r.id]);
    await em.execute(`update admin_unit set county_id = id where id = ?`, [c.id]);
    const [t] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id) values ('990100001000', '基准镇', 'TOWNSHIP', ?, 'cn.r99.c990100.t990100001', ?) returning id`, [c.id, c.id]);
    const vs = await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id)
      select '990100001' || lpad(g::text, 3, '0'), '基准村' || g, 'VILLAGE', ?, ('cn.r99.c990100.t990100001.v990100001' || lpad(g::text, 3, '0'))::ltree, ?
        from generate_series(1, 50) g returning id, path::text as path`, [t.id, c.id]);
    const [u] = await em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values ('bench-finance', 'b', 'x', ?, '{FINANCE,PLATFORM_ADMIN}') returning id`, [r.id]);
    return { region: { id: String(r.id), path: 'cn.r99' }, county: { id: String(c.id), path: 'cn.r99.c990100' }, villages: vs.map((v) => ({ id: String(v.id), path: v.path })), user: String(u.id) };
  });
  await owner.close();
  const api = await createOrm({ url: urls.apiUrl, entities: allEntities(), poolMax: CONCURRENCY });
  const principal = (path) => ({ userId: user, username: 'bench-finance', displayName: 'b', unitId: region.id, unitPath: path, roles: ['FINANCE', 'PLATFORM_ADMIN'], scopes: [path] });
  await inScope(api, [region.path], async (em) => {
    await appropriate(em, principal(region.path), { regionId: region.id, fund: 'OFFICE', year: 2026, amount: 10n ** 12n, key: 'bench-appropriation' });
    for (const v of villages) await allocate(em, principal(region.path), { fromId: region.id, toId: v.id, fund: 'OFFICE', year: 2026, amount: 10n ** 9n, key: `bench-allocate-${v.id}` });
  });
  // (a) one disbursement per request transaction, CONCURRENCY at a time
  let next = 0;
  let started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) {
      const i = next++;
      const v = villages[i % villages.length];
      await inScope(api, [county.path], (em) =>
        disburse(em, principal(county.path), { villageId: v.id, fund: 'OFFICE', year: 2026, amount: 100n, voucher: `PZ-${i}`, on: '2026-03-01', key: `bench-disburse-${i}` }));
    }
  }));
  let seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ name: 'disbursements through the service layer, one per request', n: N, concurrency: CONCURRENCY, perSecond: Math.round(N / seconds) }));

  // (b) batches (a county paying many villages at once: disburseFundsBatch), BATCH_CONCURRENCY at a time
  next = 0;
  started = performance.now();
  await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, async () => {
    while (next < N) {
      const first = next;
      next += BATCH;
      const items = Array.from({ length: Math.min(BATCH, N - first) }, (_, k) => {
        const i = first + k;
        return { villageId: villages[i % villages.length].id, fund: 'OFFICE', year: 2026, amount: 100n, voucher: `PZ-B${i}`, on: '2026-03-02', key: `bench-batch-${i}` };
      });
      await inScope(api, [county.path], (em) => disburseMany(em, principal(county.path), items));
    }
  }));
  seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ name: 'disbursements through the service layer, in batches', n: N, batch: BATCH, concurrency: BATCH_CONCURRENCY, perSecond: Math.round(N / seconds) }));
  await api.close();
} finally {
  await dropDatabase(db.adminUrl, name).catch(() => undefined);
  await db.stop();
}

if (process.env.SKIP_HTTP !== '1') {
  const token = await login('demo-region');
  await measure('fundsSummary, region, 2025', () =>
    gql(`{ adminUnit(code: "150000000000") { fundsSummary(year: 2025) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } } } }`, {}, token));
}
