import { inScope } from '@jiceng/db';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { disburseMany } from '../src/funding.service.js';
import { checkLedgerAfterAll, key, principalOf, UNIT_ID as ID } from './support.js';

const track = checkLedgerAfterAll();

/** A region with two counties; county A has two townships (two villages, one village), county B one village. */
async function world(app: TestApp) {
  track(app);
  const region = await app.tree.region();
  const countyA = await region.county();
  const countyB = await region.county();
  const township = await countyA.township();
  const v1 = await township.village();
  const v2 = await township.village();
  const v3 = await (await countyA.township()).village();
  const vB = await (await countyB.township()).village();
  const regionFinance = await app.user(region, ['FINANCE']);
  const financeA = await app.user(countyA, ['FINANCE']);
  const financeB = await app.user(countyB, ['FINANCE']);
  const id = async (code: string) => (await regionFinance.client.ok(ID, { c: code })).adminUnit.id as string;
  const ids = { region: await id(region.code), countyA: await id(countyA.code), countyB: await id(countyB.code), v1: await id(v1.code), v2: await id(v2.code), v3: await id(v3.code), vB: await id(vB.code) };
  // every village holds 1,000.00 of 2025 and 2026 office budget
  for (const year of [2025, 2026]) {
    await regionFinance.client.ok(`mutation($r: ID!, $y: Int!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: $y, amount: "4000.00", idempotencyKey: $k) { id } }`, { r: ids.region, y: year, k: key('ap') });
    for (const v of [ids.v1, ids.v2, ids.v3, ids.vB]) {
      await regionFinance.client.ok(`mutation($v: ID!, $r: ID!, $y: Int!, $k: String!) { allocateFunds(fromUnitId: $r, toUnitId: $v, fund: OFFICE, year: $y, amount: "1000.00", idempotencyKey: $k) { id } }`, { r: ids.region, v, y: year, k: key('al') });
    }
  }
  return { region, countyA, countyB, township, v1, v2, v3, vB, regionFinance, financeA, financeB, ids };
}

const DISBURSE = `mutation($v: ID!, $y: Int!, $p: String!, $k: String!) { disburseFunds(villageId: $v, fund: OFFICE, year: $y, amount: "10.00", voucher: $p, on: "2026-04-01", idempotencyKey: $k) { id voucher } }`;
const BATCH = `mutation($items: [DisbursementInput!]!) { disburseFundsBatch(items: $items) { id voucher } }`;

describe('vouchers (凭证号): unique within a county and year', () => {
  test('a second disbursement with the same voucher in the county and year is CONFLICT on voucher, whichever village; other years, other counties and a reversed one are free', async ({ app }) => {
    const w = await world(app);
    const k0 = key('d');
    const paid = await w.financeA.client.ok(DISBURSE, { v: w.ids.v1, y: 2025, p: 'PZ-7', k: k0 });
    // the same village, a new key
    expect((await w.financeA.client.fails('CONFLICT', DISBURSE, { v: w.ids.v1, y: 2025, p: 'PZ-7', k: key('d') })).extensions).toMatchObject({ field: 'voucher' });
    // another village of the county, in another township
    expect((await w.financeA.client.fails('CONFLICT', DISBURSE, { v: w.ids.v3, y: 2025, p: ' PZ-7 ', k: key('d') })).extensions).toMatchObject({ field: 'voucher' });
    // another year, another county: a voucher of their own
    await w.financeA.client.ok(DISBURSE, { v: w.ids.v1, y: 2026, p: 'PZ-7', k: key('d') });
    await w.financeB.client.ok(DISBURSE, { v: w.ids.vB, y: 2025, p: 'PZ-7', k: key('d') });
    // a retry with the same key is still the original
    expect((await w.financeA.client.ok(DISBURSE, { v: w.ids.v1, y: 2025, p: 'PZ-7', k: k0 })).disburseFunds).toEqual(paid.disburseFunds);
    // a reversed disbursement (a wrong posting) releases its voucher for the correct one
    await w.financeA.client.ok(`mutation($t: ID!, $k: String!) { reverseTransfer(transferId: $t, reason: "金额错误", idempotencyKey: $k) { id } }`, { t: paid.disburseFunds.id, k: key('rev') });
    expect((await w.financeA.client.ok(DISBURSE, { v: w.ids.v2, y: 2025, p: 'PZ-7', k: key('d') })).disburseFunds.voucher).toBe('PZ-7');

    // batches: against earlier disbursements and within the batch, the error names the item; nothing of the batch stays
    const item = (v: string, voucher: string) => ({ villageId: v, fund: 'OFFICE', year: 2025, amount: '1.00', voucher, on: '2025-05-01', idempotencyKey: key('b') });
    const earlier = await w.financeA.client.fails('CONFLICT', BATCH, { items: [item(w.ids.v1, 'PZ-8'), item(w.ids.v3, 'PZ-7')] });
    expect(earlier.extensions).toMatchObject({ field: 'items[1].voucher' });
    const within = await w.financeA.client.fails('CONFLICT', BATCH, { items: [item(w.ids.v1, 'PZ-8'), item(w.ids.v2, 'PZ-9'), item(w.ids.v3, 'PZ-8')] });
    expect(within.extensions).toMatchObject({ field: 'items[2].voucher' });
    expect((await w.financeA.client.ok(BATCH, { items: [item(w.ids.v1, 'PZ-8'), item(w.ids.v2, 'PZ-9')] })).disburseFundsBatch).toHaveLength(2);
  });

  test('the same voucher sent at once for 12 villages, alone or second in a batch (different keys): exactly one is paid, the others are CONFLICT naming the item', async ({ app }) => {
    const w = await world(app);
    const p = principalOf(w.financeA);
    const villages = [w.v1.id, w.v2.id, w.v3.id];
    // (a batch's items pay one village: batches over several villages in different orders can deadlock)
    const item = (villageId: string, voucher: string) => ({ villageId, fund: 'OFFICE', year: 2025, amount: 100n, voucher, on: '2025-05-01', key: key('race') });
    for (const batch of [false, true]) {
      const shared = key('PZ-RACE');
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_x, n) => inScope(app.orm, [w.countyA.path], (em) =>
        disburseMany(em, p, [...(batch ? [item(villages[n % 3]!, key('PZ'))] : []), item(villages[n % 3]!, shared)]))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as any).extensions).toMatchObject({ code: 'CONFLICT', field: batch ? 'items[1].voucher' : 'items[0].voucher' });
    }
  });
});

describe('Transfer.village and fundingCompliance labels', () => {
  test('each transfer names the village it concerns (none for a county\'s), batched: the statements do not grow with the rows', async ({ app }) => {
    const w = await world(app);
    const LIST = `query($c: String!) { adminUnit(code: $c) { transfers(first: 50) { edges { node { kind voucher village { code name } unit { code } } } } } }`;
    const counts: number[] = [];
    for (const n of [1, 4]) {
      await w.financeA.client.ok(BATCH, { items: Array.from({ length: n }, (_x, k) => ({
        villageId: [w.ids.v1, w.ids.v2, w.ids.v3][k % 3], fund: 'OFFICE', year: 2025, amount: '1.00', voucher: key('PZ'), on: '2025-05-01', idempotencyKey: key('b') })) });
      app.sqlCount = 0;
      const r = await w.financeA.client.ok(LIST, { c: w.countyA.code });
      counts.push(app.sqlCount);
      const edges = r.adminUnit.transfers.edges.map((e: any) => e.node);
      for (const t of edges) expect(t.village).toEqual({ code: t.unit.code, name: expect.any(String) });
      expect(new Set(edges.filter((t: any) => t.kind === 'DISBURSE').map((t: any) => t.village.code))).toEqual(new Set([w.v1, w.v2, w.v3].slice(0, Math.min(n, 3)).map((v) => v.code)));
    }
    expect(counts[1]).toBe(counts[0]);
    // the region's appropriation concerns no village
    const region = await w.regionFinance.client.ok(`query($c: String!) { adminUnit(code: $c) { transfers(kind: APPROPRIATE, first: 1) { edges { node { village { code } unit { code } } } } } }`, { c: w.region.code });
    expect(region.adminUnit.transfers.edges[0].node).toEqual({ village: null, unit: { code: w.region.code } });
  });

  test('a township\'s fundingCompliance row is labelled with the township and holds its figures; a county\'s with the county', async ({ app }) => {
    const w = await world(app);
    await w.financeA.client.ok(DISBURSE, { v: w.ids.v1, y: 2025, p: 'PZ-1', k: key('d') });
    const Q = `query($c: String!) { adminUnit(code: $c) { fundingCompliance(year: 2025) { counties { county { code } unit { code } allocated disbursed } } } }`;
    const township = await w.financeA.client.ok(Q, { c: w.township.code });
    expect(township.adminUnit.fundingCompliance.counties).toEqual([{ county: null, unit: { code: w.township.code }, allocated: '2000.00', disbursed: '10.00' }]);
    const county = await w.financeA.client.ok(Q, { c: w.countyA.code });
    expect(county.adminUnit.fundingCompliance.counties).toEqual([{ county: { code: w.countyA.code }, unit: { code: w.countyA.code }, allocated: '3000.00', disbursed: '10.00' }]);
  });
});
