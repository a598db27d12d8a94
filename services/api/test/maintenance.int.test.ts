import { createLogger } from '@jiceng/core';
import { fundingModule } from '@jiceng/funding';
import { test, expect } from '@jiceng/testkit';
import { startMaintenance } from '../src/boot.js';

test('maintenance tasks run on their interval over the whole tree, one at a time, and stop is awaited', async ({ app }) => {
  const seen: string[][] = [];
  let running = 0;
  let overlapped = false;
  const stop = startMaintenance(app.orm, createLogger('error'), [{
    ...fundingModule,
    maintenance: [{
      name: 'probe',
      everyMs: 10,
      run: async (em) => {
        overlapped ||= running > 0;
        running++;
        const [r] = await em.execute<{ scopes: string }[]>(`select current_setting('app.scopes') as scopes`);
        seen.push([r!.scopes]);
        await new Promise((ok) => setTimeout(ok, 30)); // longer than the interval
        running--;
        return 1;
      },
    }],
  }]);
  // a few runs, however slowly these cores get round to them (no fixed window)
  const deadline = Date.now() + 30_000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
  await stop();
  const runs = seen.length;
  expect(runs).toBeGreaterThanOrEqual(3);
  expect(overlapped).toBe(false);
  expect(running).toBe(0); // stop waited for the run in progress
  expect(new Set(seen.flat())).toEqual(new Set(['{cn}']));
  // and none after stop (a pause of several intervals: a late run would show here)
  await new Promise((ok) => setTimeout(ok, 50));
  expect(seen.length).toBe(runs);
});

test('the funding compaction task folds the deltas the postings left', async ({ app }) => {
  const region = await app.tree.region();
  const village = await (await (await region.county()).township()).village();
  const finance = await app.user(region, ['FINANCE']);
  const id = async (code: string) => (await finance.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: code })).adminUnit.id;
  await finance.client.ok(`mutation($r: ID!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: "100.00", idempotencyKey: "maintenance-test-1") { id } }`, { r: await id(region.code) });
  await finance.client.ok(`mutation($r: ID!, $v: ID!) { allocateFunds(fromUnitId: $r, toUnitId: $v, fund: OFFICE, year: 2025, amount: "40.00", idempotencyKey: "maintenance-test-2") { id } }`,
    { r: await id(region.code), v: await id(village.code) });
  const pending = () => app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from fund_rollup_delta where unit_path <@ ?::ltree`, [region.path]));
  expect((await pending())[0]!.n).toBe(4);
  const stop = startMaintenance(app.orm, createLogger('error'), [fundingModule]);
  const deadline = Date.now() + 10_000;
  while ((await pending())[0]!.n > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
  await stop();
  expect((await pending())[0]!.n).toBe(0);
  const summary = await finance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated balance } } }`, { c: region.code });
  expect(summary.adminUnit.fundsSummary).toEqual({ allocated: '100.00', balance: '100.00' });
});
