import { inScope } from '@jiceng/db';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const SET = `mutation($u: ID!, $y: Int!, $i: StandardInput!) { setRectificationStandard(unitId: $u, effectiveYear: $y, input: $i) { keyTargetShare complaintReplyWorkingDays workingGroupMin satisfactionMin } }`;
const DAY = `mutation($u: ID!, $d: LocalDate!, $k: CalendarDayKind) { setCalendarDay(unitId: $u, day: $d, kind: $k) }`;
const STANDARD = `query($c: String!, $y: Int) { adminUnit(code: $c) { rectificationStandard(year: $y) { keyTargetShare complaintReplyWorkingDays workingGroupMin effectiveYear setOn { code } } } }`;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const [platform, regionAdmin, countyAdmin, townshipAdmin] = [
    await app.user(region, ['PLATFORM_ADMIN']), await app.user(region, ['ORG_ADMIN']), await app.user(county, ['ORG_ADMIN']), await app.user(township, ['ORG_ADMIN']),
  ];
  const id = async (code: string) => (await platform.client.ok(ID, { c: code })).adminUnit.id as string;
  const ids = { region: await id(region.code), county: await id(county.code), township: await id(township.code), village: await id(village.code) };
  return { region, county, township, village, platform, regionAdmin, countyAdmin, townshipAdmin, ids };
}

describe('standards are set from above', () => {
  test('a township cannot set its own standard (the demo repro), a county neither; the unit above can, and the unit reads it back', async ({ app }) => {
    const w = await world(app);
    const lax = { keyTargetShare: 0, complaintReplyWorkingDays: 60, workingGroupMin: 1, satisfactionMin: 0 };
    const own = await w.townshipAdmin.client.fails('FORBIDDEN', SET, { u: w.ids.township, y: 2026, i: lax });
    expect(own.message).toMatch(/above/);
    await w.countyAdmin.client.fails('FORBIDDEN', SET, { u: w.ids.county, y: 2026, i: lax });
    await w.regionAdmin.client.fails('FORBIDDEN', SET, { u: w.ids.region, y: 2026, i: lax });
    // nothing was written: the township still follows the defaults
    expect((await w.townshipAdmin.client.ok(STANDARD, { c: w.township.code, y: 2026 })).adminUnit.rectificationStandard)
      .toEqual({ keyTargetShare: 0.1, complaintReplyWorkingDays: 3, workingGroupMin: 3, effectiveYear: null, setOn: null });
    // the county sets its township's standard; the township and its village read it back, with where it was set
    await w.countyAdmin.client.ok(SET, { u: w.ids.township, y: 2026, i: { keyTargetShare: 0.2, complaintReplyWorkingDays: 5 } });
    const read = await w.townshipAdmin.client.ok(STANDARD, { c: w.village.code, y: 2027 });
    expect(read.adminUnit.rectificationStandard).toEqual({ keyTargetShare: 0.2, complaintReplyWorkingDays: 5, workingGroupMin: 3, effectiveYear: 2026, setOn: { code: w.township.code } });
    expect((await w.townshipAdmin.client.ok(STANDARD, { c: w.village.code, y: 2025 })).adminUnit.rectificationStandard.keyTargetShare).toBe(0.1);
    // the region sets the county's; the platform the region's
    await w.regionAdmin.client.ok(SET, { u: w.ids.county, y: 2026, i: { workingGroupMin: 4 } });
    await w.platform.client.ok(SET, { u: w.ids.region, y: 2026, i: { workingGroupMin: 5 } });
    expect((await w.countyAdmin.client.ok(STANDARD, { c: w.county.code, y: 2026 })).adminUnit.rectificationStandard).toMatchObject({ workingGroupMin: 4, setOn: { code: w.county.code } });
    // the region's own row lies above the county admin's scope: readable, but not the unit itself
    expect((await w.countyAdmin.client.ok(STANDARD, { c: w.county.code, y: 2025 })).adminUnit.rectificationStandard).toMatchObject({ workingGroupMin: 3, setOn: null });
  });

  test('the database refuses a unit writing its own standards, calendar days or funding and pairing standards', async ({ app }) => {
    const w = await world(app);
    // each statement written with the scope of the unit it is about (the unit itself, not one above)
    for (const [sql, at] of [
      [`insert into rectification_standard (unit_id, effective_year, key_target_share) values (${w.township.id}, 2026, 0)`, w.township.path],
      [`insert into pairing_standard (unit_id, effective_year, min_projects) values (${w.township.id}, 2026, 0)`, w.township.path],
      [`insert into funding_standard (unit_id, key, effective_on, value) values (${w.region.id}, 'OFFICE', '2026-01-01', 1)`, w.region.path],
      [`insert into calendar_day (unit_id, day, kind) values (${w.region.id}, '2026-10-01', 'HOLIDAY')`, w.region.path],
    ] as const) {
      await expect(inScope(app.orm, [at], (em) => em.execute(sql)), sql).rejects.toThrow();
    }
    // from above, the same rows are accepted; a calendar day only on a region
    await inScope(app.orm, [w.county.path], (em) => em.execute(`insert into rectification_standard (unit_id, effective_year) values (?, 2026)`, [w.township.id]));
    await expect(inScope(app.orm, [w.region.path], (em) => em.execute(`insert into calendar_day (unit_id, day, kind) values (?, '2026-10-01', 'HOLIDAY')`, [w.county.id]))).rejects.toThrow();
  });

  test('public holidays and make-up workdays belong to the region: set from above it, read back by every unit below', async ({ app }) => {
    const w = await world(app);
    await w.regionAdmin.client.fails('FORBIDDEN', DAY, { u: w.ids.region, d: '2026-10-01', k: 'HOLIDAY' });
    expect((await w.regionAdmin.client.fails('BAD_USER_INPUT', DAY, { u: w.ids.county, d: '2026-10-01', k: 'HOLIDAY' })).extensions?.field).toBe('unitId');
    await w.countyAdmin.client.fails('FORBIDDEN', DAY, { u: w.ids.county, d: '2026-10-01', k: 'HOLIDAY' });
    for (const [d, k] of [['2026-10-01', 'HOLIDAY'], ['2026-10-02', 'HOLIDAY'], ['2026-10-10', 'WORKDAY'], ['2027-01-01', 'HOLIDAY']]) await w.platform.client.ok(DAY, { u: w.ids.region, d, k });
    const Q = `query($c: String!, $f: LocalDate!, $t: LocalDate!) { adminUnit(code: $c) { calendarDays(from: $f, to: $t) { day kind } } }`;
    const days = await w.townshipAdmin.client.ok(Q, { c: w.village.code, f: '2026-01-01', t: '2026-12-31' });
    expect(days.adminUnit.calendarDays).toEqual([{ day: '2026-10-01', kind: 'HOLIDAY' }, { day: '2026-10-02', kind: 'HOLIDAY' }, { day: '2026-10-10', kind: 'WORKDAY' }]);
    await w.platform.client.ok(DAY, { u: w.ids.region, d: '2026-10-02', k: null });
    expect((await w.countyAdmin.client.ok(Q, { c: w.county.code, f: '2026-10-01', t: '2026-10-31' })).adminUnit.calendarDays).toEqual([{ day: '2026-10-01', kind: 'HOLIDAY' }, { day: '2026-10-10', kind: 'WORKDAY' }]);
    expect((await w.countyAdmin.client.fails('BAD_USER_INPUT', Q, { c: w.county.code, f: '2026-01-01', t: '2029-01-01' })).extensions?.field).toBe('to');
  });
});

describe('every record can be read back', () => {
  test('a designation, the assessments over the years, the acceptance, a complaint\'s village, and counts of cases and complaints', async ({ app }) => {
    const w = await world(app);
    const other = await w.township.village();
    const admin = w.countyAdmin.client;
    const otherId = (await admin.ok(ID, { c: other.code })).adminUnit.id;
    for (const [y, s] of [[2023, 9], [2024, 6], [2025, 3]] as const) await admin.ok(`mutation($v: ID!, $y: Int!, $s: Int!) { assessVillage(villageId: $v, year: $y, stars: $s) { category } }`, { v: w.ids.village, y, s });
    await admin.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 2) { category } }`, { v: otherId });
    await admin.ok(`mutation($v: ID!) { designateWeakVillage(villageId: $v, year: 2025, cause: FINANCIAL_CHAOS, problemTypes: ["ASSETS_CHAOS", "OTHER"]) }`, { v: w.ids.village });
    const R = `query($c: String!) { adminUnit(code: $c) { designation(year: 2025) { year cause problemTypes designatedOn } assessments { year stars category } recent: assessments(fromYear: 2024) { year } } }`;
    const r = (await admin.ok(R, { c: w.village.code })).adminUnit;
    expect(r.designation).toMatchObject({ year: 2025, cause: 'FINANCIAL_CHAOS', problemTypes: ['ASSETS_CHAOS', 'OTHER'] });
    expect(r.designation.designatedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.assessments).toEqual([{ year: 2023, stars: 9, category: 'FIRST' }, { year: 2024, stars: 6, category: 'SECOND' }, { year: 2025, stars: 3, category: 'THIRD' }]);
    expect(r.recent).toEqual([{ year: 2024 }, { year: 2025 }]);
    expect((await admin.ok(R, { c: other.code })).adminUnit.designation).toBeNull();

    const cases = await admin.ok(`query($c: String!) { adminUnit(code: $c) { cases(year: 2025, first: 1) { totalCount edges { node { id acceptance { acceptedOn } acceptances { acceptedOn } } } } } }`, { c: w.county.code });
    expect(cases.adminUnit.cases.totalCount).toBe(2);
    expect(cases.adminUnit.cases.edges[0].node).toMatchObject({ acceptance: null, acceptances: [] });
    const caseId = cases.adminUnit.cases.edges[0].node.id;
    await app.asOwner((em) => em.execute(`update rectification_case set state = 'TRANSFORMED', transformed_on = '2025-06-01' where id = (select id from rectification_case where unit_id = ? and year = 2025)`, [w.village.id]));
    const villageCase = (await admin.ok(`query($c: String!) { adminUnit(code: $c) { cases(year: 2025) { edges { node { id } } } } }`, { c: w.village.code })).adminUnit.cases.edges[0].node.id;
    await admin.ok(`mutation($id: ID!) { recordAcceptance(caseId: $id, acceptedOn: "2025-11-20", satisfactionRate: 0.92, note: "群众满意") { id } }`, { id: villageCase });
    const acc = await admin.ok(`query($id: ID!) { rectificationCase(id: $id) { acceptance { acceptedOn satisfactionRate note by } acceptances { acceptedOn } } }`, { id: villageCase });
    expect(acc.rectificationCase.acceptance).toEqual({ acceptedOn: '2025-11-20', satisfactionRate: 0.92, note: '群众满意', by: w.countyAdmin.username });
    expect(acc.rectificationCase.acceptances).toHaveLength(1);
    expect(caseId).toBeDefined();

    await admin.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-01", summary: "x") { id village { code } } }`, { v: w.ids.village });
    const c = await admin.ok(`query($c: String!) { adminUnit(code: $c) { complaints(year: 2025) { totalCount edges { node { village { code } } } } } }`, { c: w.county.code });
    expect(c.adminUnit.complaints).toEqual({ totalCount: 1, edges: [{ node: { village: { code: w.village.code } } }] });
  });

  test('the read fields are batched: a list of units costs the same statements at two sizes', async ({ app }) => {
    const counts: number[] = [];
    for (const n of [2, 5]) {
      const county = await (await app.tree.region()).county();
      const admin = await app.user(county, ['ORG_ADMIN']);
      for (let i = 0; i < n; i++) await county.township();
      app.sqlCount = 0;
      const r = await admin.client.ok(`query($c: String!) { adminUnit(code: $c) { children(first: 50) { edges { node {
        partyMembers rectificationStandard(year: 2025) { keyTargetShare } calendarDays(from: "2025-01-01", to: "2025-12-31") { day } designation(year: 2025) { cause } assessments { year } } } } } }`, { c: county.code });
      expect(r.adminUnit.children.edges).toHaveLength(n);
      counts.push(app.sqlCount);
    }
    expect(counts[1]).toBe(counts[0]);
  });

  test('above villages, partyMembers is the sum over the subtree\'s villages', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    await (await county.township()).village(undefined, { partyMembers: 40 });
    await (await county.township()).village(undefined, { partyMembers: 12 });
    const admin = await app.user(region, ['ORG_ADMIN']);
    const r = await admin.client.ok(`query($r: String!, $c: String!) { r: adminUnit(code: $r) { partyMembers } c: adminUnit(code: $c) { partyMembers } }`, { r: region.code, c: county.code });
    expect(r).toEqual({ r: { partyMembers: 52 }, c: { partyMembers: 52 } });
  });
});
