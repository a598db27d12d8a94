#!/usr/bin/env node
// Funding figures. (1) Disbursements per second through the service layer, every invariant on
// (row lock, no overdraw, idempotency key, both entries, rollup delta, RLS as the API role), one per
// request transaction and in batches (disburseMany, as disburseFundsBatch uses it), into a throwaway
// database (ledger-world.mjs). `pnpm bench ledger-ceiling` measures the same posting without Node.js.
// (2) The funds summary for the whole region over HTTP as demo-region, against a running `pnpm start`.
// Run after `pnpm install` (which builds): node scripts/bench/funding.mjs
import { inScope } from '../../packages/db/dist/index.js';
import { disburse, disburseMany } from '../../packages/funding/dist/index.js';
import { gql, login, measure } from './http.mjs';
import { openLedgerWorld } from './ledger-world.mjs';

const N = Number(process.env.N ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const BATCH = Number(process.env.BATCH ?? 50);
const BATCH_CONCURRENCY = Number(process.env.BATCH_CONCURRENCY ?? 4);
const { api, county, villages, principal, close } = await openLedgerWorld({ poolMax: CONCURRENCY });
try {
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
} finally {
  await close();
}

if (process.env.SKIP_HTTP !== '1') {
  const token = await login('demo-region');
  await measure('fundsSummary, region, 2025', () =>
    gql(`{ adminUnit(code: "150000000000") { fundsSummary(year: 2025) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } } } }`, {}, token));
  const compliance = (code) => gql(`{ adminUnit(code: "${code}") { fundingCompliance(year: 2025) {
    officeBelowStandard { id } officeBelowStandardCount activityBelowStandardCount counties { county { name } allocated disbursed rate averageDaysToDisburse } } } }`, {}, token);
  await measure('fundingCompliance, region, 2025', () => compliance('150000000000'), { n: 40, warmup: 5 });
  await measure('fundingCompliance, 宁城县, 2025', () => compliance('150429000000'), { n: 100, warmup: 5 });
}
