import { test, expect, describe } from '@jiceng/testkit';
import { checkLedgerAfterAll, key, UNIT_ID as ID } from './support.js';

const track = checkLedgerAfterAll();
const APPROPRIATE = `mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k) { id amount } }`;

// Idempotency keys belong to the account that sends them and live 30 days.
describe('idempotency keys', () => {
  test('a key used in one region does not touch another tenant: no CONFLICT, nothing revealed', async ({ app }) => {
    track(app);
    const hohhot = await app.tree.region('呼和浩特市');
    const chifeng = await app.tree.region('赤峰市');
    const ningcheng = await chifeng.county('宁城县');
    const village = await (await ningcheng.township()).village();
    const a = await app.user(hohhot, ['FINANCE']);
    const chifengFinance = await app.user(chifeng, ['FINANCE']);
    const b = await app.user(ningcheng, ['FINANCE']);
    const k = key('shared');
    const first = (await a.client.ok(APPROPRIATE, { r: (await a.client.ok(ID, { c: hohhot.code })).adminUnit.id, a: '100.00', k })).appropriateFunds;
    // 宁城县 is funded, then disburses with the same key: a new transfer of its own
    const r = (await chifengFinance.client.ok(ID, { c: chifeng.code })).adminUnit.id;
    const c = (await b.client.ok(ID, { c: ningcheng.code })).adminUnit.id;
    const v = (await b.client.ok(ID, { c: village.code })).adminUnit.id;
    const ALLOCATE = `mutation($from: ID!, $to: ID!, $k: String!) { allocateFunds(fromUnitId: $from, toUnitId: $to, fund: OFFICE, year: 2025, amount: "200.00", idempotencyKey: $k) { id } }`;
    await chifengFinance.client.ok(APPROPRIATE, { r, a: '200.00', k: key('ap') });
    await chifengFinance.client.ok(ALLOCATE, { from: r, to: c, k: key('al') });
    await b.client.ok(ALLOCATE, { from: c, to: v, k: key('al') });
    const DISBURSE = `mutation($v: ID!, $k: String!) { disburseFunds(villageId: $v, fund: OFFICE, year: 2025, amount: "60.00", voucher: "PZ-1", on: "2025-04-01", idempotencyKey: $k) { id amount } }`;
    const paid = (await b.client.ok(DISBURSE, { v, k })).disburseFunds;
    expect(paid.amount).toBe('60.00');
    expect(paid.id).not.toBe(first.id);
    // and a retry there replays its own transfer, not the other tenant's
    expect((await b.client.ok(DISBURSE, { v, k })).disburseFunds).toEqual(paid);
  });

  test('same account: the same key and body replays, another body is CONFLICT; another account of the same unit is a new request', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    const colleague = await app.user(region, ['FINANCE']);
    const r = (await finance.client.ok(ID, { c: region.code })).adminUnit.id;
    const k = key('same');
    const first = (await finance.client.ok(APPROPRIATE, { r, a: '10.00', k })).appropriateFunds;
    expect((await finance.client.ok(APPROPRIATE, { r, a: '10.00', k })).appropriateFunds).toEqual(first);
    const err = await finance.client.fails('CONFLICT', APPROPRIATE, { r, a: '11.00', k });
    expect(err.extensions?.field).toBe('idempotencyKey');
    const other = (await colleague.client.ok(APPROPRIATE, { r, a: '11.00', k })).appropriateFunds;
    expect(other.id).not.toBe(first.id);
    const [n] = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from transfer where idempotency_key = ?`, [k]));
    expect(n!.n).toBe(2);
  });

  test('keys live 30 days: an older claim is a new request, and pruning drops it', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    const r = (await finance.client.ok(ID, { c: region.code })).adminUnit.id;
    const k = key('old');
    const first = (await finance.client.ok(APPROPRIATE, { r, a: '10.00', k })).appropriateFunds;
    await app.asOwner((em) => em.execute(`update idempotency_claim set claimed_at = now() - interval '30 days 1 minute' where user_id = ? and key = ?`, [finance.id, k]));
    const again = (await finance.client.ok(APPROPRIATE, { r, a: '10.00', k })).appropriateFunds;
    expect(again.id).not.toBe(first.id);
    // the new claim lives: a retry replays it
    expect((await finance.client.ok(APPROPRIATE, { r, a: '10.00', k })).appropriateFunds).toEqual(again);
    const k2 = key('prune');
    await finance.client.ok(APPROPRIATE, { r, a: '1.00', k: k2 });
    await app.asOwner((em) => em.execute(`update idempotency_claim set claimed_at = now() - interval '31 days' where user_id = ? and key = ?`, [finance.id, k2]));
    const { pruneIdempotencyClaims } = await import('../src/ledger.service.js');
    expect(await app.asOwner(pruneIdempotencyClaims)).toBeGreaterThanOrEqual(1);
    const left = await app.asOwner((em) => em.execute(`select key from idempotency_claim where user_id = ? order by key`, [finance.id]));
    expect(left).toEqual([{ key: k }]);
  });

  test('concurrent requests of one account with one key on different accounts: exactly one posts, the rest CONFLICT', async ({ app }) => {
    track(app);
    const regions = await Promise.all([1, 2, 3, 4].map(() => app.tree.region()));
    const admin = await app.user(regions[0]!, ['PLATFORM_ADMIN']);
    const ids = await Promise.all(regions.map(async (g) => (await admin.client.ok(ID, { c: g.code })).adminUnit.id));
    const k = key('race');
    const results = await Promise.all(ids.map((r) => admin.client.request(APPROPRIATE, { r, a: '5.00', k })));
    expect(results.filter((x) => !x.errors).length).toBe(1);
    expect(results.filter((x) => x.errors?.[0]?.extensions?.code === 'CONFLICT').length).toBe(3);
    const [n] = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from transfer where idempotency_key = ?`, [k]));
    expect(n!.n).toBe(1);
  });
});
