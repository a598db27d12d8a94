import { inScope } from '@jiceng/db';
import { today } from '@jiceng/core';
import { test, expect, describe, GraphQLClient, type TestApp } from '@jiceng/testkit';
import { creditCodeCheckChar } from '../src/credit-code.js';

let n = 0;
const code = () => {
  const first17 = `9115${String(process.pid % 10000).padStart(4, '0')}${String(++n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};
const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const REGISTER = `mutation($i: PartnerInput!) { registerPartner(input: $i) { id kind } }`;
const PAIR = `mutation($p: ID!, $v: ID!, $s: LocalDate!, $e: LocalDate) { pairPartner(partnerId: $p, villageId: $v, startsOn: $s, endsOn: $e) }`;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const unpaired = await township.village();
  const regionAdmin = await app.user(region, ['ORG_ADMIN']);
  const ids = await regionAdmin.client.ok(`query($r: String!, $c: String!, $v: String!, $u: String!) { r: adminUnit(code: $r) { id } c: adminUnit(code: $c) { id } v: adminUnit(code: $v) { id } u: adminUnit(code: $u) { id } }`,
    { r: region.code, c: county.code, v: village.code, u: unpaired.code });
  await app.asOwner((em) => em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2025, 3, 'THIRD'), (?, 2025, 2, 'THIRD')`, [village.id, unpaired.id]));
  await app.asOwner((em) => em.execute(`insert into weak_designation (unit_id, year, cause) values (?, 2025, 'WEAK_LAX')`, [village.id]));
  const partner = async (kind: string, unitId: string, extra: Record<string, unknown> = {}) =>
    (await regionAdmin.client.ok(REGISTER, { i: { unitId, kind, name: `${kind}-${++n}`, ...extra } })).registerPartner.id as string;
  return { region, county, township, village, unpaired, regionAdmin, ids, partner };
}

describe('five ones', () => {
  test('coverage counts the five slots and what is missing; a fully covered village needs a region enterprise', async ({ app }) => {
    const w = await world(app);
    const regionEnt = await w.partner('ENTERPRISE', w.ids.r.id, { creditCode: code() });
    const countyEnt = await w.partner('ENTERPRISE', w.ids.c.id, { creditCode: code() });
    const dept = await w.partner('DEPARTMENT', w.ids.r.id, { departmentType: 'PARTY_MASS' });
    const leader = await w.partner('LEADER', w.ids.c.id);
    const fs = await w.partner('FIRST_SECRETARY', w.ids.c.id, { homeOrg: '某局', termStart: '2025-01-01', termEnd: '2027-01-01' });
    const project = await w.partner('PROJECT', w.ids.c.id, { projectKind: 'PLANTING', budget: '500000.00', status: 'IN_PROGRESS' });
    for (const p of [countyEnt, dept, leader, fs, project]) await w.regionAdmin.client.ok(PAIR, { p, v: w.ids.v.id, s: '2025-01-01' });
    const Q = `query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { targets fullyCovered rate slots { slot filled } gaps { village { code } missing projectsBelowTarget } } } }`;
    let c = (await w.regionAdmin.client.ok(Q, { c: w.county.code })).adminUnit.pairingCoverage;
    expect(c).toMatchObject({ targets: 2, fullyCovered: 0, rate: 0 });
    expect(c.gaps.find((g: any) => g.village.code === w.village.code).missing).toEqual(['ENTERPRISES']);
    await w.regionAdmin.client.ok(PAIR, { p: regionEnt, v: w.ids.v.id, s: '2025-01-01' });
    c = (await w.regionAdmin.client.ok(Q, { c: w.county.code })).adminUnit.pairingCoverage;
    expect(c).toMatchObject({ targets: 2, fullyCovered: 1, rate: 0.5 });
    expect(c.gaps.map((g: any) => g.village.code)).toEqual([w.unpaired.code]);
    // the county's own staff see the same coverage, and the partners the region arranged for their village
    const countyAdmin = await app.user(w.county, ['ORG_ADMIN']);
    expect((await countyAdmin.client.ok(Q, { c: w.county.code })).adminUnit.pairingCoverage).toEqual(c);
    const seen = await countyAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { pairings { partner { id kind } } } }`, { c: w.village.code });
    expect(seen.adminUnit.pairings.map((p: any) => p.partner.id).sort()).toEqual([regionEnt, countyEnt, dept, leader, fs, project].sort());
    // seeing the region's enterprise does not let the county pair it elsewhere; a county it does not serve does not see it
    await countyAdmin.client.fails('NOT_FOUND', PAIR, { p: regionEnt, v: w.ids.u.id, s: '2025-01-01' });
    const elsewhere = await app.user(await w.region.county(), ['ORG_ADMIN']);
    expect((await elsewhere.client.ok(`query($p: ID!) { partner(id: $p) { name } }`, { p: regionEnt })).partner).toBeNull();
    await w.regionAdmin.client.fails('BAD_USER_INPUT', REGISTER, { i: { unitId: w.ids.r.id, kind: 'ENTERPRISE', name: 'x', creditCode: '91150000000000001X' } });
  });

  test('coverage above two regions holds each village to its own region\'s standard', async ({ app }) => {
    const top = await app.tree.region();
    const [strict, plain] = [await top.region(), await top.region()];
    const inStrict = await (await (await strict.county()).township()).village();
    const inPlain = await (await (await plain.county()).township()).village();
    const admin = await app.user(top, ['ORG_ADMIN']);
    await app.asOwner(async (em) => {
      await em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2025, 2, 'THIRD'), (?, 2025, 2, 'THIRD')`, [inStrict.id, inPlain.id]);
      await em.execute(`insert into pairing_standard (unit_id, effective_year, min_projects) values (?, 2025, 2)`, [strict.id]);
    });
    for (const v of [inStrict, inPlain]) {
      const villageId = (await admin.client.ok(ID, { c: v.code })).adminUnit.id;
      const project = (await admin.client.ok(REGISTER, { i: { unitId: villageId, kind: 'PROJECT', name: `PROJECT-${++n}`, projectKind: 'PLANTING', budget: '1000.00', status: 'IN_PROGRESS' } })).registerPartner.id;
      await admin.client.ok(PAIR, { p: project, v: villageId, s: '2025-01-01' });
    }
    const c = (await admin.client.ok(`query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { gaps { village { code } missing } } } }`, { c: top.code })).adminUnit.pairingCoverage;
    const missing = (code: string) => c.gaps.find((g: any) => g.village.code === code).missing;
    // one project is below the strict region's 2 and meets the default 1
    expect(missing(inStrict.code)).toContain('PROJECTS');
    expect(missing(inPlain.code)).not.toContain('PROJECTS');
  });

  test('term edges: a term may end and the next begin the same day; overlaps are CONFLICT', async ({ app }) => {
    const w = await world(app);
    const leader = await w.partner('LEADER', w.ids.c.id);
    await w.regionAdmin.client.ok(PAIR, { p: leader, v: w.ids.v.id, s: '2024-01-01', e: '2025-01-01' });
    await w.regionAdmin.client.ok(PAIR, { p: leader, v: w.ids.v.id, s: '2025-01-01' });
    await w.regionAdmin.client.fails('CONFLICT', PAIR, { p: leader, v: w.ids.v.id, s: '2024-12-31', e: '2025-01-02' });
    await w.regionAdmin.client.fails('BAD_USER_INPUT', PAIR, { p: leader, v: w.ids.v.id, s: '2026-01-01', e: '2026-01-01' });
    const pairings = await w.regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { pairings { startsOn endsOn } } }`, { c: w.village.code });
    expect(pairings.adminUnit.pairings).toEqual([{ startsOn: '2024-01-01', endsOn: '2025-01-01' }, { startsOn: '2025-01-01', endsOn: null }]);
  });

  test('suggestions fit the cause, least loaded first, excluding departments already paired', async ({ app }) => {
    const w = await world(app);
    const busy = await w.partner('DEPARTMENT', w.ids.r.id, { departmentType: 'PARTY_MASS' });
    const idle = await w.partner('DEPARTMENT', w.ids.r.id, { departmentType: 'PARTY_MASS' });
    const paired = await w.partner('DEPARTMENT', w.ids.r.id, { departmentType: 'PARTY_MASS' });
    await w.partner('DEPARTMENT', w.ids.r.id, { departmentType: 'ECONOMIC' });
    await w.regionAdmin.client.ok(PAIR, { p: busy, v: w.ids.u.id, s: '2025-01-01' });
    await w.regionAdmin.client.ok(PAIR, { p: paired, v: w.ids.v.id, s: '2025-01-01' });
    const s = await w.regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { departmentSuggestions(year: 2025) { id departmentType carried } } }`, { c: w.village.code });
    const ids = s.adminUnit.departmentSuggestions.map((d: any) => d.id);
    expect(ids.indexOf(idle)).toBeLessThan(ids.indexOf(busy));
    expect(ids).not.toContain(paired);
    expect(s.adminUnit.departmentSuggestions.every((d: any) => d.departmentType === 'PARTY_MASS')).toBe(true);
    // the county sees the region's department serving its other village, but cannot pair it: not suggested
    const countyAdmin = await app.user(w.county, ['ORG_ADMIN']);
    expect((await countyAdmin.client.ok(`query($p: ID!) { partner(id: $p) { id } }`, { p: busy })).partner).toEqual({ id: busy });
    const own = await w.partner('DEPARTMENT', w.ids.c.id, { departmentType: 'PARTY_MASS' });
    const c = await countyAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { departmentSuggestions(year: 2025) { id } } }`, { c: w.village.code });
    expect(c.adminUnit.departmentSuggestions.map((d: any) => d.id)).toEqual([own]);
  });

  test('partner scope: a partner user sees and logs only for paired villages, in the API and under RLS; an ended pairing removes access', async ({ app }) => {
    const w = await world(app);
    const ent = await w.partner('ENTERPRISE', w.ids.r.id, { creditCode: code() });
    const pairingId = (await w.regionAdmin.client.ok(PAIR, { p: ent, v: w.ids.v.id, s: '2025-01-01' })).pairPartner;
    const user = await app.user(w.region, ['ENTERPRISE']);
    const me = await user.client.ok(`{ me { user { id } unit { code } } }`);
    expect(me.me.unit.code).toBe(w.region.code);
    await w.regionAdmin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p: ent });
    const fresh = new GraphQLClient(app.url, user.token);
    const r = await fresh.ok(`query($v: String!, $u: String!) { v: adminUnit(code: $v) { code } u: adminUnit(code: $u) { code } r: adminUnit(code: $u) { code } }`, { v: w.village.code, u: w.unpaired.code });
    expect(r).toEqual({ v: { code: w.village.code }, u: null, r: null });
    const LOG = `mutation($v: ID!) { logSupport(input: { villageId: $v, loggedOn: "2025-06-01", visits: 2, materialsValue: "1234.56" }) }`;
    const first = (await fresh.ok(LOG, { v: w.ids.v.id })).logSupport;
    await fresh.fails('NOT_FOUND', LOG, { v: w.ids.u.id });
    await fresh.ok(`mutation($c: ID!, $v: ID!) { correctSupport(correctsId: $c, input: { villageId: $v, loggedOn: "2025-06-01", visits: 3, materialsValue: "1000.00" }) }`, { c: first, v: w.ids.v.id });
    const totals = await w.regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits materialsValue } } }`, { c: w.region.code });
    expect(totals.adminUnit.supportTotals).toEqual({ entries: 1, visits: 3, materialsValue: '1000.00' });
    // the database alone: the partner's scope has the paired village only
    const [scope] = await app.asOwner((em) => em.execute<{ s: string }[]>(`select jiceng_partner_scopes(?)::text as s`, [user.id]));
    expect(scope!.s).toBe(`{${w.village.path}}`);
    const rows = await inScope(app.orm, [w.village.path], (em) => em.execute(`select id from admin_unit where id = ?`, [w.unpaired.id]));
    expect(rows).toEqual([]);
    await expect(inScope(app.orm, [w.village.path], (em) => em.execute(`update support_log set visits = 9`))).rejects.toThrow();
    // ending the pairing today removes access at once
    const now = today();
    await w.regionAdmin.client.ok(`mutation($p: ID!, $e: LocalDate!) { endPairing(pairingId: $p, endsOn: $e) }`, { p: pairingId, e: now });
    expect((await fresh.ok(`query($v: String!) { adminUnit(code: $v) { code } }`, { v: w.village.code })).adminUnit).toBeNull();
    // support dated within the ended term may still be logged; dated on or after its end it may not
    await fresh.ok(LOG, { v: w.ids.v.id });
    const late = await fresh.fails('BAD_USER_INPUT', `mutation($v: ID!, $d: LocalDate!) { logSupport(input: { villageId: $v, loggedOn: $d, visits: 1 }) }`, { v: w.ids.v.id, d: now });
    expect(late.extensions?.field).toBe('loggedOn');
  });

  test('a pairing is ended by the unit that arranged it or one above: not by the township of its village', async ({ app }) => {
    const w = await world(app);
    const END = `mutation($p: ID!, $e: LocalDate!) { endPairing(pairingId: $p, endsOn: $e) }`;
    const ent = await w.partner('ENTERPRISE', w.ids.r.id, { creditCode: code() });
    const regionPairing = (await w.regionAdmin.client.ok(PAIR, { p: ent, v: w.ids.v.id, s: '2025-01-01' })).pairPartner;
    const township = await app.user(w.township, ['ORG_ADMIN']);
    const county = await app.user(w.county, ['ORG_ADMIN']);
    // both see the pairing of their village, neither may end what the region arranged
    const seen = await township.client.ok(`query($c: String!) { adminUnit(code: $c) { pairings { id endsOn } } }`, { c: w.village.code });
    expect(seen.adminUnit.pairings).toEqual([{ id: regionPairing, endsOn: null }]);
    await township.client.fails('FORBIDDEN', END, { p: regionPairing, e: '2025-06-01' });
    await county.client.fails('FORBIDDEN', END, { p: regionPairing, e: '2025-06-01' });
    const [row] = await app.asOwner((em) => em.execute<{ ends_on: string | null }[]>(`select ends_on from pairing where id = ?`, [Buffer.from(regionPairing, 'base64url').toString().split(':')[1]]));
    expect(row!.ends_on).toBeNull();
    // a pairing the county arranged: the county and the region may end it, the township not
    const leader = await county.client.ok(REGISTER, { i: { unitId: w.ids.c.id, kind: 'LEADER', name: `leader-${++n}` } });
    const countyPairing = (await county.client.ok(PAIR, { p: leader.registerPartner.id, v: w.ids.v.id, s: '2025-01-01' })).pairPartner;
    await township.client.fails('FORBIDDEN', END, { p: countyPairing, e: '2025-06-01' });
    expect((await county.client.ok(END, { p: countyPairing, e: '2025-06-01' })).endPairing).toBe(countyPairing);
    expect((await w.regionAdmin.client.ok(END, { p: regionPairing, e: '2025-06-01' })).endPairing).toBe(regionPairing);
    // another county does not see it at all
    const other = await app.user(await w.region.county(), ['ORG_ADMIN']);
    await other.client.fails('NOT_FOUND', END, { p: regionPairing, e: '2025-07-01' });
  });

  test('a partner user sees co-partners by name and slot only, its own support figures only, and no rectification data, in the API and under RLS', async ({ app }) => {
    const w = await world(app);
    const mine = await w.partner('ENTERPRISE', w.ids.r.id, { creditCode: code(), contact: '13800000001' });
    const theirCode = code();
    const theirs = await w.partner('ENTERPRISE', w.ids.c.id, { creditCode: theirCode, contact: '13800000002' });
    const project = await w.partner('PROJECT', w.ids.c.id, { projectKind: 'PLANTING', budget: '500000.00', status: 'IN_PROGRESS' });
    for (const p of [mine, theirs, project]) await w.regionAdmin.client.ok(PAIR, { p, v: w.ids.v.id, s: '2025-01-01' });
    const link = async (partner: string) => {
      const u = await app.user(w.region, ['ENTERPRISE']);
      const me = await u.client.ok(`{ me { user { id } } }`);
      await w.regionAdmin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p: partner });
      return u;
    };
    const me = await link(mine);
    const co = await link(theirs);
    const LOG = `mutation($v: ID!, $n: Int!) { logSupport(input: { villageId: $v, loggedOn: "2025-06-01", visits: $n, materialsValue: "100.00" }) }`;
    await me.client.ok(LOG, { v: w.ids.v.id, n: 2 });
    await co.client.ok(LOG, { v: w.ids.v.id, n: 7 });
    const FIELDS = `id kind name creditCode contact departmentType homeOrg budget status`;
    const seen = await me.client.ok(`query($c: String!) { adminUnit(code: $c) { pairings { partner { ${FIELDS} } } } }`, { c: w.village.code });
    const byId = Object.fromEntries(seen.adminUnit.pairings.map((p: any) => [p.partner.id, p.partner]));
    expect(byId[mine]).toMatchObject({ kind: 'ENTERPRISE', contact: '13800000001' });
    expect(byId[mine].creditCode).toBeTruthy();
    const nameOnly = { creditCode: null, contact: null, departmentType: null, homeOrg: null, budget: null, status: null };
    expect(byId[theirs]).toEqual({ id: theirs, kind: 'ENTERPRISE', name: expect.any(String), ...nameOnly });
    expect(byId[project]).toEqual({ id: project, kind: 'PROJECT', name: expect.any(String), ...nameOnly });
    expect((await me.client.ok(`query($p: ID!) { partner(id: $p) { ${FIELDS} } }`, { p: theirs })).partner).toEqual({ id: theirs, kind: 'ENTERPRISE', name: expect.any(String), ...nameOnly });
    expect(JSON.stringify(seen)).not.toContain(theirCode);
    // support: the village's totals are the caller's own; a co-partner's are not found
    const TOTALS = `query($c: String!, $p: ID) { adminUnit(code: $c) { supportTotals(from: "2025-01-01", to: "2025-12-31", partnerId: $p) { entries visits } } }`;
    expect((await me.client.ok(TOTALS, { c: w.village.code })).adminUnit.supportTotals).toEqual({ entries: 1, visits: 2 });
    expect((await me.client.ok(TOTALS, { c: w.village.code, p: mine })).adminUnit.supportTotals).toEqual({ entries: 1, visits: 2 });
    await me.client.fails('NOT_FOUND', TOTALS, { c: w.village.code, p: theirs });
    // staff still see everything
    expect((await w.regionAdmin.client.ok(TOTALS, { c: w.village.code })).adminUnit.supportTotals).toEqual({ entries: 2, visits: 9 });
    expect((await w.regionAdmin.client.ok(`query($p: ID!) { partner(id: $p) { contact } }`, { p: theirs })).partner).toEqual({ contact: '13800000002' });
    // no rectification data: the weakness cause stays hidden, and suggestions (which follow it) are empty
    const COV = `query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { gaps { village { code } cause } } departmentSuggestions(year: 2025) { id } } }`;
    const cov = (await me.client.ok(COV, { c: w.village.code })).adminUnit;
    expect(cov.pairingCoverage.gaps).toEqual([]); // which villages are targets is rectification data too
    expect(cov.departmentSuggestions).toEqual([]);
    expect((await w.regionAdmin.client.ok(COV, { c: w.village.code })).adminUnit.pairingCoverage.gaps[0].cause).toBe('WEAK_LAX');
    await me.client.fails('FORBIDDEN', `query($c: String!) { adminUnit(code: $c) { rectificationSummary(year: 2025) { targets } } }`, { c: w.village.code });
    // the database alone, as the API role with the scope a request of the partner user gets
    const asRequestOf = (userId: string, sql: string) => inScope(app.orm, [], async (em) => {
      await em.execute(`select set_config('app.scopes', p.scopes::text, true) from jiceng_principal(?) p`, [userId]);
      return em.execute<{ n: number }[]>(sql);
    });
    for (const [sql, mineOnly] of [[`select count(*)::int as n from support_log`, 1], [`select count(*)::int as n from weak_designation`, 0],
      [`select count(*)::int as n from assessment`, 0], [`select count(*)::int as n from rectification_target`, 0]] as const) {
      expect((await asRequestOf(me.id, sql))[0]!.n, sql).toBe(mineOnly);
    }
    // a staff user at the village's township reads them all
    const staff = await app.user(w.township, ['INSPECTOR']);
    expect((await asRequestOf(staff.id, `select count(*)::int as n from support_log`))[0]!.n).toBe(2);
    expect((await asRequestOf(staff.id, `select count(*)::int as n from weak_designation`))[0]!.n).toBe(1);
  });

  test('a credit code registered in another region is CONFLICT and says nothing of where or by whom', async ({ app }) => {
    const w = await world(app);
    const taken = code();
    await w.partner('ENTERPRISE', w.ids.c.id, { creditCode: taken });
    const other = await app.tree.region('他盟');
    const otherAdmin = await app.user(other, ['ORG_ADMIN']);
    const unitId = (await otherAdmin.client.ok(ID, { c: other.code })).adminUnit.id;
    const err = await otherAdmin.client.fails('CONFLICT', REGISTER, { i: { unitId, kind: 'ENTERPRISE', name: '另一家', creditCode: taken } });
    expect(err.extensions?.field).toBe('creditCode');
    expect(err.message).toBe('that credit code is registered already');
    expect(JSON.stringify(err)).not.toMatch(new RegExp(`${w.county.code}|${w.region.code}|ENTERPRISE-`));
  });

  test('isolation: another county cannot pair, read coverage or see partners of this one', async ({ app }) => {
    const w = await world(app);
    const other = await app.user(await w.region.county(), ['ORG_ADMIN']);
    const leader = await w.partner('LEADER', w.ids.c.id);
    await other.client.fails('NOT_FOUND', PAIR, { p: leader, v: w.ids.v.id, s: '2025-01-01' });
    expect((await other.client.ok(`query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { targets } } }`, { c: w.county.code })).adminUnit).toBeNull();
    expect((await other.client.ok(`query($p: ID!) { partner(id: $p) { name } }`, { p: leader })).partner).toBeNull();
    const inspector = await app.user(w.county, ['INSPECTOR']);
    await inspector.client.fails('FORBIDDEN', PAIR, { p: leader, v: w.ids.v.id, s: '2025-01-01' });
    for (const table of ['partner', 'pairing', 'support_log', 'partner_account']) {
      const rows = await inScope(app.orm, [(await w.region.county()).path], (em) => em.execute(`select * from ${table}`));
      expect(rows, table).toEqual([]);
    }
  });
});

describe('partner accounts reach only what the linking administrator holds', () => {
  const LINK = `mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`;
  const LOG = `mutation($v: ID!) { logSupport(input: { villageId: $v, loggedOn: "2025-06-01", visits: 1 }) }`;
  const READ = `query($v: String!) { adminUnit(code: $v) { code } }`;

  test("a township's account linked to its first secretary does not reach the region's pairing elsewhere; the region's link does", async ({ app }) => {
    const w = await world(app);
    // the township registers a first secretary; the region pairs it with a village in another county (Hohhot)
    const township = await w.county.township();
    const hohhot = await (await (await w.region.county()).township()).village();
    const townshipAdmin = await app.user(township, ['ORG_ADMIN']);
    const ids = await w.regionAdmin.client.ok(`query($t: String!, $h: String!) { t: adminUnit(code: $t) { id } h: adminUnit(code: $h) { id } }`, { t: township.code, h: hohhot.code });
    const fs = (await townshipAdmin.client.ok(REGISTER, { i: { unitId: ids.t.id, kind: 'FIRST_SECRETARY', name: `fs-${++n}`, homeOrg: '某局' } })).registerPartner.id;
    await townshipAdmin.client.fails('NOT_FOUND', PAIR, { p: fs, v: ids.h.id, s: '2025-01-01' });
    await w.regionAdmin.client.ok(PAIR, { p: fs, v: ids.h.id, s: '2025-01-01' });
    // the township creates an account and links it to the partner
    const username = `fs-acct-${process.pid}-${++n}`;
    const created = await townshipAdmin.client.ok(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username, displayName: '第一书记', password: 'a-long-password', unitId: ids.t.id, roles: ['FIRST_SECRETARY'] },
    });
    await townshipAdmin.client.ok(LINK, { u: created.createUser.id, p: fs });
    const account = new GraphQLClient(app.url, (await app.anonymous.ok(`mutation { login(username: "${username}", password: "a-long-password") { token } }`)).login.token);
    // it neither reads the Hohhot village nor logs support there, in the API and in the database
    expect((await account.ok(READ, { v: hohhot.code })).adminUnit).toBeNull();
    await account.fails('NOT_FOUND', LOG, { v: ids.h.id });
    expect((await account.ok(`{ me { scope { code } } }`)).me.scope).toEqual([]);
    const scopesOf = async () =>
      (await app.asOwner((em) => em.execute<{ s: string }[]>(`select p.scopes::text as s from app_user u, jiceng_principal(u.id) p where u.username = ?`, [username])))[0]!.s;
    expect(await scopesOf()).toBe('{}');
    // the region holds the village: its link gives the account the reach
    await w.regionAdmin.client.ok(LINK, { u: created.createUser.id, p: fs });
    expect((await account.ok(READ, { v: hohhot.code })).adminUnit).toEqual({ code: hohhot.code });
    await account.ok(LOG, { v: ids.h.id });
    expect(await scopesOf()).toBe(`{${hohhot.path}}`);
    // re-linked by the township, the reach shrinks back to what the township holds
    await townshipAdmin.client.ok(LINK, { u: created.createUser.id, p: fs });
    expect((await account.ok(READ, { v: hohhot.code })).adminUnit).toBeNull();
  });

  test('re-linking an account that a higher unit linked is NOT_FOUND, and changes nothing', async ({ app }) => {
    const w = await world(app);
    const township = await w.county.township();
    const townshipAdmin = await app.user(township, ['ORG_ADMIN']);
    const tId = (await w.regionAdmin.client.ok(ID, { c: township.code })).adminUnit.id;
    const own = (await townshipAdmin.client.ok(REGISTER, { i: { unitId: tId, kind: 'LEADER', name: `leader-${++n}` } })).registerPartner.id;
    const regional = await w.partner('LEADER', w.ids.r.id);
    const user = await app.user(township, ['LEADER']);
    const uid = (await user.client.ok(`{ me { user { id } } }`)).me.user.id;
    await w.regionAdmin.client.ok(LINK, { u: uid, p: regional });
    await townshipAdmin.client.fails('NOT_FOUND', LINK, { u: uid, p: own });
    expect(await app.asOwner((em) => em.execute(`select 1 from partner_account a join partner p on p.id = a.partner_id where a.user_id = ? and p.unit_id = ?`, [user.id, w.region.id]))).toHaveLength(1);
  });
});
