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
const PAIR_FOR = `mutation($p: ID!, $v: ID!, $s: LocalDate!, $e: LocalDate) { pairPartner(partnerId: $p, villageId: $v, startsOn: $s, endsOn: $e) }`;
const COVERAGE = `query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { targets fullyCovered rate slots { slot filled rate } gaps { missing } } } }`;
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

describe('the coverage rollup', () => {
  test('targets, pairings, partners and standards move the counts; they agree with the villages counted from the rows (the gaps)', async ({ app }) => {
    const w = await world(app);
    const t2 = await w.county.township();
    const [v1, v2, v3] = [w.village, await w.township.village(), await t2.village()];
    const [r, c, i1, i2, i3] = [await w.id(w.region.code), await w.id(w.county.code), await w.id(v1.code), await w.id(v2.code), await w.id(v3.code)];
    const register = async (kind: string, unitId: string, extra: Record<string, unknown> = {}) =>
      (await w.admin.client.ok(REGISTER, { i: { unitId, kind, name: `${kind}-${++n}`, ...extra } })).registerPartner.id as string;
    const pair = (p: string, v: string, s = '2025-01-01', e: string | null = null) => w.admin.client.ok(PAIR_FOR, { p, v, s, e });
    /** the rollup's counts at every unit, against what the villages with gaps (counted from the rows) say */
    const agree = async () => {
      for (const code of [w.region.code, w.county.code, w.township.code, t2.code, v1.code, v2.code, v3.code]) {
        const cov = (await w.admin.client.ok(COVERAGE, { c: code })).adminUnit.pairingCoverage;
        expect(cov.fullyCovered, code).toBe(cov.targets - cov.gaps.length);
        for (const s of cov.slots) expect(s.filled, `${code} ${s.slot}`).toBe(cov.targets - cov.gaps.filter((g: any) => g.missing.includes(s.slot)).length);
      }
      expect(await check(app)).toEqual([]);
      return (await w.admin.client.ok(COVERAGE, { c: w.region.code })).adminUnit.pairingCoverage;
    };
    const slots = (cov: any) => Object.fromEntries(cov.slots.map((s: any) => [s.slot, s.filled]));

    // targets: a third-category rating, a designation (its cause asks for a party-mass department), one not a target
    await app.asOwner(async (em) => {
      await em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2025, 3, 'THIRD'), (?, 2025, 2, 'THIRD'), (?, 2025, 9, 'FIRST')`, [v1.id, v2.id, v3.id]);
      await em.execute(`insert into weak_designation (unit_id, year, cause) values (?, 2025, 'WEAK_LAX')`, [v1.id]);
    });
    expect(await agree()).toMatchObject({ targets: 2, fullyCovered: 0 });
    const partners = {
      regionEnt: await register('ENTERPRISE', r, { creditCode: creditCode() }), countyEnt: await register('ENTERPRISE', c, { creditCode: creditCode() }),
      economic: await register('DEPARTMENT', r, { departmentType: 'ECONOMIC' }), partyMass: await register('DEPARTMENT', r, { departmentType: 'PARTY_MASS' }),
      leader: await register('LEADER', c), secretary: await register('FIRST_SECRETARY', c, { homeOrg: '某局', termStart: '2025-01-01', termEnd: '2027-01-01' }),
      project: await register('PROJECT', c, { projectKind: 'PLANTING', budget: '1000.00', status: 'IN_PROGRESS' }),
    };
    for (const p of [partners.regionEnt, partners.countyEnt, partners.economic, partners.leader, partners.secretary, partners.project]) await pair(p, i1);
    // a department of the wrong type for the cause does not fill the slot; any department does for a village without one
    await pair(partners.economic, i2);
    expect(slots(await agree())).toEqual({ ENTERPRISES: 1, DEPARTMENT: 1, LEADER: 1, FIRST_SECRETARY: 1, PROJECTS: 1 });
    await pair(partners.partyMass, i1);
    expect(await agree()).toMatchObject({ targets: 2, fullyCovered: 1 });
    // a pairing that ended before the year does not count; the village that is no target counts nowhere
    await pair(partners.leader, i2, '2024-01-01', '2025-01-01');
    await pair(partners.project, i3);
    expect(slots(await agree())).toMatchObject({ LEADER: 1 });
    // a stricter standard set on the region (two projects) takes the project slot away
    await app.asOwner((em) => em.execute(`insert into pairing_standard (unit_id, effective_year, min_projects) values (?, 2025, 2)`, [w.region.id]));
    expect(await agree()).toMatchObject({ fullyCovered: 0, slots: expect.arrayContaining([{ slot: 'PROJECTS', filled: 0, rate: 0 }]) });
    await app.asOwner((em) => em.execute(`update pairing_standard set min_projects = 1 where unit_id = ?`, [w.region.id]));
    expect(await agree()).toMatchObject({ fullyCovered: 1 });
    // the second village designated weak too: the economic department does not fit its cause
    await app.asOwner((em) => em.execute(`insert into weak_designation (unit_id, year, cause) values (?, 2025, 'WEAK_LAX')`, [v2.id]));
    expect(slots(await agree())).toMatchObject({ DEPARTMENT: 1 });
    // re-rated out of the third category and no longer designated: no longer a target
    await app.asOwner((em) => em.execute(`delete from weak_designation where unit_id = ?`, [v2.id]));
    await app.asOwner((em) => em.execute(`update assessment set stars = 9, category = 'FIRST' where unit_id = ? and year = 2025`, [v2.id]));
    expect(await agree()).toMatchObject({ targets: 1, fullyCovered: 1 });
    // a move takes the covered village to the other township
    await w.admin.client.ok(MOVE, { u: i1, p: await w.id(t2.code) });
    expect((await w.admin.client.ok(COVERAGE, { c: t2.code })).adminUnit.pairingCoverage).toMatchObject({ targets: 1, fullyCovered: 1 });
    expect((await w.admin.client.ok(COVERAGE, { c: w.township.code })).adminUnit.pairingCoverage).toMatchObject({ targets: 0, fullyCovered: 0 });
    await agree();
  });
});
