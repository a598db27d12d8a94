import { inScope } from '@jiceng/db';
import { test, expect, describe, GraphQLClient, type TestApp } from '@jiceng/testkit';
import { pairingRollupCheck } from '@jiceng/pairing';
import { creditCodeCheckChar } from '../src/credit-code.js';

// The support rollup (issue 12 point 5): per unit and day, every partner's support under the unit, kept
// on write; supportTotals over any period sums the unit's days; corrections move both days; the check
// finds a corrupted row; a move carries a village's support to its new ancestors.

let n = 0;
const creditCode = () => {
  const first17 = `9126${String(process.pid % 10000).padStart(4, '0')}${String(++n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};
const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const REGISTER = `mutation($i: PartnerInput!) { registerPartner(input: $i) { id } }`;
const PAIR = `mutation($p: ID!, $v: ID!, $s: LocalDate!) { pairPartner(partnerId: $p, villageId: $v, startsOn: $s) }`;
const LOG = `mutation($i: SupportInput!) { logSupport(input: $i) }`;
const CORRECT = `mutation($c: ID!, $i: SupportInput!) { correctSupport(correctsId: $c, input: $i) }`;
const TOTALS = `query($c: String!, $f: LocalDate!, $t: LocalDate!) { adminUnit(code: $c) { supportTotals(from: $f, to: $t) { entries visits materialsValue } } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`;

async function day(app: TestApp, unitId: string, d: string): Promise<Record<string, number>> {
  const [r] = await app.asOwner((em) => em.execute<Record<string, unknown>[]>(`select entries, visits, materials_value from support_rollup where unit_id = ? and day = ?::date`, [unitId, d]));
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)]));
}
const check = (app: TestApp) => app.asOwner(pairingRollupCheck);

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const admin = await app.user(region, ['ORG_ADMIN']);
  const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id as string;
  /** a region enterprise paired with the village, and a partner user linked to it */
  const partner = async () => {
    const p = (await admin.client.ok(REGISTER, { i: { unitId: await id(region.code), kind: 'ENTERPRISE', name: `e-${++n}`, creditCode: creditCode() } })).registerPartner.id;
    await admin.client.ok(PAIR, { p, v: await id(village.code), s: '2025-01-01' });
    const u = await app.user(region, ['ENTERPRISE']);
    const me = await u.client.ok(`{ me { user { id } } }`);
    await admin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p });
    return Object.assign(new GraphQLClient(app.url, u.token), { userId: u.id });
  };
  return { region, county, township, village, admin, id, partner };
}

describe('the support rollup', () => {
  test('partners logging and correcting support move the days of the village and of every unit above it; totals sum any period', async ({ app }) => {
    const w = await world(app);
    const [a, b] = [await w.partner(), await w.partner()];
    const v = await w.id(w.village.code);
    const line = [w.village.id, w.township.id, w.county.id, w.region.id];
    // each partner user sees only its own entries: the rollup counts both
    const first = (await a.ok(LOG, { i: { villageId: v, loggedOn: '2025-05-01', visits: 2, materialsValue: '10.50' } })).logSupport;
    await b.ok(LOG, { i: { villageId: v, loggedOn: '2025-05-01', visits: 3 } });
    for (const unit of line) expect(await day(app, unit, '2025-05-01')).toEqual({ entries: 2, visits: 5, materials_value: 1050 });
    // a correction to another day: the corrected entry leaves its day, the correction joins its own
    await a.ok(CORRECT, { c: first, i: { villageId: v, loggedOn: '2025-05-03', visits: 7 } });
    for (const unit of line) {
      expect(await day(app, unit, '2025-05-01')).toEqual({ entries: 1, visits: 3, materials_value: 0 });
      expect(await day(app, unit, '2025-05-03')).toEqual({ entries: 1, visits: 7, materials_value: 0 });
    }
    const totals = async (f: string, t: string) => (await w.admin.client.ok(TOTALS, { c: w.region.code, f, t })).adminUnit.supportTotals;
    expect(await totals('2025-01-01', '2025-12-31')).toEqual({ entries: 2, visits: 10, materialsValue: '0.00' });
    expect(await totals('2025-05-01', '2025-05-02')).toEqual({ entries: 1, visits: 3, materialsValue: '0.00' });
    expect(await totals('2025-05-02', '2025-05-03')).toEqual({ entries: 1, visits: 7, materialsValue: '0.00' });
    expect(await totals('2025-05-04', '2025-12-31')).toEqual({ entries: 0, visits: 0, materialsValue: '0.00' });
    // a partner user reads its own partner's totals only (from its entries, not the rollup)
    expect((await b.ok(TOTALS, { c: w.village.code, f: '2025-01-01', t: '2025-12-31' })).adminUnit.supportTotals).toEqual({ entries: 1, visits: 3, materialsValue: '0.00' });
    // under row-level security alone, a request of a partner user reads no rollup row (every partner's
    // support, and rectification data); a staff user of the township reads them
    await app.asOwner((em) => em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2025, 3, 'THIRD')`, [w.village.id]));
    const asRequestOf = (userId: string, sql: string) => inScope(app.orm, [], async (em) => {
      await em.execute(`select set_config('app.scopes', p.scopes::text, true) from jiceng_principal(?) p`, [userId]);
      return (await em.execute<{ n: number }[]>(sql))[0]!.n;
    });
    const staff = await app.user(w.township, ['INSPECTOR']);
    for (const table of ['support_rollup', 'rectification_rollup']) {
      expect(await asRequestOf(b.userId, `select count(*)::int as n from ${table}`), table).toBe(0);
      expect(await asRequestOf(staff.id, `select count(*)::int as n from ${table}`), table).toBeGreaterThan(0);
    }
    expect(await check(app)).toEqual([]);
  });

  test('rollup:check names the unit, day and figure of a corrupted row; a move keeps the rollup right', async ({ app }) => {
    const w = await world(app);
    const a = await w.partner();
    const other = await w.region.county();
    const t = await other.township();
    await a.ok(LOG, { i: { villageId: await w.id(w.village.code), loggedOn: '2025-06-01', visits: 4 } });
    expect(await check(app)).toEqual([]);

    await app.asOwner((em) => em.execute(`update support_rollup set visits = visits + 1 where unit_id = ? and day = '2025-06-01'`, [w.county.id]));
    expect(await check(app)).toEqual([{ rollup: 'support_rollup', unitId: String(w.county.id), unitPath: w.county.path, key: '2025-06-01', figure: 'visits', rollupValue: '5', sourceValue: '4' }]);
    await app.asOwner((em) => em.execute(`select jiceng_support_rollup_rebuild()`));
    expect(await check(app)).toEqual([]);

    // the village moves to a township of another county: its support follows it
    await w.admin.client.ok(MOVE, { u: await w.id(w.village.code), p: await w.id(t.code) });
    expect(await day(app, w.county.id, '2025-06-01')).toEqual({ entries: 0, visits: 0, materials_value: 0 });
    expect(await day(app, w.township.id, '2025-06-01')).toEqual({ entries: 0, visits: 0, materials_value: 0 });
    expect(await day(app, other.id, '2025-06-01')).toEqual({ entries: 1, visits: 4, materials_value: 0 });
    expect(await day(app, w.region.id, '2025-06-01')).toEqual({ entries: 1, visits: 4, materials_value: 0 });
    expect((await w.admin.client.ok(TOTALS, { c: other.code, f: '2025-01-01', t: '2025-12-31' })).adminUnit.supportTotals).toMatchObject({ entries: 1, visits: 4 });
    expect(await check(app)).toEqual([]);
  });
});
