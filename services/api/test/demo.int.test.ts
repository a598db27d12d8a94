import { createLogger } from '@jiceng/core';
import { ledgerProblems } from '@jiceng/funding';
import { GraphQLClient, test, expect } from '@jiceng/testkit';
import { modules } from '../src/modules.js';

// The demo data every module seeds (what `pnpm start` loads), and the demo accounts working through it.
// seeding the whole region takes 50–60 s on a loaded 2-core machine
test('the demo: a year of funding over Inner Mongolia that demo-finance can work through; the ledger is consistent', { timeout: 180_000 }, async ({ app }) => {
  const log = createLogger('error');
  for (const m of modules) await m.seedDemo?.({ orm: app.ownerOrm, log });
  expect(await app.asOwner(ledgerProblems)).toEqual({ entrySum: '0', driftingAccounts: [], unbalancedTransfers: [], rollupDrift: [] });

  const login = async (username: string) => {
    const r = await app.anonymous.ok(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: 'jiceng-demo' });
    return new GraphQLClient(app.url, r.login.token);
  };
  const finance = await login('demo-finance');
  const SUMMARY = `query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated disbursed spent balance } } }`;
  const county = (await finance.ok(SUMMARY, { c: '150429000000' })).adminUnit.fundsSummary;
  expect(Number(county.allocated)).toBeGreaterThan(Number(county.disbursed));
  expect(Number(county.disbursed)).toBeGreaterThan(Number(county.spent));
  expect(Number(county.spent)).toBeGreaterThan(0);

  // the county's latest payments, and a village whose office budget is not yet paid
  const list = await finance.ok(`{ adminUnit(code: "150429000000") { transfers(year: 2025, kind: "DISBURSE", first: 3) { edges { node { kind voucher amount } } } } }`);
  expect(list.adminUnit.transfers.edges).toHaveLength(3);
  expect(list.adminUnit.transfers.edges[0].node.voucher).toMatch(/^PZ-2025-/);
  const [unpaid] = await app.asOwner((em) => em.execute<{ code: string; balance: string }[]>(
    `select u.code, a.balance::text from account a join admin_unit u on u.id = a.unit_id
      where u.path <@ (select path from admin_unit where code = '150429000000') and u.level = 'VILLAGE' and a.fund = 'OFFICE' and a.year = 2025 and a.kind = 'BUDGET' and a.balance > 0
      order by u.code limit 1`));
  expect(unpaid).toBeDefined();
  const village = (await finance.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: unpaid!.code })).adminUnit.id;
  const yuan = (Number(unpaid!.balance) / 100).toFixed(2);
  const paid = await finance.ok(`mutation($v: ID!, $a: Money!) { disburseFunds(villageId: $v, fund: "OFFICE", year: 2025, amount: $a, voucher: "PZ-DEMO-1", on: "2025-12-20", idempotencyKey: "demo-test-payment-1") { amount } }`, { v: village, a: yuan });
  expect(paid.disburseFunds.amount).toBe(yuan);
  const after = (await finance.ok(SUMMARY, { c: '150429000000' })).adminUnit.fundsSummary;
  expect(Math.round((Number(after.disbursed) - Number(county.disbursed)) * 100)).toBe(Number(unpaid!.balance));
  expect(after.allocated).toBe(county.allocated);

  // the region's dashboard agrees with the counties under it; the county cannot see the region
  const region = await login('demo-region');
  const total = (await region.ok(SUMMARY, { c: '150000000000' })).adminUnit.fundsSummary;
  expect(Number(total.disbursed)).toBeGreaterThan(Number(after.disbursed));
  expect((await finance.ok(SUMMARY, { c: '150000000000' })).adminUnit).toBeNull();
  expect(await app.asOwner(ledgerProblems)).toMatchObject({ entrySum: '0', driftingAccounts: [], rollupDrift: [] });
});
