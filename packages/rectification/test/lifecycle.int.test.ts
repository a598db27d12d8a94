import { test, expect, describe, type TestApp } from '@jiceng/testkit';

// Issue 11 "The rectification lifecycle" and the smaller complaint rules, each as reproduced over HTTP.
const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const CASE = `query($c: String!, $y: Int!) { adminUnit(code: $c) { cases(year: $y) { edges { node {
  id state version transformedOn closedOn allowedNextStates previousCase { id state } problems { id } history { from to reason on } } } } } }`;
const TRANSITION = `mutation($id: ID!, $to: CaseState!, $on: LocalDate!) { transitionCase(id: $id, to: $to, reason: "test", on: $on) { state transformedOn closedOn } }`;
const PREPARE = `mutation($id: ID!, $g: [String!]) { updateRectificationCase(id: $id, input: { plan: "一村一策", responsibleLeader: "王镇长", workingGroup: $g }) { id } }`;
const ADD_PROBLEM = `mutation($id: ID!) { addProblemItem(caseId: $id, input: { problem: "班子不齐", measure: "配强书记", responsible: "张三", dueOn: "2025-06-01" }) { problems { id } } }`;
const RESOLVE = `mutation($id: ID!, $on: LocalDate!) { resolveProblemItem(id: $id, resolvedOn: $on, evidence: "会议记录") }`;
const ACCEPT = `mutation($id: ID!, $on: LocalDate!) { recordAcceptance(caseId: $id, acceptedOn: $on, satisfactionRate: 0.9) { id } }`;
const ASSESS = `mutation($v: ID!, $y: Int!, $s: Int!) { assessVillage(villageId: $v, year: $y, stars: $s) { category } }`;
const SUMMARY = `query($c: String!) { adminUnit(code: $c) { rectificationSummary(year: 2025) { thirdCategory targets casesByState { state count } } } }`;
const GROUP = ['甲', '乙', '丙'];

async function setup(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const admin = await app.user(county, ['ORG_ADMIN']);
  const villageId = (await admin.client.ok(ID, { c: village.code })).adminUnit.id;
  return { region, county, township, village, admin, villageId };
}
type World = Awaited<ReturnType<typeof setup>>;

async function caseOf(w: World, year = 2025) {
  return (await w.admin.client.ok(CASE, { c: w.village.code, y: year })).adminUnit.cases.edges[0]?.node;
}

async function openCase(w: World, year = 2025, stars = 3) {
  await w.admin.client.ok(ASSESS, { v: w.villageId, y: year, s: stars });
  return caseOf(w, year);
}

/** A 2025 case carried to TRANSFORMED on 5 June: started 1 May, its one problem resolved 30 May. */
async function transformed(w: World) {
  const c = await openCase(w);
  await w.admin.client.ok(PREPARE, { id: c.id, g: GROUP });
  const { addProblemItem } = await w.admin.client.ok(ADD_PROBLEM, { id: c.id });
  await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' });
  await w.admin.client.ok(RESOLVE, { id: addProblemItem.problems[0].id, on: '2025-05-30' });
  await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-05' });
  return c;
}

describe('gates', () => {
  test('an IDENTIFIED case takes no acceptance and cannot start without plan, problem item, leader and a working group of the standard size', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(w);
    const acc = await w.admin.client.fails('INVALID_TRANSITION', ACCEPT, { id: c.id, on: '2025-11-20' });
    expect(acc.message).toContain('IDENTIFIED');
    // the standard's working group size is read, not hard-coded: the region sets 4 for the county
    const regionAdmin = await app.user(w.region, ['ORG_ADMIN']);
    const countyId = (await regionAdmin.client.ok(ID, { c: w.county.code })).adminUnit.id;
    await regionAdmin.client.ok(`mutation($u: ID!) { setRectificationStandard(unitId: $u, effectiveYear: 2025, input: { workingGroupMin: 4 }) { workingGroupMin } }`, { u: countyId });
    const bare = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' });
    expect(bare.message).toBe('the case cannot leave IDENTIFIED without a plan (一村一策), at least one problem item, a responsible leader, a working group of at least 4 (has 0)');
    expect(bare.extensions!.allowedNextStates).toEqual(['RECTIFYING']);
    // a group of 3 was enough before the standard changed; it is no longer
    await app.asOwner((em) => em.execute(`update rectification_case set plan = 'p', responsible_leader = 'l', working_group = '{a,b,c}' where unit_id = ?`, [w.village.id]));
    await w.admin.client.ok(ADD_PROBLEM, { id: c.id });
    const small = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' });
    expect(small.message).toBe('the case cannot leave IDENTIFIED without a working group of at least 4 (has 3)');
    await w.admin.client.ok(PREPARE, { id: c.id, g: [...GROUP, '丁'] });
    expect((await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' })).transitionCase.state).toBe('RECTIFYING');
  });

  test('TRANSFORMED needs problem items, every one resolved, none after the date', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(w);
    // a case that reached RECTIFYING with no problem list (as older data may have)
    await app.asOwner((em) => em.execute(`update rectification_case set state = 'RECTIFYING' where unit_id = ?`, [w.village.id]));
    const none = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-05' });
    expect(none.message).toBe('a case with no problem items cannot be transformed');
    const { addProblemItem } = await w.admin.client.ok(ADD_PROBLEM, { id: c.id });
    expect((await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-05' })).message).toBe('1 problem item(s) are not resolved');
    await w.admin.client.ok(RESOLVE, { id: addProblemItem.problems[0].id, on: '2025-06-10' });
    const early = await w.admin.client.fails('BAD_USER_INPUT', TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-05' });
    expect(early.extensions!.field).toBe('on');
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-10' });
  });

  test('acceptance only on TRANSFORMED or CONSOLIDATED, not before the transformation; a closed case takes no change', async ({ app }) => {
    const w = await setup(app);
    const c = await transformed(w);
    const before = await w.admin.client.fails('BAD_USER_INPUT', ACCEPT, { id: c.id, on: '2025-06-04' });
    expect(before.message).toContain('the acceptance cannot be dated before the transformation (2025-06-05)');
    expect(before.extensions!.field).toBe('acceptedOn');
    await w.admin.client.ok(ACCEPT, { id: c.id, on: '2025-11-20' });
    // no new problems once transformed
    await w.admin.client.fails('INVALID_TRANSITION', ADD_PROBLEM, { id: c.id });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'CONSOLIDATED', on: '2025-07-01' });
    const closed = await w.admin.client.ok(TRANSITION, { id: c.id, to: 'CLOSED', on: '2025-11-25' });
    expect(closed.transitionCase).toEqual({ state: 'CLOSED', transformedOn: '2025-06-05', closedOn: '2025-11-25' });
    const item = (await caseOf(w)).problems[0].id;
    for (const [q, v] of [
      [ADD_PROBLEM, { id: c.id }],
      [ACCEPT, { id: c.id, on: '2020-01-01' }],
      [ACCEPT, { id: c.id, on: '2025-11-30' }],
      [RESOLVE, { id: item, on: '2025-11-30' }],
      [PREPARE, { id: c.id, g: GROUP }],
      [TRANSITION, { id: c.id, to: 'RELAPSED', on: '2025-12-01' }],
    ] as const) {
      const e = await w.admin.client.fails('INVALID_TRANSITION', q, v);
      expect(e.message).toContain('CLOSED case accepts no further change');
    }
    expect(await app.asOwner((em) => em.execute(`select count(*)::int as n from acceptance where unit_id = ?`, [w.village.id]))).toEqual([{ n: 1 }]);
    // ... except being linked by a relapse in a later year
    await openCase(w, 2026);
    expect((await caseOf(w, 2026)).previousCase).toEqual({ id: c.id, state: 'RELAPSED' });
  });
});

describe('dates', () => {
  test('each move carries the date it happened: not in the future, not before the previous move', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(w);
    await w.admin.client.ok(PREPARE, { id: c.id, g: GROUP });
    await w.admin.client.ok(ADD_PROBLEM, { id: c.id });
    const future = await w.admin.client.fails('BAD_USER_INPUT', TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2099-01-01' });
    expect(future.extensions!.field).toBe('on');
    expect(future.message).toContain('cannot be in the future');
    // a 2025 case cannot start before 2025
    expect((await w.admin.client.fails('BAD_USER_INPUT', TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2024-12-31' })).extensions!.field).toBe('on');
    await w.admin.client.fails('BAD_USER_INPUT', TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-02-30' });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' });
    const item = (await caseOf(w)).problems[0].id;
    await w.admin.client.ok(RESOLVE, { id: item, on: '2025-05-20' });
    const back = await w.admin.client.fails('BAD_USER_INPUT', TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-04-30' });
    expect(back.message).toContain('the case cannot move before its previous transition (2025-05-01)');
    // a 2025 transformation recorded today (2026 or later) keeps its 2025 date
    const t = await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-02' });
    expect(t.transitionCase.transformedOn).toBe('2025-06-02');
    const h = (await caseOf(w)).history;
    expect(h.map((x: any) => [x.to, x.on])).toEqual([['IDENTIFIED', '2025-12-31'], ['RECTIFYING', '2025-05-01'], ['TRANSFORMED', '2025-06-02']]);
  });
});

describe('re-rating', () => {
  test('a re-rating out of the third category withdraws an untouched case with its reason; a third-category rating identifies it again', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(w, 2025, 4);
    await w.admin.client.ok(ASSESS, { v: w.villageId, y: 2025, s: 9 });
    const after = await caseOf(w);
    expect(after).toMatchObject({ id: c.id, state: 'WITHDRAWN', allowedNextStates: [] });
    expect(after.history.at(-1)).toMatchObject({ from: 'IDENTIFIED', to: 'WITHDRAWN', reason: 'withdrawn: re-rated 9 stars (FIRST) for 2025' });
    const s = (await w.admin.client.ok(SUMMARY, { c: w.county.code })).adminUnit.rectificationSummary;
    expect(s).toEqual({ thirdCategory: 0, targets: 0, casesByState: [{ state: 'WITHDRAWN', count: 1 }] });
    // a withdrawn case takes no work
    await w.admin.client.fails('INVALID_TRANSITION', ADD_PROBLEM, { id: c.id });
    await openCase(w, 2025, 2);
    expect((await caseOf(w)).state).toBe('IDENTIFIED');
  });

  test('once work has started the re-rating is refused with what was done; a designated village keeps its case', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(w, 2025, 4);
    await w.admin.client.ok(ADD_PROBLEM, { id: c.id });
    const e = await w.admin.client.fails('INVALID_TRANSITION', ASSESS, { v: w.villageId, y: 2025, s: 9 });
    expect(e.message).toBe("the village's 2025 rectification case has started (1 problem item(s) are listed): it cannot be re-rated out of the third category; carry the case through its lifecycle instead");
    expect((await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { assessment(year: 2025) { stars } } }`, { c: w.village.code })).adminUnit.assessment.stars).toBe(4);
    // designated weak that year: still a target, the case stays open
    const other = await w.township.village();
    const otherId = (await w.admin.client.ok(ID, { c: other.code })).adminUnit.id;
    await w.admin.client.ok(ASSESS, { v: otherId, y: 2025, s: 3 });
    await w.admin.client.ok(`mutation($v: ID!) { designateWeakVillage(villageId: $v, year: 2025, cause: FINANCIAL_CHAOS, problemTypes: ["ASSETS_CHAOS"]) }`, { v: otherId });
    await w.admin.client.ok(ASSESS, { v: otherId, y: 2025, s: 6 });
    const kept = (await w.admin.client.ok(CASE, { c: other.code, y: 2025 })).adminUnit.cases.edges[0].node;
    expect(kept.state).toBe('IDENTIFIED');
  });

  test('withdrawing the case undoes the relapse it caused', async ({ app }) => {
    const w = await setup(app);
    await openCase(w, 2024);
    await app.asOwner((em) => em.execute(`update rectification_case set state = 'CLOSED' where unit_id = ? and year = 2024`, [w.village.id]));
    await openCase(w, 2025, 3);
    expect((await caseOf(w, 2024)).state).toBe('RELAPSED');
    await w.admin.client.ok(ASSESS, { v: w.villageId, y: 2025, s: 7 });
    const back = await caseOf(w, 2024);
    expect(back.state).toBe('CLOSED');
    expect(back.history.at(-1)).toMatchObject({ from: 'RELAPSED', to: 'CLOSED' });
    expect((await caseOf(w)).previousCase).toBeNull();
  });
});

describe('paralysed teams (瘫痪班子)', () => {
  test('accountability counts designations recorded as paralysed, newly this year; weak/lax alone is not paralysis', async ({ app }) => {
    const w = await setup(app);
    const v2 = await w.township.village();
    const v2Id = (await w.admin.client.ok(ID, { c: v2.code })).adminUnit.id;
    const v3 = await w.township.village();
    const v3Id = (await w.admin.client.ok(ID, { c: v3.code })).adminUnit.id;
    const DESIGNATE = `mutation($v: ID!, $y: Int!, $p: Boolean!, $c: WeaknessCause = WEAK_LAX) { designateWeakVillage(villageId: $v, year: $y, cause: $c, problemTypes: ["LEADERSHIP"], paralysed: $p) }`;
    const Q = `query($c: String!) { adminUnit(code: $c) { accountability(year: 2025) { newlyParalysed consequence } } }`;
    await w.admin.client.ok(DESIGNATE, { v: w.villageId, y: 2025, p: false });
    expect((await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.accountability).toEqual([]);
    await w.admin.client.ok(DESIGNATE, { v: v2Id, y: 2025, p: true });
    // paralysed the year before too: not newly paralysed
    await w.admin.client.ok(DESIGNATE, { v: v3Id, y: 2024, p: true });
    await w.admin.client.ok(DESIGNATE, { v: v3Id, y: 2025, p: true });
    expect((await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.accountability).toEqual([{ newlyParalysed: 1, consequence: 'CRITICISM' }]);
    await w.admin.client.ok(DESIGNATE, { v: w.villageId, y: 2025, p: true });
    expect((await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.accountability).toEqual([{ newlyParalysed: 2, consequence: 'ONE_GRADE_DOWN' }]);
    const bad = await w.admin.client.fails('BAD_USER_INPUT', DESIGNATE, { v: v2Id, y: 2025, p: true, c: 'BACKWARD_ECONOMY' });
    expect(bad.extensions!.field).toBe('paralysed');
  });
});

describe('complaints', () => {
  test('a reply dated before receipt (or in the future) is refused', async ({ app }) => {
    const w = await setup(app);
    const r = await w.admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-10", summary: "账目不清") { id } }`, { v: w.villageId });
    const REPLY = `mutation($id: ID!, $on: LocalDate!) { replyComplaint(id: $id, repliedOn: $on, result: "已核查") { repliedOn } }`;
    const early = await w.admin.client.fails('BAD_USER_INPUT', REPLY, { id: r.receiveComplaint.id, on: '2025-09-09' });
    expect(early.message).toContain('cannot be before the complaint was received (2025-09-10)');
    expect(early.extensions!.field).toBe('repliedOn');
    expect((await w.admin.client.fails('BAD_USER_INPUT', REPLY, { id: r.receiveComplaint.id, on: '2099-09-11' })).extensions!.field).toBe('repliedOn');
    expect((await w.admin.client.ok(REPLY, { id: r.receiveComplaint.id, on: '2025-09-10' })).replyComplaint.repliedOn).toBe('2025-09-10');
  });

  test('holidays declared after receipt move the due date of open complaints, not of answered ones', async ({ app }) => {
    const w = await setup(app);
    const RECEIVE = `mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-30", summary: "x") { id replyDueOn } }`;
    const open = (await w.admin.client.ok(RECEIVE, { v: w.villageId })).receiveComplaint;
    const answered = (await w.admin.client.ok(RECEIVE, { v: w.villageId })).receiveComplaint;
    expect(open.replyDueOn).toBe('2025-10-03'); // Tue 30 Sep + 3 working days, no holidays yet
    await w.admin.client.ok(`mutation($id: ID!) { replyComplaint(id: $id, repliedOn: "2025-10-02", result: "r") { id } }`, { id: answered.id });
    // public holidays belong to the region, set from above it (here the platform)
    const regionAdmin = await app.user(w.region, ['PLATFORM_ADMIN']);
    const DAY = `mutation($u: ID!, $d: LocalDate!, $k: CalendarDayKind) { setCalendarDay(unitId: $u, day: $d, kind: $k) }`;
    const unit = (await regionAdmin.client.ok(ID, { c: w.region.code })).adminUnit.id;
    for (const d of ['2025-10-01', '2025-10-02', '2025-10-03']) await regionAdmin.client.ok(DAY, { u: unit, d, k: 'HOLIDAY' });
    const DUE = `query($c: String!) { adminUnit(code: $c) { complaints(year: 2025) { edges { node { id replyDueOn } } } } }`;
    const due = async () => Object.fromEntries((await w.admin.client.ok(DUE, { c: w.county.code })).adminUnit.complaints.edges.map((e: any) => [e.node.id, e.node.replyDueOn]));
    // Wed–Fri are holidays: Mon 6, Tue 7, Wed 8 October
    expect(await due()).toEqual({ [open.id]: '2025-10-08', [answered.id]: '2025-10-03' });
    // a make-up workday on Saturday 4 October, and a holiday removed again
    await regionAdmin.client.ok(DAY, { u: unit, d: '2025-10-04', k: 'WORKDAY' });
    expect((await due())[open.id]).toBe('2025-10-07');
    await regionAdmin.client.ok(DAY, { u: unit, d: '2025-10-03', k: null });
    expect((await due())[open.id]).toBe('2025-10-06');
  });
});
