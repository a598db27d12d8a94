import { test, expect, describe, GraphQLClient, type TestApp } from '@jiceng/testkit';
import { addDays, today } from '@jiceng/core';
import { creditCodeCheckChar } from '../src/credit-code.js';

let n = 0;
const code = () => {
  const first17 = `9125${String(process.pid % 10000).padStart(4, '0')}${String(++n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};
const REGISTER = `mutation($i: PartnerInput!) { registerPartner(input: $i) { id } }`;
const PAIR = `mutation($p: ID!, $v: ID!, $s: LocalDate!, $e: LocalDate) { pairPartner(partnerId: $p, villageId: $v, startsOn: $s, endsOn: $e) }`;
const LOG = `mutation($i: SupportInput!) { logSupport(input: $i) }`;
const CORRECT = `mutation($c: ID!, $i: SupportInput!) { correctSupport(correctsId: $c, input: $i) }`;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [v1, v2] = [await township.village(), await township.village()];
  const admin = await app.user(region, ['ORG_ADMIN']);
  const ids = (await admin.client.ok(`query($r: String!, $c: String!, $a: String!, $b: String!) { r: adminUnit(code: $r) { id } c: adminUnit(code: $c) { id } a: adminUnit(code: $a) { id } b: adminUnit(code: $b) { id } }`,
    { r: region.code, c: county.code, a: v1.code, b: v2.code }));
  const partner = async (kind: string, unitId: string, extra: Record<string, unknown> = {}) =>
    (await admin.client.ok(REGISTER, { i: { unitId, kind, name: `${kind}-${++n}`, ...extra } })).registerPartner.id as string;
  /** a partner user linked to a partner */
  const account = async (partnerId: string) => {
    const u = await app.user(region, ['ENTERPRISE']);
    const me = await u.client.ok(`{ me { user { id } } }`);
    await admin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p: partnerId });
    return new GraphQLClient(app.url, u.token);
  };
  return { region, county, township, v1, v2, admin, ids: { region: ids.r.id, county: ids.c.id, v1: ids.a.id, v2: ids.b.id }, partner, account };
}

describe('partners and support entries can be read back', () => {
  test('a partner\'s term and project kind; the partners of a unit, paged and counted; me.partner', async ({ app }) => {
    const w = await world(app);
    const fs = await w.partner('FIRST_SECRETARY', w.ids.county, { homeOrg: '某局', termStart: '2025-01-01', termEnd: '2027-12-31' });
    const project = await w.partner('PROJECT', w.ids.county, { projectKind: 'PLANTING', budget: '500000.00' });
    const ent = await w.partner('ENTERPRISE', w.ids.region, { creditCode: code() });
    await w.admin.client.ok(PAIR, { p: ent, v: w.ids.v1, s: '2025-01-01' });
    const p = await w.admin.client.ok(`query($a: ID!, $b: ID!) { a: partner(id: $a) { termStart termEnd } b: partner(id: $b) { projectKind } }`, { a: fs, b: project });
    expect(p).toEqual({ a: { termStart: '2025-01-01', termEnd: '2027-12-31' }, b: { projectKind: 'PLANTING' } });

    const LIST = `query($c: String!, $a: String, $s: Boolean, $k: PartnerKind) { adminUnit(code: $c) { partners(first: 1, after: $a, serving: $s, kind: $k) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await w.admin.client.ok(LIST, { c: w.county.code })).adminUnit.partners;
    expect(first).toMatchObject({ totalCount: 2, edges: [{ node: { id: fs } }], pageInfo: { hasNextPage: true } });
    const second = (await w.admin.client.ok(LIST, { c: w.county.code, a: first.pageInfo.endCursor })).adminUnit.partners;
    expect(second).toMatchObject({ edges: [{ node: { id: project } }], pageInfo: { hasNextPage: false } });
    // serving: also the region's enterprise paired with a village of the county
    expect((await w.admin.client.ok(LIST, { c: w.county.code, s: true, k: 'ENTERPRISE' })).adminUnit.partners).toMatchObject({ totalCount: 1, edges: [{ node: { id: ent } }] });
    // not a kind: the schema refuses it (an enum) before anything runs
    expect((await w.admin.client.fails('BAD_USER_INPUT', LIST, { c: w.county.code, k: 'BANK' })).message).toMatch(/PartnerKind/);

    const user = await w.account(ent);
    expect((await user.ok(`{ me { partner { id kind } } }`)).me.partner).toEqual({ id: ent, kind: 'ENTERPRISE' });
    expect((await w.admin.client.ok(`{ me { partner { id } } }`)).me.partner).toBeNull();
  });

  test('support entries: a partner finds its own entry and corrects it; the correction is named; staff see all, paged', async ({ app }) => {
    const w = await world(app);
    const [a, b] = [await w.partner('ENTERPRISE', w.ids.region, { creditCode: code() }), await w.partner('ENTERPRISE', w.ids.region, { creditCode: code() })];
    for (const p of [a, b]) await w.admin.client.ok(PAIR, { p, v: w.ids.v1, s: '2025-01-01' });
    const [ua, ub] = [await w.account(a), await w.account(b)];
    const first = (await ua.ok(LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-05-01', visits: 2 } })).logSupport;
    await ub.ok(LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-05-02', meetings: 1 } });
    const LIST = `query($c: String!, $a: String) { adminUnit(code: $c) { supportEntries(from: "2025-01-01", to: "2025-12-31", first: 1, after: $a) {
      totalCount edges { node { id loggedOn visits meetings corrects correctedBy partner { id } village { code } } } pageInfo { hasNextPage endCursor } } } }`;
    const own = (await ua.ok(LIST, { c: w.v1.code })).adminUnit.supportEntries;
    expect(own).toEqual({ totalCount: 1, edges: [{ node: { id: first, loggedOn: '2025-05-01', visits: 2, meetings: 0, corrects: null, correctedBy: null, partner: { id: a }, village: { code: w.v1.code } } }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    const fix = (await ua.ok(CORRECT, { c: first, i: { villageId: w.ids.v1, loggedOn: '2025-05-01', visits: 3 } })).correctSupport;
    const staff = (await w.admin.client.ok(LIST, { c: w.county.code })).adminUnit.supportEntries;
    expect(staff.totalCount).toBe(3);
    expect(staff.edges[0].node).toMatchObject({ id: fix, corrects: first, visits: 3 });
    const rest = (await w.admin.client.ok(LIST, { c: w.county.code, a: staff.pageInfo.endCursor })).adminUnit.supportEntries;
    expect(rest.edges[0].node.partner).toEqual({ id: b });
    // a partner user names no other partner
    await ua.fails('NOT_FOUND', `query($c: String!, $p: ID!) { adminUnit(code: $c) { supportEntries(from: "2025-01-01", to: "2025-12-31", partnerId: $p) { totalCount } } }`, { c: w.v1.code, p: b });
  });
});

describe('smaller support rules', () => {
  test('an entry with no figures or dated in the future is refused; a correction into another village says why', async ({ app }) => {
    const w = await world(app);
    const ent = await w.partner('ENTERPRISE', w.ids.region, { creditCode: code() });
    for (const v of [w.ids.v1, w.ids.v2]) await w.admin.client.ok(PAIR, { p: ent, v, s: '2025-01-01' });
    const user = await w.account(ent);
    expect((await user.fails('BAD_USER_INPUT', LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-05-01' } })).message).toMatch(/figure/);
    await user.fails('BAD_USER_INPUT', LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-05-01', visits: 0, materialsValue: '0.00', note: 'nothing' } });
    const tomorrow = addDays(today(), 1);
    expect((await user.fails('BAD_USER_INPUT', LOG, { i: { villageId: w.ids.v1, loggedOn: tomorrow, visits: 1 } })).extensions?.field).toBe('loggedOn');
    // before the term began
    expect((await user.fails('BAD_USER_INPUT', LOG, { i: { villageId: w.ids.v1, loggedOn: '2024-12-31', visits: 1 } })).extensions?.field).toBe('loggedOn');
    const entry = (await user.ok(LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-05-01', materialsValue: '10.00' } })).logSupport;
    const other = await user.fails('BAD_USER_INPUT', CORRECT, { c: entry, i: { villageId: w.ids.v2, loggedOn: '2025-05-01', visits: 1 } });
    expect(other.extensions?.field).toBe('villageId');
    expect(other.message).toMatch(/same village/);
  });

  test('a partner whose pairing has ended logs and corrects support dated within its term, not after', async ({ app }) => {
    const w = await world(app);
    const ent = await w.partner('ENTERPRISE', w.ids.region, { creditCode: code() });
    await w.admin.client.ok(PAIR, { p: ent, v: w.ids.v1, s: '2024-01-01', e: '2025-07-01' });
    const user = await w.account(ent);
    // the village is no longer in its scope
    expect((await user.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: w.v1.code })).adminUnit).toBeNull();
    const entry = (await user.ok(LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-06-30', visits: 4 } })).logSupport;
    await user.ok(CORRECT, { c: entry, i: { villageId: w.ids.v1, loggedOn: '2025-06-30', visits: 5 } });
    expect((await user.fails('BAD_USER_INPUT', LOG, { i: { villageId: w.ids.v1, loggedOn: '2025-07-01', visits: 1 } })).extensions?.field).toBe('loggedOn');
    // a village it was never paired with stays not found
    await user.fails('NOT_FOUND', LOG, { i: { villageId: w.ids.v2, loggedOn: '2025-06-30', visits: 1 } });
    const totals = await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits } } }`, { c: w.v1.code });
    expect(totals.adminUnit.supportTotals).toEqual({ entries: 1, visits: 5 });
  });

  test('coverage: a department fills the DEPARTMENT slot only when its type follows the village\'s cause', async ({ app }) => {
    const w = await world(app);
    await app.asOwner((em) => em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2025, 3, 'THIRD'), (?, 2025, 3, 'THIRD')`, [w.v1.id, w.v2.id]));
    await app.asOwner((em) => em.execute(`insert into weak_designation (unit_id, year, cause) values (?, 2025, 'BACKWARD_ECONOMY')`, [w.v1.id]));
    const partyMass = await w.partner('DEPARTMENT', w.ids.region, { departmentType: 'PARTY_MASS' });
    for (const v of [w.ids.v1, w.ids.v2]) await w.admin.client.ok(PAIR, { p: partyMass, v, s: '2025-01-01' });
    const Q = `query($c: String!) { adminUnit(code: $c) { pairingCoverage(year: 2025) { slots { slot filled } gaps { village { code } missing } } } }`;
    const dept = (r: any) => r.adminUnit.pairingCoverage.slots.find((s: any) => s.slot === 'DEPARTMENT').filled;
    const before = await w.admin.client.ok(Q, { c: w.township.code });
    // v1's cause is a backward economy: a Party/mass department does not fill it; v2 has no cause recorded: any department does
    expect(dept(before)).toBe(1);
    expect(before.adminUnit.pairingCoverage.gaps.find((g: any) => g.village.code === w.v1.code).missing).toContain('DEPARTMENT');
    const economic = await w.partner('DEPARTMENT', w.ids.region, { departmentType: 'ECONOMIC' });
    await w.admin.client.ok(PAIR, { p: economic, v: w.ids.v1, s: '2025-01-01' });
    expect(dept(await w.admin.client.ok(Q, { c: w.township.code }))).toBe(2);
  });
});
