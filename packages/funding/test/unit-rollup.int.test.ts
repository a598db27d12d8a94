import { inScope } from '@jiceng/db';
import { test, expect, describe, type Node, type TestApp } from '@jiceng/testkit';
import { allocate, appropriate, compactFundRollup, disburse, grantAward, reverseTransfer, spend } from '../src/funding.service.js';
import { fundRollupProblems } from '../src/invariants.js';
import { checkLedgerAfterAll, key, principalOf, UNIT_ID } from './support.js';

// The per-unit rollup (0440): every unit's figures per year, kept on every posting in its transaction,
// folded by the compaction task, carried by unit moves, and checked against the ledger.

const checkLedger = checkLedgerAfterAll();

async function world(app: TestApp) {
  const region = await app.tree.region();
  const countyA = await region.county();
  const countyB = await region.county();
  const township = await countyA.township();
  const village = await township.village();
  const village2 = await township.village();
  const townshipB = await countyB.township();
  const finance = await app.user(region, ['FINANCE', 'ORG_ADMIN']);
  checkLedger(app);
  return { region, countyA, countyB, township, village, village2, townshipB, finance, p: principalOf(finance) };
}

type Row = { fund: string; kind: string; amount: string; village_amount: string; villages: number };
/** A unit's rollup rows of a year (compacted plus pending), by `fund kind`. */
async function rolled(app: TestApp, unitId: string, year: number): Promise<Record<string, Omit<Row, 'fund' | 'kind'>>> {
  const rows = await app.asOwner((em) => em.execute<Row[]>(
    `select fund, kind, sum(amount)::text as amount, sum(village_amount)::text as village_amount, sum(villages)::int as villages
       from (select fund, kind, amount, village_amount, villages from fund_unit_rollup where unit_id = ? and year = ?
             union all select d.fund, d.kind, d.amount, d.village_amount, d.villages from fund_unit_delta d join admin_unit u on u.path = d.unit_path
              where u.id = ? and d.year = ?) r
      group by fund, kind having sum(amount) <> 0 or sum(village_amount) <> 0 or sum(villages) <> 0`, [unitId, year, unitId, year]));
  return Object.fromEntries(rows.map((r) => [`${r.fund} ${r.kind}`, { amount: r.amount, village_amount: r.village_amount, villages: r.villages }]));
}

const noProblems = async (app: TestApp) => expect(await app.asOwner(fundRollupProblems)).toEqual([]);

describe('per-unit funds rollup', () => {
  test('every write path moves the village row and each ancestor row, in the posting transaction; compaction changes no figure', async ({ app }) => {
    const w = await world(app);
    const as = <T>(fn: (em: any) => Promise<T>) => inScope(app.orm, [w.region.path], fn);
    const country = (await app.asOwner((em) => em.execute<{ id: string }[]>(`select id::text as id from admin_unit where level = 'COUNTRY'`)))[0]!.id;
    const before = await rolled(app, country, 2026);

    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year: 2026, amount: 1_000_000n, key: key('ap') }));
    expect(await rolled(app, w.region.id, 2026)).toEqual({
      'OFFICE SOURCE': { amount: '-1000000', village_amount: '0', villages: 0 },
      'OFFICE BUDGET': { amount: '1000000', village_amount: '0', villages: 0 },
    });
    await noProblems(app);

    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: w.village.id, fund: 'OFFICE', year: 2026, amount: 300_000n, key: key('al'), on: '2026-02-01' }));
    // the region's own BUDGET went to the village's: the village, township and county rows gain it, the region nets it
    expect(await rolled(app, w.village.id, 2026)).toEqual({ 'OFFICE BUDGET': { amount: '300000', village_amount: '300000', villages: 0 } });
    expect(await rolled(app, w.township.id, 2026)).toEqual({ 'OFFICE BUDGET': { amount: '300000', village_amount: '300000', villages: 0 } });
    expect(await rolled(app, w.countyA.id, 2026)).toEqual({ 'OFFICE BUDGET': { amount: '300000', village_amount: '300000', villages: 0 } });
    expect(await rolled(app, w.countyB.id, 2026)).toEqual({});
    expect(await rolled(app, w.region.id, 2026)).toEqual({
      'OFFICE SOURCE': { amount: '-1000000', village_amount: '0', villages: 0 },
      'OFFICE BUDGET': { amount: '1000000', village_amount: '300000', villages: 0 },
    });
    await noProblems(app);

    const paid = await as((em) => disburse(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2026, amount: 100_000n, voucher: 'PZ-1', on: '2026-02-11', key: key('d') }));
    // first allocation 02-01, first payment 02-11: 10 days, one village
    expect((await rolled(app, w.countyA.id, 2026))['ALL DAYS']).toEqual({ amount: '10', village_amount: '0', villages: 1 });
    // the payment reversed: no first payment any more, so no days
    await as((em) => reverseTransfer(em, w.p, { transferId: paid.id, reason: '凭证错误', key: key('rv'), on: '2026-02-12' }));
    expect((await rolled(app, w.village.id, 2026))['ALL DAYS']).toBeUndefined();
    expect((await rolled(app, w.region.id, 2026))['ALL DAYS']).toBeUndefined();
    await noProblems(app);
    await as((em) => disburse(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2026, amount: 100_000n, voucher: 'PZ-2', on: '2026-02-21', key: key('d') }));
    await as((em) => spend(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2026, amount: 40_000n, category: '办公', receipt: 'SJ-1', on: '2026-03-01', key: key('s') }));
    const township = await rolled(app, w.township.id, 2026);
    expect(township).toEqual({
      'OFFICE BUDGET': { amount: '200000', village_amount: '200000', villages: 0 },
      'OFFICE CASH': { amount: '60000', village_amount: '60000', villages: 0 },
      'OFFICE SPENT': { amount: '40000', village_amount: '40000', villages: 0 },
      'ALL DAYS': { amount: '20', village_amount: '0', villages: 1 },
    });
    expect(await rolled(app, w.countyA.id, 2026)).toEqual(township);
    await noProblems(app);

    // an award (its own fund and pool; no days)
    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'AWARD', year: 2026, amount: 10_000_000n, key: key('pool') }));
    await app.asOwner((em) => em.execute(`insert into rectification_case (unit_id, year, state) values (?, 2026, 'TRANSFORMED')`, [w.village2.id]));
    await as((em) => grantAward(em, w.p, { villageId: w.village2.id, year: 2026, key: key('aw') }));
    expect(await rolled(app, w.village2.id, 2026)).toEqual({ 'AWARD CASH': { amount: '10000000', village_amount: '10000000', villages: 0 } });
    await noProblems(app);

    const folded = await inScope(app.orm, ['cn'], compactFundRollup);
    expect(folded).toBeGreaterThan(0);
    expect(await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from fund_unit_delta where unit_path <@ ?::ltree`, [w.region.path]))).toEqual([{ n: 0 }]);
    expect(await rolled(app, w.countyA.id, 2026)).toEqual(await rolled(app, w.township.id, 2026));
    await noProblems(app);
    // the country row moved by what the region did
    const now = await rolled(app, country, 2026);
    expect(BigInt(now['OFFICE SOURCE']!.amount) - BigInt(before['OFFICE SOURCE']?.amount ?? 0)).toBe(-1_000_000n);
  });

  test('the check names the unit, year and figure of a corrupted row, and the API role cannot write the rollup', async ({ app }) => {
    const w = await world(app);
    await inScope(app.orm, [w.region.path], async (em) => {
      await appropriate(em, w.p, { regionId: w.region.id, fund: 'ACTIVITY', year: 2026, amount: 500_000n, key: key('ap') });
      await allocate(em, w.p, { fromId: w.region.id, toId: w.village.id, fund: 'ACTIVITY', year: 2026, amount: 200_000n, key: key('al') });
    });
    await inScope(app.orm, ['cn'], compactFundRollup);
    await noProblems(app);
    await app.asOwner((em) => em.execute(`update fund_unit_rollup set village_amount = village_amount + 7 where unit_id = ? and year = 2026 and fund = 'ACTIVITY' and kind = 'BUDGET'`, [w.township.id]));
    expect(await app.asOwner(fundRollupProblems)).toEqual([
      { unitId: w.township.id, path: w.township.path, year: 2026, figure: 'ACTIVITY BUDGET village_amount', expected: '200000', found: '200007' },
    ]);
    // a missing row is named too
    await app.asOwner((em) => em.execute(`delete from fund_unit_rollup where unit_id = ? and year = 2026`, [w.countyA.id]));
    const found = await app.asOwner(fundRollupProblems);
    expect(found.filter((f) => f.unitId === w.countyA.id)).toEqual([
      { unitId: w.countyA.id, path: w.countyA.path, year: 2026, figure: 'ACTIVITY BUDGET amount', expected: '200000', found: '0' },
      { unitId: w.countyA.id, path: w.countyA.path, year: 2026, figure: 'ACTIVITY BUDGET village_amount', expected: '200000', found: '0' },
    ]);
    // and a village's holdings or first dates
    await app.asOwner((em) => em.execute(`update fund_village set activity = activity - 5, first_allocate = null where unit_id = ? and year = 2026`, [w.village.id]));
    expect((await app.asOwner(fundRollupProblems)).filter((f) => f.unitId === w.village.id)).toEqual([
      { unitId: w.village.id, path: w.village.path, year: 2026, figure: 'village activity', expected: '200000', found: '199995' },
      { unitId: w.village.id, path: w.village.path, year: 2026, figure: 'village first_allocate', expected: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), found: '-' },
    ]);
    for (const sql of [`insert into fund_unit_delta (unit_path, fund, year, kind, amount) values ('${w.village.path}', 'OFFICE', 2026, 'CASH', 1)`,
                       `update fund_unit_rollup set amount = 0`]) {
      await expect(inScope(app.orm, [w.region.path], (em) => em.execute(sql))).rejects.toThrow(/permission denied/);
    }
    // the rebuild (after bulk loads) puts every figure back in one pass
    await inScope(app.orm, [w.region.path], (em) => em.execute(`select jiceng_rebuild_fund_rollup()`));
    await noProblems(app);
  });

  test('a unit move carries its subtree figures from its old ancestors to its new ones', async ({ app }) => {
    const w = await world(app);
    await inScope(app.orm, [w.region.path], async (em) => {
      await appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year: 2026, amount: 1_000_000n, key: key('ap') });
      await allocate(em, w.p, { fromId: w.region.id, toId: w.village.id, fund: 'OFFICE', year: 2026, amount: 300_000n, key: key('al'), on: '2026-01-05' });
      await disburse(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2026, amount: 100_000n, voucher: 'PZ-9', on: '2026-01-08', key: key('d') });
    });
    await inScope(app.orm, ['cn'], compactFundRollup);
    const township = await rolled(app, w.township.id, 2026);
    expect(township['ALL DAYS']).toEqual({ amount: '3', village_amount: '0', villages: 1 });
    const id = async (code: string) => (await w.finance.client.ok(UNIT_ID, { c: code })).adminUnit.id;
    // the village to county B's township, then the whole township to county B
    await w.finance.client.ok(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`, { u: await id(w.village.code), p: await id(w.townshipB.code) });
    expect(await rolled(app, w.township.id, 2026)).toEqual({});
    expect(await rolled(app, w.countyA.id, 2026)).toEqual({});
    expect(await rolled(app, w.townshipB.id, 2026)).toEqual(township);
    expect(await rolled(app, w.countyB.id, 2026)).toEqual(township);
    await noProblems(app);
    // the moved rows carry their new paths (the scope policies follow the move)
    const paths = await app.asOwner((em) => em.execute<{ path: string }[]>(`select distinct unit_path::text as path from fund_unit_rollup where unit_id = ?`, [w.village.id]));
    expect(paths.map((p) => p.path)).toEqual([`${w.townshipB.path}.${w.village.path.split('.').pop()}`]);
    await w.finance.client.ok(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`, { u: await id(w.townshipB.code), p: await id(w.countyA.code) });
    expect(await rolled(app, w.countyB.id, 2026)).toEqual({});
    expect(await rolled(app, w.countyA.id, 2026)).toEqual(township);
    await noProblems(app);
    // and the API still answers from the rollup
    const figures = await w.finance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2026) { allocated disbursed } fundingCompliance(year: 2026) { counties { county { code } allocated disbursed averageDaysToDisburse } } } }`, { c: w.region.code });
    expect(figures.adminUnit.fundsSummary).toEqual({ allocated: '10000.00', disbursed: '1000.00' });
    expect(figures.adminUnit.fundingCompliance.counties).toEqual([{ county: { code: w.countyA.code }, allocated: '3000.00', disbursed: '1000.00', averageDaysToDisburse: 3 }]);
  });

  test('fundsSummary and fundingCompliance read the rollup: the same statements for 2 and 6 villages per township', async ({ app }) => {
    const counts: number[] = [];
    for (const n of [2, 6]) {
      const w = await world(app);
      const extra: Node[] = [];
      for (let k = 0; k < n; k++) extra.push(await w.township.village());
      await inScope(app.orm, [w.region.path], async (em) => {
        await appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year: 2026, amount: 10_000_000n, key: key('ap') });
        for (const v of extra) await allocate(em, w.p, { fromId: w.region.id, toId: v.id, fund: 'OFFICE', year: 2026, amount: 1_000n, key: key('al') });
      });
      app.sqlCount = 0;
      const r = await w.finance.client.ok(`query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2026) { allocated }
        fundingCompliance(year: 2026) { officeBelowStandardCount counties { allocated } }
        children(first: 2) { edges { node { fundsSummary(year: 2026) { allocated } children(first: 2) { edges { node { fundsSummary(year: 2026) { allocated }
          children(first: 8) { edges { node { code fundsSummary(year: 2026) { allocated disbursed } } } } } } } } } } } }`, { c: w.region.code });
      counts.push(app.sqlCount);
      expect(r.adminUnit.fundingCompliance.counties).toEqual([{ allocated: `${10 * n}.00` }]);
      const villages = r.adminUnit.children.edges.flatMap((c: any) => c.node.children.edges.flatMap((t: any) => t.node.children.edges));
      expect(villages.filter((v: any) => v.node.fundsSummary.allocated === '10.00')).toHaveLength(n);
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
