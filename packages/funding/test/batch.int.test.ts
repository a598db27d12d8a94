import { inScope } from '@jiceng/db';
import type { Principal } from '@jiceng/tenancy';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { allocate, appropriate, disburseMany, type DisbursementInput } from '../src/funding.service.js';
import { fundRollupProblems } from '../src/invariants.js';
import { checkLedgerAfterAll, key } from './support.js';

// disburseFundsBatch posts a plain list set-based (0470: one statement per step for all items); a list the
// set-based path refuses is posted item by item, which names the first item refused. Either way the batch
// is all or nothing.

const track = checkLedgerAfterAll();

async function world(app: TestApp, villages = 4) {
  track(app);
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const vs: Awaited<ReturnType<typeof township.village>>[] = [];
  for (let k = 0; k < villages; k++) vs.push(await township.village());
  const finance = await app.user(region, ['FINANCE']);
  const countyFinance = await app.user(county, ['FINANCE']);
  const principal = (u: typeof finance, path: string): Principal => ({
    userId: u.id, username: u.username, displayName: u.username, unitId: u.unit.id, unitPath: path, roles: u.roles, scopes: [path],
  });
  const regionP = principal(finance, region.path);
  const countyP = principal(countyFinance, county.path);
  /** gives each village `fen` of 2025 office budget */
  const fund = (fen: bigint) => inScope(app.orm, [region.path], async (em) => {
    await appropriate(em, regionP, { regionId: region.id, fund: 'OFFICE', year: 2025, amount: fen * BigInt(vs.length), key: key('ap') });
    for (const v of vs) await allocate(em, regionP, { fromId: region.id, toId: v.id, fund: 'OFFICE', year: 2025, amount: fen, key: key('al') });
  });
  const pay = (items: DisbursementInput[]) => inScope(app.orm, [county.path], (em) => disburseMany(em, countyP, items));
  const item = (k: number, amount: bigint, extra: Partial<DisbursementInput> = {}): DisbursementInput =>
    ({ villageId: vs[k]!.id, fund: 'OFFICE', year: 2025, amount, voucher: key('PZ'), on: '2025-04-01', key: key('b'), ...extra });
  const written = () => app.asOwner(async (em) => {
    const [r] = await em.execute<{ transfers: string; cash: string | null; vouchers: string; claims: string }[]>(
      `select (select count(*) from transfer t where t.kind = 'DISBURSE' and t.unit_path <@ ?::ltree)::text as transfers,
              (select sum(balance) from account a where a.kind = 'CASH' and a.unit_path <@ ?::ltree)::text as cash,
              (select count(*) from voucher_use u where u.unit_path <@ ?::ltree)::text as vouchers,
              (select count(*) from idempotency_claim c where c.user_id = ?)::text as claims`, [county.path, county.path, county.path, countyFinance.id]);
    return r!;
  });
  return { app, vs, fund, pay, item, written };
}

describe('disbursements in a batch (set-based)', () => {
  test('a plain batch pays every item, registers every voucher and moves both rollups and the villages\' first dates as item-by-item posting would', async ({ app }) => {
    const w = await world(app);
    await w.fund(100_000n);
    // two items on the same village (its budget is debited twice, its first payment is the earlier date)
    const items = [w.item(0, 30_000n, { on: '2025-05-02' }), w.item(1, 10_000n), w.item(2, 20_000n), w.item(0, 70_000n, { on: '2025-04-20' })];
    const paid = await w.pay(items);
    expect(paid.map((t) => t.amount)).toEqual([30_000n, 10_000n, 20_000n, 70_000n]);
    expect(paid.map((t) => t.voucher)).toEqual(items.map((i) => i.voucher));
    // transfer ids in item order, each with its own accounts
    expect(paid.map((t) => Number(t.id))).toEqual([...paid.map((t) => Number(t.id))].sort((a, b) => a - b));
    expect(await w.written()).toMatchObject({ transfers: '4', cash: '130000', vouchers: '4', claims: '4' });
    const days = await app.asOwner((em) => em.execute<{ unit_id: string; first_disburse: string }[]>(
      `select unit_id::text, to_char(first_disburse, 'YYYY-MM-DD') as first_disburse from fund_village where unit_id in (?, ?) order by unit_id`, [w.vs[0]!.id, w.vs[3]!.id]));
    expect(days).toEqual([{ unit_id: w.vs[0]!.id, first_disburse: '2025-04-20' }, { unit_id: w.vs[3]!.id, first_disburse: null }]);
    expect(await app.asOwner(fundRollupProblems)).toEqual([]);
    // the same batch again is applied once: the originals come back
    const again = await w.pay(items);
    expect(again.map((t) => t.id)).toEqual(paid.map((t) => t.id));
    expect(await w.written()).toMatchObject({ transfers: '4', cash: '130000' });
  });

  test('a bad item refuses the whole batch and is named by its index and field; nothing of the batch is written', async ({ app }) => {
    const w = await world(app);
    await w.fund(10_000n);
    const before = await w.written();
    const refused = async (code: string, items: DisbursementInput[]) => {
      const e = await w.pay(items).then(() => null, (err) => err);
      expect(e?.extensions?.code, String(e)).toBe(code);
      expect(await w.written()).toEqual(before);
      return e.extensions as Record<string, unknown>;
    };
    // the third item overdraws village 0 (10,000 available, 6,000 + 5,000 asked)
    expect(await refused('INSUFFICIENT_FUNDS', [w.item(0, 6_000n), w.item(1, 1_000n), w.item(0, 5_000n), w.item(2, 1_000n)]))
      .toMatchObject({ field: 'items[2].amount', available: '40.00', requested: '50.00' });
    // the same voucher twice in the batch: the second is named
    expect(await refused('CONFLICT', [w.item(0, 100n), w.item(1, 100n, { voucher: 'PZ-SAME' }), w.item(2, 100n, { voucher: 'PZ-SAME' })]))
      .toMatchObject({ field: 'items[2].voucher' });
    // a voucher paid before in the county and year
    await w.pay([w.item(3, 100n, { voucher: 'PZ-USED' }), w.item(3, 100n)]);
    const paidBefore = await w.written();
    Object.assign(before, paidBefore);
    expect(await refused('CONFLICT', [w.item(0, 100n), w.item(1, 100n), w.item(2, 100n), w.item(0, 100n, { voucher: 'PZ-USED' })]))
      .toMatchObject({ field: 'items[3].voucher' });
    // a key used before for other content
    const used = w.item(1, 100n);
    await w.pay([used, w.item(2, 100n)]);
    Object.assign(before, await w.written());
    expect(await refused('CONFLICT', [w.item(0, 100n), { ...w.item(2, 200n), key: used.key }]))
      .toMatchObject({ field: 'items[1].idempotencyKey' });
    // the same key twice in one batch with different content
    const k = key('twice');
    expect(await refused('CONFLICT', [w.item(0, 100n, { key: k }), w.item(1, 100n, { key: k })]))
      .toMatchObject({ field: 'items[1].idempotencyKey' });
    // a zero amount, a village out of scope: refused before anything is posted
    expect(await refused('BAD_USER_INPUT', [w.item(0, 100n), w.item(1, 0n)])).toMatchObject({ field: 'items[1].amount' });
    const elsewhere = await (await (await (await app.tree.region()).county()).township()).village();
    await refused('NOT_FOUND', [w.item(0, 100n), { ...w.item(1, 100n), villageId: elsewhere.id }]);
    expect(await app.asOwner(fundRollupProblems)).toEqual([]);
  });

  test('a payment reads its villages in the posting\'s statement: a request sends its scope and one statement, alone or in a batch; a missing or non-village unit posts nothing', async ({ app }) => {
    const w = await world(app, 3);
    await w.fund(10_000n);
    const statements = async (fn: () => Promise<unknown>) => {
      const before = app.sqlCount;
      await fn().catch(() => undefined);
      return app.sqlCount - before;
    };
    const bare = await statements(() => inScope(app.orm, [w.vs[0]!.path], (em) => em.execute('select 1')));
    expect(await statements(() => w.pay([w.item(0, 100n)]))).toBe(bare);
    expect(await statements(() => w.pay([w.item(0, 100n), w.item(1, 100n), w.item(2, 100n)]))).toBe(bare);
    const paid = await w.written();
    // a township among the villages, a village of another county: the statement posts nothing
    const township = w.vs[0]!.path.split('.').slice(0, -1).join('.');
    const [t] = await app.asOwner((em) => em.execute<{ id: string }[]>(`select id::text as id from admin_unit where path = ?::ltree`, [township]));
    await expect(w.pay([w.item(0, 100n), { ...w.item(1, 100n), villageId: t!.id }])).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'items[1].villageId' } });
    const elsewhere = await (await (await (await app.tree.region()).county()).township()).village();
    await expect(w.pay([{ ...w.item(0, 100n), villageId: elsewhere.id }])).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(w.pay([w.item(0, 100n, { villageId: 'x1' })])).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'items[0].villageId' } });
    expect(await w.written()).toEqual(paid);
  });

  test('two batches on the same accounts at once: they queue on the account locks; both fit, or the second is refused whole', async ({ app }) => {
    const w = await world(app, 6);
    await w.fund(10_000n);
    // both fit: 6 × (3,000 + 4,000) of 10,000 each
    const [a, b] = await Promise.all([
      w.pay(w.vs.map((_, k) => w.item(k, 3_000n))),
      w.pay([...w.vs.keys()].reverse().map((k) => w.item(k, 4_000n))),
    ]);
    expect(a.length + b.length).toBe(12);
    expect(await w.written()).toMatchObject({ transfers: '12', cash: String(6 * 7_000) });
    // 3,000 left in each: of two batches asking 2,000 from every village, exactly one is paid, whole
    const results = await Promise.allSettled([
      w.pay(w.vs.map((_, k) => w.item(k, 2_000n))),
      w.pay([...w.vs.keys()].reverse().map((k) => w.item(k, 2_000n))),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.extensions).toMatchObject({ code: 'INSUFFICIENT_FUNDS', available: '10.00', requested: '20.00' });
    expect(await w.written()).toMatchObject({ transfers: '18', cash: String(6 * 9_000) });
    expect(await app.asOwner(fundRollupProblems)).toEqual([]);
  });
});
