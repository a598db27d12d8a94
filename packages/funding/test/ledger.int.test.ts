import fc from 'fast-check';
import { inScope } from '@jiceng/db';
import type { Principal } from '@jiceng/tenancy';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { allocate, appropriate, disburse, grantAward, reverseTransfer, spend } from '../src/funding.service.js';
import { checkLedgerAfterAll, key, UNIT_ID as ID } from './support.js';

const track = checkLedgerAfterAll();

async function world(app: TestApp) {
  track(app);
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const otherVillage = await (await (await region.county()).township()).village();
  const finance = await app.user(region, ['FINANCE']);
  const countyFinance = await app.user(county, ['FINANCE']);
  const principal = (u: typeof finance, path: string): Principal => ({
    userId: u.id, username: u.username, displayName: u.username, unitId: u.unit.id, unitPath: path, roles: u.roles, scopes: [path],
  });
  return { region, county, township, village, otherVillage, finance, countyFinance, regionP: principal(finance, region.path), countyP: principal(countyFinance, county.path) };
}

/** Funds a village's 2025 office budget with `yuan` through the region. */
async function fund(app: TestApp, w: Awaited<ReturnType<typeof world>>, fen: bigint) {
  await inScope(app.orm, [w.region.path], async (em) => {
    await appropriate(em, w.regionP, { regionId: w.region.id, fund: 'OFFICE', year: 2025, amount: fen, key: key('ap') });
    await allocate(em, w.regionP, { fromId: w.region.id, toId: w.village.id, fund: 'OFFICE', year: 2025, amount: fen, key: key('al') });
  });
}


describe('the ledger', () => {
  test('200 concurrent disbursements against one budget never overdraw: exactly floor(balance / amount) commit', async ({ app }) => {
    const w = await world(app);
    await fund(app, w, 100_000n); // 1,000.00 yuan
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        inScope(app.orm, [w.county.path], (em) =>
          disburse(em, w.countyP, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount: 700n, voucher: key('PZ'), on: '2025-05-01', key: key('d') }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(Math.floor(100_000 / 700));
    for (const r of results) if (r.status === 'rejected') expect((r.reason as any).extensions.code).toBe('INSUFFICIENT_FUNDS');
  });

  test('the same request sent 5 times at once is applied once; the same key with other content is CONFLICT', async ({ app }) => {
    const w = await world(app);
    await fund(app, w, 50_000n);
    const k = key('same');
    const send = (amount: bigint) =>
      inScope(app.orm, [w.county.path], (em) => disburse(em, w.countyP, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount, voucher: 'PZ-2', on: '2025-05-01', key: k }));
    const done = await Promise.all(Array.from({ length: 5 }, () => send(10_000n)));
    expect(new Set(done.map((t) => t.id)).size).toBe(1);
    const [cash] = await app.asOwner((em) => em.execute<{ balance: string }[]>(`select balance from account where unit_id = ? and kind = 'CASH'`, [w.village.id]));
    expect(cash!.balance).toBe('10000');
    await expect(send(20_000n)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
  });

  test('an overdraw states the available balance; a reversal restores it and references the original', async ({ app }) => {
    const w = await world(app);
    await fund(app, w, 30_000n);
    const over = inScope(app.orm, [w.county.path], (em) =>
      disburse(em, w.countyP, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount: 40_000n, voucher: 'PZ', on: '2025-05-01', key: key('o') }),
    );
    await expect(over).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_FUNDS', available: '300.00' } });
    const t = await inScope(app.orm, [w.county.path], (em) =>
      disburse(em, w.countyP, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount: 30_000n, voucher: 'PZ', on: '2025-05-01', key: key('o') }),
    );
    const rev = await inScope(app.orm, [w.region.path], (em) => reverseTransfer(em, w.regionP, { transferId: t.id, reason: '凭证错误', key: key('r') }));
    expect(String(rev.reverses)).toBe(t.id);
    await expect(inScope(app.orm, [w.region.path], (em) => reverseTransfer(em, w.regionP, { transferId: t.id, reason: 'again', key: key('r') }))).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    // entries are append-only, in the database
    await expect(inScope(app.orm, [w.region.path], (em) => em.execute(`update entry set amount = 1`))).rejects.toThrow();
    await expect(inScope(app.orm, [w.region.path], (em) => em.execute(`delete from transfer`))).rejects.toThrow();
  });

  test('awards: only transformed villages, once, never beyond the pool', async ({ app }) => {
    const w = await world(app);
    await inScope(app.orm, [w.region.path], (em) => appropriate(em, w.regionP, { regionId: w.region.id, fund: 'AWARD', year: 2025, amount: 15_000_000n, key: key('pool') }));
    const award = (villageId: string) => inScope(app.orm, [w.region.path], (em) => grantAward(em, w.regionP, { villageId, year: 2025, key: key('aw') }));
    await expect(award(w.village.id)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await app.asOwner((em) => em.execute(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED'), (?, 2025, 'CLOSED')`, [w.village.id, w.otherVillage.id]));
    await award(w.village.id);
    await expect(award(w.village.id)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    // 150,000 in the pool: the second village's 100,000 would exceed it
    await expect(award(w.otherVillage.id)).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_FUNDS' } });
  });

  test('a FINANCE user cannot move money outside their county; RLS alone hides foreign ledgers', async ({ app }) => {
    const w = await world(app);
    await expect(
      inScope(app.orm, [w.county.path], (em) => disburse(em, w.countyP, { villageId: w.otherVillage.id, fund: 'OFFICE', year: 2025, amount: 1n, voucher: 'x', on: '2025-01-01', key: key('x') })),
    ).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await fund(app, w, 1_000n);
    for (const table of ['account', 'transfer', 'entry', 'fund_rollup', 'fund_rollup_delta']) {
      const rows = await inScope(app.orm, [w.otherVillage.path], (em) => em.execute(`select * from ${table}`));
      expect(rows, table).toEqual([]);
    }
    const inside = await inScope(app.orm, [w.village.path], (em) => em.execute(`select * from account`));
    expect(inside.length).toBeGreaterThan(0);
    // the county's rollup is the county's: visible from the county, not from a village in it or the other county
    const rollup = (path: string) => inScope(app.orm, [path], (em) => em.execute(`select * from fund_rollup_delta`));
    expect((await rollup(w.county.path)).length).toBeGreaterThan(0);
    expect(await rollup(w.village.path)).toEqual([]);
    // and the API role cannot write the ledger or its rollup except through the posting function
    for (const sql of [`insert into entry (transfer_id, account_id, amount, unit_id, unit_path) select transfer_id, account_id, 1, unit_id, unit_path from entry limit 1`,
                       `insert into fund_rollup_delta (unit_path, fund, year, kind, amount) values ('${w.county.path}', 'OFFICE', 2025, 'CASH', 1)`]) {
      await expect(inScope(app.orm, [w.region.path], (em) => em.execute(sql))).rejects.toThrow(/permission denied/);
    }
  });

  test('money over HTTP: exact above 2^31 fen; floats, exponents, 3 decimals and negatives are BAD_USER_INPUT', async ({ app }) => {
    const w = await world(app);
    const ids = await w.finance.client.ok(`query($r: String!) { adminUnit(code: $r) { id } }`, { r: w.region.code });
    const M = `mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k) { amount } }`;
    const big = await w.finance.client.ok(M, { r: ids.adminUnit.id, a: '98765432109.87', k: key('big') });
    expect(big.appropriateFunds.amount).toBe('98765432109.87');
    for (const bad of ['1e5', '1.234', '-5.00', 12.5, '12.', 'abc']) {
      await w.finance.client.fails('BAD_USER_INPUT', M, { r: ids.adminUnit.id, a: bad, k: key('bad') });
    }
    const summary = await w.finance.client.ok(`query($r: String!) { adminUnit(code: $r) { fundsSummary(year: 2025) { allocated balance } } }`, { r: w.region.code });
    expect(summary.adminUnit.fundsSummary).toEqual({ allocated: '98765432109.87', balance: '98765432109.87' });
    const county = await w.countyFinance.client.ok(ID, { c: w.region.code });
    expect(county.adminUnit).toBeNull();
  });

  test('model: allocate / award / disburse / spend / reverse agree with an in-memory ledger', async ({ app }) => {
    const w = await world(app);
    const seed = Number(process.env.FC_SEED ?? Date.now() % 100000);
    console.log(`funding model seed ${seed}`);
    await inScope(app.orm, [w.region.path], async (em) => {
      await appropriate(em, w.regionP, { regionId: w.region.id, fund: 'PARTY_BUILDING', year: 2025, amount: 10_000_000n, key: key('m') });
      await appropriate(em, w.regionP, { regionId: w.region.id, fund: 'AWARD', year: 2025, amount: 25_000_000n, key: key('m') });
    });
    await app.asOwner((em) => em.execute(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED')`, [w.village.id]));
    const AWARD = 10_000_000n;
    const model = { regionBudget: 10_000_000n, villageBudget: 0n, cash: 0n, spent: 0n, pool: 25_000_000n, awardCash: 0n, awarded: false };
    const posted: { id: string; kind: string; amount: bigint }[] = [];
    const op = fc.record({ kind: fc.constantFrom('allocate', 'award', 'disburse', 'spend', 'reverse'), amount: fc.bigInt({ min: 1n, max: 3_000_000n }) });
    // where each kind moves money from and to, in the model
    const from = { allocate: 'regionBudget', disburse: 'villageBudget', spend: 'cash', award: 'pool' } as const;
    const to = { allocate: 'villageBudget', disburse: 'cash', spend: 'spent', award: 'awardCash' } as const;
    type Kind = keyof typeof from;
    const run = (kind: Kind | 'reverse', amount: bigint, last?: { id: string }) => {
      if (kind === 'allocate') return inScope(app.orm, [w.region.path], (em) => allocate(em, w.regionP, { fromId: w.region.id, toId: w.village.id, fund: 'PARTY_BUILDING', year: 2025, amount, key: key('m') }));
      if (kind === 'award') return inScope(app.orm, [w.region.path], (em) => grantAward(em, w.regionP, { villageId: w.village.id, year: 2025, key: key('m') }));
      if (kind === 'disburse') return inScope(app.orm, [w.county.path], (em) => disburse(em, w.countyP, { villageId: w.village.id, fund: 'PARTY_BUILDING', year: 2025, amount, voucher: key('v'), on: '2025-06-01', key: key('m') }));
      if (kind === 'spend') return inScope(app.orm, [w.county.path], (em) => spend(em, w.countyP, { villageId: w.village.id, fund: 'PARTY_BUILDING', year: 2025, amount, category: '办公', receipt: 'r', on: '2025-06-02', key: key('m') }));
      return inScope(app.orm, [w.region.path], (em) => reverseTransfer(em, w.regionP, { transferId: last!.id, reason: 'model', key: key('m') }));
    };
    const code = (r: any) => r?.extensions?.code;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        for (const o of ops) {
          if (o.kind === 'reverse') {
            const last = posted.at(-1);
            if (!last) continue;
            const r = await run('reverse', 0n, last).catch((e) => e);
            const k = last.kind as Kind;
            if (model[to[k]] >= last.amount) {
              expect(code(r), JSON.stringify(r?.extensions)).toBeUndefined();
              model[to[k]] -= last.amount;
              model[from[k]] += last.amount;
              if (k === 'award') model.awarded = false;
              posted.pop();
            } else expect(code(r)).toBe('INSUFFICIENT_FUNDS');
            continue;
          }
          const amount = o.kind === 'award' ? AWARD : o.amount;
          const r = await run(o.kind, amount).catch((e) => e);
          if (o.kind === 'award' && model.awarded) {
            expect(code(r)).toBe('CONFLICT');
          } else if (model[from[o.kind]] >= amount) {
            expect(code(r), JSON.stringify(r?.extensions)).toBeUndefined();
            model[from[o.kind]] -= amount;
            model[to[o.kind]] += amount;
            if (o.kind === 'award') model.awarded = true;
            posted.push({ id: r.id, kind: o.kind, amount });
          } else expect(code(r)).toBe('INSUFFICIENT_FUNDS');
        }
        const balances = await app.asOwner((em) =>
          em.execute<{ unit_id: string; fund: string; kind: string; balance: string }[]>(`select unit_id, fund, kind, balance from account where unit_id in (?, ?)`, [w.region.id, w.village.id]),
        );
        const get = (unit: string, fund: string, kind: string) => BigInt(balances.find((b) => String(b.unit_id) === unit && b.fund === fund && b.kind === kind)?.balance ?? 0);
        expect({
          rb: get(w.region.id, 'PARTY_BUILDING', 'BUDGET'), vb: get(w.village.id, 'PARTY_BUILDING', 'BUDGET'), c: get(w.village.id, 'PARTY_BUILDING', 'CASH'),
          s: get(w.village.id, 'PARTY_BUILDING', 'SPENT'), pool: get(w.region.id, 'AWARD', 'POOL'), ac: get(w.village.id, 'AWARD', 'CASH'),
        }).toEqual({ rb: model.regionBudget, vb: model.villageBudget, c: model.cash, s: model.spent, pool: model.pool, ac: model.awardCash });
      }),
      { seed, numRuns: 15 },
    );
  });
});
