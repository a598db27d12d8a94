import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { checkLedgerAfterAll, key, UNIT_ID as ID } from './support.js';

const track = checkLedgerAfterAll();

/** A region with two counties; county A has a township of three villages (one with 40 Party members, one urban). */
async function world(app: TestApp) {
  track(app);
  const region = await app.tree.region();
  const countyA = await region.county();
  const countyB = await region.county();
  const township = await countyA.township();
  const v1 = await township.village(undefined, { partyMembers: 40 });
  const v2 = await township.village(undefined, { partyMembers: 10 });
  const community = await township.village(undefined, { urban: true });
  const vB = await (await countyB.township()).village();
  const regionFinance = await app.user(region, ['FINANCE']);
  const countyFinance = await app.user(countyA, ['FINANCE']);
  const townshipAdmin = await app.user(township, ['ORG_ADMIN']);
  const id = async (code: string) => (await regionFinance.client.ok(ID, { c: code })).adminUnit.id as string;
  return {
    region, countyA, countyB, township, v1, v2, community, vB, regionFinance, countyFinance, townshipAdmin,
    ids: { region: await id(region.code), countyA: await id(countyA.code), v1: await id(v1.code), v2: await id(v2.code), vB: await id(vB.code), township: await id(township.code) },
  };
}
type World = Awaited<ReturnType<typeof world>>;

const APPROPRIATE = `mutation($r: ID!, $f: Fund!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: $f, year: 2025, amount: $a, idempotencyKey: $k) { id } }`;
const ALLOCATE = `mutation($from: ID!, $to: ID!, $f: Fund!, $a: Money!, $k: String!) { allocateFunds(fromUnitId: $from, toUnitId: $to, fund: $f, year: 2025, amount: $a, idempotencyKey: $k) { id amount } }`;
const BY_STANDARD = `mutation($from: ID!, $f: Fund!, $k: String!) { allocateByStandard(fromUnitId: $from, fund: $f, year: 2025, idempotencyKey: $k) { id amount } }`;
const BATCH = `mutation($items: [DisbursementInput!]!) { disburseFundsBatch(items: $items) { id amount voucher occurredOn } }`;
const SUMMARY = `query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated disbursed spent balance } } }`;

/** Puts `yuan` of a fund into county A's budget. */
async function fundCounty(w: World, fund: string, yuan: string) {
  await w.regionFinance.client.ok(APPROPRIATE, { r: w.ids.region, f: fund, a: yuan, k: key('ap') });
  await w.regionFinance.client.ok(ALLOCATE, { from: w.ids.region, to: w.ids.countyA, f: fund, a: yuan, k: key('al') });
}


describe('funding flows', () => {
  test('allocateByStandard: every rural village gets the standard (office 50,000; activity 300 × members), all or nothing, idempotent', async ({ app }) => {
    const w = await world(app);
    // two rural villages need 2 × 50,000 of office funds; with 0.01 short, the second one fails and neither is allocated
    await fundCounty(w, 'OFFICE', '99999.99');
    const short = await w.countyFinance.client.fails('INSUFFICIENT_FUNDS', BY_STANDARD, { from: w.ids.countyA, f: 'OFFICE', k: key('std') });
    expect(short.extensions).toMatchObject({ available: '49999.99', requested: '50000.00' });
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.v1.code })).adminUnit.fundsSummary.allocated).toBe('0.00');

    await fundCounty(w, 'OFFICE', '0.01');
    const k = key('std');
    const done = await w.countyFinance.client.ok(BY_STANDARD, { from: w.ids.countyA, f: 'OFFICE', k });
    expect(done.allocateByStandard.map((t: any) => t.amount)).toEqual(['50000.00', '50000.00']); // the urban community gets none
    const again = await w.countyFinance.client.ok(BY_STANDARD, { from: w.ids.countyA, f: 'OFFICE', k });
    expect(again.allocateByStandard.map((t: any) => t.id)).toEqual(done.allocateByStandard.map((t: any) => t.id));

    await fundCounty(w, 'ACTIVITY', '20000.00');
    const activity = await w.countyFinance.client.ok(BY_STANDARD, { from: w.ids.countyA, f: 'ACTIVITY', k: key('act') });
    expect(activity.allocateByStandard.map((t: any) => t.amount).sort()).toEqual(['12000.00', '3000.00']);
    // a standard set on the region (from above it: the platform) overrides the default for every village below it
    await (await app.user(w.region, ['PLATFORM_ADMIN'])).client.ok(`mutation($r: ID!) { setFundingStandards(regionId: $r, effectiveOn: "2025-01-01", input: { officePerVillage: "60000.00" }) { officePerVillage } }`, { r: w.ids.region });
    await fundCounty(w, 'OFFICE', '120000.00');
    const raised = await w.countyFinance.client.ok(BY_STANDARD, { from: w.ids.countyA, f: 'OFFICE', k: key('std2') });
    expect(raised.allocateByStandard.map((t: any) => t.amount)).toEqual(['60000.00', '60000.00']);
    await w.countyFinance.client.fails('BAD_USER_INPUT', BY_STANDARD, { from: w.ids.v1, f: 'OFFICE', k: key('std3') });
    await w.countyFinance.client.fails('BAD_USER_INPUT', BY_STANDARD, { from: w.ids.countyA, f: 'AWARD', k: key('std4') });
  });

  test('disburseFundsBatch: in order, all or nothing, errors name the item; a retried batch is applied once', async ({ app }) => {
    const w = await world(app);
    await fundCounty(w, 'OFFICE', '1000.00');
    await w.countyFinance.client.ok(ALLOCATE, { from: w.ids.countyA, to: w.ids.v1, f: 'OFFICE', a: '600.00', k: key('al') });
    await w.countyFinance.client.ok(ALLOCATE, { from: w.ids.countyA, to: w.ids.v2, f: 'OFFICE', a: '400.00', k: key('al') });
    const item = (village: string, amount: string, extra: Record<string, unknown> = {}) =>
      ({ villageId: village, fund: 'OFFICE', year: 2025, amount, voucher: key('PZ'), on: '2025-04-01', idempotencyKey: key('b'), ...extra });

    // the third item overdraws v1 (600 available, 350 + 300 asked): nothing of the batch stays
    const over = await w.countyFinance.client.fails('INSUFFICIENT_FUNDS', BATCH, { items: [item(w.ids.v1, '350.00'), item(w.ids.v2, '400.00'), item(w.ids.v1, '300.00')] });
    expect(over.extensions).toMatchObject({ available: '250.00', requested: '300.00' });
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.township.code })).adminUnit.fundsSummary.disbursed).toBe('0.00');

    const bad = await w.countyFinance.client.fails('BAD_USER_INPUT', BATCH, { items: [item(w.ids.v1, '1.00'), item(w.ids.v2, '1.00', { voucher: ' ' })] });
    expect(bad.extensions).toMatchObject({ field: 'items[1].voucher' });
    await w.countyFinance.client.fails('BAD_USER_INPUT', BATCH, { items: [item(w.ids.v1, '1.00'), item(w.ids.township, '1.00')] });
    await w.countyFinance.client.fails('BAD_USER_INPUT', BATCH, { items: [] });
    // a village of another county looks missing, and spoils the whole batch
    await w.countyFinance.client.fails('NOT_FOUND', BATCH, { items: [item(w.ids.v1, '1.00'), item(w.ids.vB, '1.00')] });

    // vouchers are free text: quotes, placeholders and backslashes come back as sent
    const items = [item(w.ids.v1, '350.00', { voucher: `PZ-'?'\\1"${key('q')}` }), item(w.ids.v2, '400.00', { voucher: 'PZ ?? $1 \\x00' }), item(w.ids.v1, '250.00')];
    const paid = await w.countyFinance.client.ok(BATCH, { items });
    expect(paid.disburseFundsBatch.map((t: any) => t.amount)).toEqual(['350.00', '400.00', '250.00']);
    expect(paid.disburseFundsBatch[0]).toMatchObject({ voucher: items[0]!.voucher, occurredOn: '2025-04-01' });
    const stored = await app.asOwner((em) => em.execute<{ voucher: string }[]>(`select voucher from transfer where idempotency_key in (?, ?) order by id`, [items[0]!.idempotencyKey, items[1]!.idempotencyKey]));
    expect(stored.map((t) => t.voucher)).toEqual([items[0]!.voucher, items[1]!.voucher]);
    const retried = await w.countyFinance.client.ok(BATCH, { items });
    expect(retried.disburseFundsBatch.map((t: any) => t.id)).toEqual(paid.disburseFundsBatch.map((t: any) => t.id));
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.township.code })).adminUnit.fundsSummary).toMatchObject({ disbursed: '1000.00', balance: '1000.00' });
  });

  test('a request is all or nothing: when one of its mutations fails, the others are not saved either', async ({ app }) => {
    const w = await world(app);
    await fundCounty(w, 'OFFICE', '100.00');
    await w.countyFinance.client.ok(ALLOCATE, { from: w.ids.countyA, to: w.ids.v1, f: 'OFFICE', a: '100.00', k: key('al') });
    const TWO = `mutation($v: ID!, $k1: String!, $k2: String!) {
      first: disburseFunds(villageId: $v, fund: OFFICE, year: 2025, amount: "60.00", voucher: "PZ-1", on: "2025-04-01", idempotencyKey: $k1) { id }
      second: disburseFunds(villageId: $v, fund: OFFICE, year: 2025, amount: "60.00", voucher: "PZ-2", on: "2025-04-02", idempotencyKey: $k2) { id } }`;
    const r = await w.countyFinance.client.request(TWO, { v: w.ids.v1, k1: key('d'), k2: key('d') });
    expect(r.data).toBeNull();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['INSUFFICIENT_FUNDS']);
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.v1.code })).adminUnit.fundsSummary).toMatchObject({ disbursed: '0.00', balance: '100.00' });
    const ok = await w.countyFinance.client.ok(TWO.replaceAll('60.00', '50.00'), { v: w.ids.v1, k1: key('d'), k2: key('d') });
    expect(Object.keys(ok)).toEqual(['first', 'second']);
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.v1.code })).adminUnit.fundsSummary).toMatchObject({ disbursed: '100.00' });
  });

  test('village spending (村财乡管) by the township: only from paid cash, with category and receipt', async ({ app }) => {
    const w = await world(app);
    await fundCounty(w, 'OFFICE', '500.00');
    await w.countyFinance.client.ok(ALLOCATE, { from: w.ids.countyA, to: w.ids.v1, f: 'OFFICE', a: '500.00', k: key('al') });
    const SPEND = `mutation($v: ID!, $a: Money!, $c: String!, $r: String!, $k: String!) { recordVillageSpending(villageId: $v, fund: OFFICE, year: 2025, amount: $a, category: $c, receipt: $r, on: "2025-07-01", idempotencyKey: $k) { amount category receipt } }`;
    await w.townshipAdmin.client.fails('INSUFFICIENT_FUNDS', SPEND, { v: w.ids.v1, a: '1.00', c: '办公', r: 'SJ-1', k: key('s') });
    await w.countyFinance.client.ok(BATCH, { items: [{ villageId: w.ids.v1, fund: 'OFFICE', year: 2025, amount: '500.00', voucher: 'PZ', on: '2025-04-01', idempotencyKey: key('d') }] });
    const spent = await w.townshipAdmin.client.ok(SPEND, { v: w.ids.v1, a: '120.50', c: '活动场所维修', r: 'SJ-2', k: key('s') });
    expect(spent.recordVillageSpending).toEqual({ amount: '120.50', category: '活动场所维修', receipt: 'SJ-2' });
    const missing = await w.townshipAdmin.client.fails('BAD_USER_INPUT', SPEND, { v: w.ids.v1, a: '1.00', c: '办公', r: '', k: key('s') });
    expect(missing.extensions).toMatchObject({ field: 'receipt' });
    // the township's own admin records it; the county's village figures include it
    expect((await w.countyFinance.client.ok(SUMMARY, { c: w.v1.code })).adminUnit.fundsSummary).toMatchObject({ disbursed: '500.00', spent: '120.50', balance: '379.50' });
  });

  test('compliance: villages below the office and activity standards, and per county the disbursement rate and days to pay', async ({ app }) => {
    const w = await world(app);
    await fundCounty(w, 'OFFICE', '100000.00');
    await fundCounty(w, 'ACTIVITY', '12000.00');
    const allocateOn = `mutation($from: ID!, $to: ID!, $f: Fund!, $a: Money!, $k: String!, $on: LocalDate) { allocateFunds(fromUnitId: $from, toUnitId: $to, fund: $f, year: 2025, amount: $a, idempotencyKey: $k, on: $on) { id } }`;
    await w.countyFinance.client.ok(allocateOn, { from: w.ids.countyA, to: w.ids.v1, f: 'OFFICE', a: '50000.00', k: key('al'), on: '2025-03-01' });
    await w.countyFinance.client.ok(allocateOn, { from: w.ids.countyA, to: w.ids.v2, f: 'OFFICE', a: '30000.00', k: key('al'), on: '2025-03-01' });
    await w.countyFinance.client.ok(allocateOn, { from: w.ids.countyA, to: w.ids.v1, f: 'ACTIVITY', a: '12000.00', k: key('al'), on: '2025-03-01' });
    await w.countyFinance.client.ok(BATCH, { items: [
      { villageId: w.ids.v1, fund: 'OFFICE', year: 2025, amount: '50000.00', voucher: 'PZ-1', on: '2025-03-11', idempotencyKey: key('d') },
      { villageId: w.ids.v2, fund: 'OFFICE', year: 2025, amount: '10000.00', voucher: 'PZ-2', on: '2025-03-31', idempotencyKey: key('d') },
    ] });
    const c = await w.regionFinance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundingCompliance(year: 2025) {
      officeBelowStandard { code } activityBelowStandard { code } counties { county { code } allocated disbursed rate averageDaysToDisburse } } } }`, { c: w.region.code });
    const f = c.adminUnit.fundingCompliance;
    expect(f.officeBelowStandard.map((u: any) => u.code).sort()).toEqual([w.v2.code, w.vB.code].sort());
    expect(f.activityBelowStandard.map((u: any) => u.code).sort()).toEqual([w.v2.code, w.vB.code].sort());
    expect(f.counties).toEqual([{ county: { code: w.countyA.code }, allocated: '92000.00', disbursed: '60000.00', rate: 60000 / 92000, averageDaysToDisburse: 20 }]);
    // the county's own view: its villages only
    const own = await w.countyFinance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundingCompliance(year: 2025) {
      officeBelowStandard { code } officeBelowStandardCount counties { county { code } averageDaysToDisburse } } } }`, { c: w.countyA.code });
    expect(own.adminUnit.fundingCompliance).toEqual({ officeBelowStandard: [{ code: w.v2.code }], officeBelowStandardCount: 1, counties: [{ county: { code: w.countyA.code }, averageDaysToDisburse: 20 }] });

    // a reversed payment no longer counts, in the amounts or in the days
    const v2Paid = (await w.countyFinance.client.ok(`query($c: String!) { adminUnit(code: $c) { transfers(kind: DISBURSE) { edges { node { id } } } } }`, { c: w.v2.code })).adminUnit.transfers.edges[0].node.id;
    await w.countyFinance.client.ok(`mutation($t: ID!, $k: String!) { reverseTransfer(transferId: $t, reason: "凭证错误", idempotencyKey: $k) { id } }`, { t: v2Paid, k: key('rev') });
    const after = await w.regionFinance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundingCompliance(year: 2025) { counties { allocated disbursed averageDaysToDisburse } } } }`, { c: w.region.code });
    expect(after.adminUnit.fundingCompliance.counties).toEqual([{ allocated: '92000.00', disbursed: '50000.00', averageDaysToDisburse: 10 }]);
  });

  test('compliance above two regions holds each village to its own region\'s standard, and counts every village below it', async ({ app }) => {
    track(app);
    const top = await app.tree.region();
    const [strict, plain] = [await top.region(), await top.region()];
    const inStrict = await (await (await strict.county()).township()).village();
    const inPlain = await (await (await plain.county()).township()).village();
    const finance = await app.user(top, ['FINANCE']);
    const id = async (code: string) => (await finance.client.ok(ID, { c: code })).adminUnit.id as string;
    const [topId, strictId, inStrictId, inPlainId] = [await id(top.code), await id(strict.code), await id(inStrict.code), await id(inPlain.code)];
    await finance.client.ok(`mutation($r: ID!) { setFundingStandards(regionId: $r, effectiveOn: "2025-01-01", input: { officePerVillage: "60000.00" }) { officePerVillage } }`, { r: strictId });
    await finance.client.ok(APPROPRIATE, { r: topId, f: 'OFFICE', a: '110000.00', k: key('ap') });
    for (const v of [inStrictId, inPlainId]) await finance.client.ok(ALLOCATE, { from: topId, to: v, f: 'OFFICE', a: '55000.00', k: key('al') });
    const c = await finance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundingCompliance(year: 2025) {
      officeBelowStandard { code } officeBelowStandardCount activityBelowStandardCount } } }`, { c: top.code });
    // 55,000 is below the strict region's 60,000 and meets the default 50,000; neither village (30 Party members each) has activity funds
    expect(c.adminUnit.fundingCompliance).toEqual({ officeBelowStandard: [{ code: inStrict.code }], officeBelowStandardCount: 1, activityBelowStandardCount: 2 });
  });

  test('standards per region with effective dates: set, read back as in force on a date, refused below a region or out of range', async ({ app }) => {
    const w = await world(app);
    const STANDARDS = `query($c: String!, $on: LocalDate) { adminUnit(code: $c) { fundingStandards(on: $on) { officePerVillage activityPerMember partyBuildingPerVillage benefitProject award venueFarmingM2 venuePastoralM2 } } }`;
    const SET = `mutation($r: ID!, $on: LocalDate!, $i: FundingStandardsInput!) { setFundingStandards(regionId: $r, effectiveOn: $on, input: $i) { officePerVillage venuePastoralM2 } }`;
    const before2013 = await w.countyFinance.client.ok(STANDARDS, { c: w.v1.code, on: '2012-06-01' });
    expect(before2013.adminUnit.fundingStandards).toEqual({ officePerVillage: '37000.00', activityPerMember: '300.00', partyBuildingPerVillage: '50000.00',
      benefitProject: '50000.00', award: '100000.00', venueFarmingM2: 200, venuePastoralM2: 150 });
    expect((await w.countyFinance.client.ok(STANDARDS, { c: w.v1.code, on: '2025-06-01' })).adminUnit.fundingStandards.officePerVillage).toBe('50000.00');
    // a region's standards are set from above it (the platform, or a parent region)
    const platform = await app.user(w.region, ['PLATFORM_ADMIN']);
    const own = await w.regionFinance.client.fails('FORBIDDEN', SET, { r: w.ids.region, on: '2026-01-01', i: { officePerVillage: '1.00' } });
    expect(own.message).toMatch(/above/);
    const set = await platform.client.ok(SET, { r: w.ids.region, on: '2026-01-01', i: { officePerVillage: '55000.00', venuePastoralM2: 180 } });
    expect(set.setFundingStandards).toEqual({ officePerVillage: '55000.00', venuePastoralM2: 180 });
    expect((await w.countyFinance.client.ok(STANDARDS, { c: w.v1.code, on: '2025-12-31' })).adminUnit.fundingStandards.officePerVillage).toBe('50000.00');
    expect((await w.countyFinance.client.ok(STANDARDS, { c: w.v1.code, on: '2026-01-01' })).adminUnit.fundingStandards).toMatchObject({ officePerVillage: '55000.00', venuePastoralM2: 180, venueFarmingM2: 200 });
    expect((await w.countyFinance.client.fails('BAD_USER_INPUT', SET, { r: w.ids.countyA, on: '2026-01-01', i: { award: '1.00' } })).extensions).toMatchObject({ field: 'regionId' });
    expect((await platform.client.fails('BAD_USER_INPUT', SET, { r: w.ids.region, on: '2026-01-01', i: { venueFarmingM2: 0 } })).extensions).toMatchObject({ field: 'venueFarmingM2' });
    await platform.client.fails('BAD_USER_INPUT', SET, { r: w.ids.region, on: '2026-13-01', i: { award: '1.00' } });
    await platform.client.fails('BAD_USER_INPUT', SET, { r: w.ids.region, on: '2026-01-01', i: { award: '-1.00' } });
    // the county cannot change the region's standards
    await w.countyFinance.client.fails('NOT_FOUND', SET, { r: w.ids.region, on: '2026-01-01', i: { award: '1.00' } });
  });

  test('transfers of a subtree: newest first, by year and kind, paged; a county sees only its own', async ({ app }) => {
    const w = await world(app);
    await fundCounty(w, 'OFFICE', '1000.00');
    await w.countyFinance.client.ok(ALLOCATE, { from: w.ids.countyA, to: w.ids.v1, f: 'OFFICE', a: '300.00', k: key('al') });
    await w.countyFinance.client.ok(BATCH, { items: [1, 2, 3].map((n) => ({ villageId: w.ids.v1, fund: 'OFFICE', year: 2025, amount: `${n}.00`, voucher: `PZ-${n}`, on: '2025-04-01', idempotencyKey: key('d') })) });
    const LIST = `query($c: String!, $kind: TransferKind, $after: String) { adminUnit(code: $c) { transfers(year: 2025, kind: $kind, first: 2, after: $after) {
      edges { cursor node { kind amount voucher } } pageInfo { hasNextPage endCursor } } } }`;
    const p1 = (await w.countyFinance.client.ok(LIST, { c: w.v1.code, kind: 'DISBURSE' })).adminUnit.transfers;
    expect(p1.edges.map((e: any) => e.node.voucher)).toEqual(['PZ-3', 'PZ-2']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await w.countyFinance.client.ok(LIST, { c: w.v1.code, kind: 'DISBURSE', after: p1.pageInfo.endCursor })).adminUnit.transfers;
    expect(p2.edges.map((e: any) => e.node.voucher)).toEqual(['PZ-1']);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const county = (await w.countyFinance.client.ok(LIST.replace('first: 2', 'first: 50'), { c: w.countyA.code })).adminUnit.transfers;
    expect(county.edges.map((e: any) => e.node.kind)).toEqual(['DISBURSE', 'DISBURSE', 'DISBURSE', 'ALLOCATE', 'ALLOCATE']);
    const region = (await w.regionFinance.client.ok(LIST.replace('first: 2', 'first: 50'), { c: w.region.code, kind: 'APPROPRIATE' })).adminUnit.transfers;
    expect(region.edges.map((e: any) => e.node.amount)).toEqual(['1000.00']);
    expect((await w.countyFinance.client.ok(LIST, { c: w.region.code })).adminUnit).toBeNull();
    await w.countyFinance.client.fails('BAD_USER_INPUT', LIST, { c: w.v1.code, kind: 'PAYMENT' });
    await w.countyFinance.client.fails('BAD_USER_INPUT', LIST, { c: w.v1.code, after: 'bm90LWEtY3Vyc29y' });
  });
});
