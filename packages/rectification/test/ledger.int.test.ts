import fc from 'fast-check';
import { inScope } from '@jiceng/db';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const CASES = `query($c: String!, $y: Int!) { adminUnit(code: $c) { cases(year: $y) { edges { node { id state version allowedNextStates previousCase { id state } village { code } problems { id overdue } history { from to reason } } } } } }`;
const TRANSITION = `mutation($id: ID!, $to: CaseState!, $v: Int, $on: LocalDate = "2025-06-05") { transitionCase(id: $id, to: $to, reason: "test", on: $on, expectedVersion: $v) { state version } }`;
const PREPARE = `mutation($id: ID!) { updateRectificationCase(id: $id, input: { plan: "一村一策", responsibleLeader: "王镇长", workingGroup: ["甲", "乙", "丙"] }) { id } }`;
const ADD_PROBLEM = `mutation($id: ID!) { addProblemItem(caseId: $id, input: { problem: "班子不齐", measure: "配强书记", responsible: "张三", dueOn: "2025-06-01" }) { problems { id } } }`;
const RESOLVE = `mutation($id: ID!) { resolveProblemItem(id: $id, resolvedOn: "2025-05-30", evidence: "会议记录") }`;

/** Gives a case what it needs to start (plan, leader, working group, one problem item) and resolves the item. */
async function readyToTransform(client: TestApp['anonymous'], caseId: string) {
  await client.ok(PREPARE, { id: caseId });
  const r = await client.ok(ADD_PROBLEM, { id: caseId });
  for (const p of r.addProblemItem.problems) await client.ok(RESOLVE, { id: p.id });
}

async function setup(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const sibling = await (await region.county()).township();
  const siblingVillage = await sibling.village();
  const admin = await app.user(county, ['ORG_ADMIN']);
  const villageId = (await admin.client.ok(ID, { c: village.code })).adminUnit.id;
  return { region, county, township, village, siblingVillage, admin, villageId };
}

async function openCase(_app: TestApp, w: Awaited<ReturnType<typeof setup>>, year = 2025) {
  await w.admin.client.ok(`mutation($v: ID!, $y: Int!) { assessVillage(villageId: $v, year: $y, stars: 3) { category } }`, { v: w.villageId, y: year });
  const r = await w.admin.client.ok(CASES, { c: w.village.code, y: year });
  return r.adminUnit.cases.edges[0].node;
}

describe('assessments and cases', () => {
  test('a third-category rating opens a case; stars out of range are refused', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(app, w);
    expect(c).toMatchObject({ state: 'IDENTIFIED', allowedNextStates: ['RECTIFYING'], village: { code: w.village.code } });
    const bad = await w.admin.client.fails('BAD_USER_INPUT', `mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 11) { category } }`, { v: w.villageId });
    expect(bad.extensions!.field).toBe('stars');
    const good = await w.admin.client.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2024, stars: 9) { category } }`, { v: w.villageId });
    expect(good.assessVillage.category).toBe('FIRST');
  });

  test('a working group smaller than the standard is refused with a clear error', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(app, w);
    const err = await w.admin.client.fails('BAD_USER_INPUT', `mutation($id: ID!) { updateRectificationCase(id: $id, input: { workingGroup: ["甲", "乙"] }) { id } }`, { id: c.id });
    expect(err.message).toContain('at least 3');
    await w.admin.client.ok(`mutation($id: ID!) { updateRectificationCase(id: $id, input: { workingGroup: ["甲", "乙", "丙"], plan: "一村一策", publicizedOn: "2025-05-01" }) { workingGroup } }`, { id: c.id });
  });

  test('every legal transition, each guard, and illegal ones with the allowed next states', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(app, w);
    const illegal = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'CLOSED' });
    expect(illegal.extensions!.allowedNextStates).toEqual(['RECTIFYING']);
    // leaving IDENTIFIED needs a plan, a problem item, a responsible leader and a working group
    const bare = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'RECTIFYING' });
    expect(bare.message).toContain('plan');
    expect(bare.extensions!.missing).toHaveLength(4);
    await w.admin.client.ok(PREPARE, { id: c.id });
    await w.admin.client.ok(`mutation($id: ID!) { addProblemItem(caseId: $id, input: { problem: "班子不齐", measure: "配强书记", responsible: "张三", dueOn: "2020-01-01" }) { id } }`, { id: c.id });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING', on: '2025-05-01' });
    const guarded = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'TRANSFORMED' });
    expect(guarded.message).toContain('not resolved');
    const withItems = (await w.admin.client.ok(CASES, { c: w.village.code, y: 2025 })).adminUnit.cases.edges[0].node;
    expect(withItems.problems[0].overdue).toBe(true);
    await w.admin.client.ok(`mutation($id: ID!) { resolveProblemItem(id: $id, resolvedOn: "2025-06-01", evidence: "会议记录") }`, { id: withItems.problems[0].id });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED', on: '2025-06-05' });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'CONSOLIDATED', on: '2025-07-01' });
    // closing needs an acceptance at or above the satisfaction threshold and the consolidation period
    await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'CLOSED', on: '2025-11-25' });
    await w.admin.client.ok(`mutation($id: ID!) { recordAcceptance(caseId: $id, acceptedOn: "2025-11-20", satisfactionRate: 0.6) { id } }`, { id: c.id });
    await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'CLOSED', on: '2025-11-25' });
    await w.admin.client.ok(`mutation($id: ID!) { recordAcceptance(caseId: $id, acceptedOn: "2025-11-21", satisfactionRate: 0.92) { id } }`, { id: c.id });
    // the consolidation period is a standard set from above: at 6 months a June transformation cannot close in November
    const regionAdmin = await app.user(w.region, ['ORG_ADMIN']);
    const countyId = (await regionAdmin.client.ok(ID, { c: w.county.code })).adminUnit.id;
    const SET = `mutation($u: ID!, $m: Int!) { setRectificationStandard(unitId: $u, effectiveYear: 2025, input: { consolidationMonths: $m }) { consolidationMonths } }`;
    await regionAdmin.client.ok(SET, { u: countyId, m: 6 });
    const period = await w.admin.client.fails('INVALID_TRANSITION', TRANSITION, { id: c.id, to: 'CLOSED', on: '2025-11-25' });
    expect(period.message).toBe('the consolidation period of 6 months runs until 2025-12-05');
    // the default (4 months: consolidation July–October, seed 000) lets seed 000's own timeline close
    await regionAdmin.client.ok(SET, { u: countyId, m: 4 });
    const closed = await w.admin.client.ok(TRANSITION, { id: c.id, to: 'CLOSED', on: '2025-11-25' });
    expect(closed.transitionCase.state).toBe('CLOSED');
    const after = (await w.admin.client.ok(CASES, { c: w.village.code, y: 2025 })).adminUnit.cases.edges[0].node;
    expect(after.history.map((h: any) => h.to)).toEqual(['IDENTIFIED', 'RECTIFYING', 'TRANSFORMED', 'CONSOLIDATED', 'CLOSED']);
    // a closed village that falls back to third category relapses: a new case linked to the earlier one
    await openCase(app, w, 2026);
    const next = (await w.admin.client.ok(CASES, { c: w.village.code, y: 2026 })).adminUnit.cases.edges[0].node;
    expect(next.previousCase).toEqual({ id: c.id, state: 'RELAPSED' });
  });

  test('two users closing the same case at once: one succeeds, the other gets CONFLICT', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(app, w);
    await readyToTransform(w.admin.client, c.id);
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING' });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED' });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'CONSOLIDATED', on: '2025-07-01' });
    await w.admin.client.ok(`mutation($id: ID!) { recordAcceptance(caseId: $id, acceptedOn: "2025-11-21", satisfactionRate: 0.95) { id } }`, { id: c.id });
    const other = await app.user(w.county, ['ORG_ADMIN']);
    const { version } = (await w.admin.client.ok(CASES, { c: w.village.code, y: 2025 })).adminUnit.cases.edges[0].node;
    const results = await Promise.all([
      w.admin.client.request(TRANSITION, { id: c.id, to: 'CLOSED', v: version, on: '2025-11-25' }),
      other.client.request(TRANSITION, { id: c.id, to: 'CLOSED', v: version, on: '2025-11-25' }),
    ]);
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
  });

  test('complaints are due 3 working days later on the region calendar', async ({ app }) => {
    const w = await setup(app);
    await app.asOwner((em) =>
      em.execute(`insert into calendar_day (unit_id, day, kind) values (?, '2025-10-01', 'HOLIDAY'), (?, '2025-10-02', 'HOLIDAY'), (?, '2025-09-28', 'WORKDAY')`, [w.region.id, w.region.id, w.region.id]),
    );
    const r = await w.admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-26", summary: "账目不清") { id replyDueOn } }`, { v: w.villageId });
    expect(r.receiveComplaint.replyDueOn).toBe('2025-09-30');
    const r2 = await w.admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-30", summary: "x") { replyDueOn } }`, { v: w.villageId });
    expect(r2.receiveComplaint.replyDueOn).toBe('2025-10-07');
    const list = await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { complaints(year: 2025, first: 1) { edges { node { replyDueOn } } pageInfo { hasNextPage endCursor } } } }`, { c: w.county.code });
    expect(list.adminUnit.complaints.edges.map((e: any) => e.node.replyDueOn)).toEqual(['2025-09-30']);
    const rest = await w.admin.client.ok(`query($c: String!, $a: String) { adminUnit(code: $c) { complaints(year: 2025, after: $a) { edges { node { replyDueOn } } pageInfo { hasNextPage } } } }`,
      { c: w.county.code, a: list.adminUnit.complaints.pageInfo.endCursor });
    expect(rest.adminUnit.complaints).toEqual({ edges: [{ node: { replyDueOn: '2025-10-07' } }], pageInfo: { hasNextPage: false } });
  });
});

describe('dashboards', () => {
  test('rectificationSummary counts the subtree only; key targets and accountability per township', async ({ app }) => {
    const w = await setup(app);
    const other = await w.township.village();
    const otherId = (await w.admin.client.ok(ID, { c: other.code })).adminUnit.id;
    const c = await openCase(app, w);
    await w.admin.client.ok(`mutation($v: ID!) { designateWeakVillage(villageId: $v, year: 2025, cause: WEAK_LAX, problemTypes: ["LEADERSHIP"], paralysed: true) }`, { v: w.villageId });
    await w.admin.client.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 9) { category } }`, { v: otherId });
    await readyToTransform(w.admin.client, c.id);
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'RECTIFYING' });
    await w.admin.client.ok(TRANSITION, { id: c.id, to: 'TRANSFORMED' });
    // 2025 is counted as of its last day: the transitions happened in 2025
    await app.asOwner((em) => em.execute(`update case_transition set happened_on = '2025-07-01' where unit_id = ?`, [w.village.id]));
    await w.admin.client.ok(`mutation($v: ID!) { markKeyTarget(villageId: $v, year: 2025) { code } }`, { v: w.villageId });
    await w.admin.client.fails('BAD_USER_INPUT', `mutation($v: ID!) { markKeyTarget(villageId: $v, year: 2025) { code } }`, { v: otherId });
    const q = `query($c: String!) { adminUnit(code: $c) { rectificationSummary(year: 2025) { assessed thirdCategory targets transformed transformationRate keyTargets byCause { cause count } }
      keyTargets(year: 2025) { villages keyTargets required shortfall } accountability(year: 2025) { newlyParalysed consequence } } }`;
    const r = await w.admin.client.ok(q, { c: w.county.code });
    expect(r.adminUnit.rectificationSummary).toEqual({ assessed: 2, thirdCategory: 1, targets: 1, transformed: 1, transformationRate: 1, keyTargets: 1, byCause: [{ cause: 'WEAK_LAX', count: 1 }] });
    expect(r.adminUnit.keyTargets).toEqual([{ villages: 2, keyTargets: 1, required: 1, shortfall: 0 }]);
    expect(r.adminUnit.accountability).toEqual([{ newlyParalysed: 1, consequence: 'CRITICISM' }]);
    // a sibling county's admin sees none of it
    const stranger = await app.user(w.siblingVillage, ['ORG_ADMIN']);
    expect((await stranger.client.ok(q, { c: w.county.code })).adminUnit).toBeNull();
    await stranger.client.fails('NOT_FOUND', TRANSITION, { id: c.id, to: 'CONSOLIDATED' });
    const inspector = await app.user(w.county, ['INSPECTOR']);
    await inspector.client.fails('FORBIDDEN', TRANSITION, { id: c.id, to: 'CONSOLIDATED' });
  });

  test('accountability thresholds are a configurable standard of the region', async ({ app }) => {
    const w = await setup(app);
    await w.admin.client.ok(`mutation($v: ID!) { designateWeakVillage(villageId: $v, year: 2025, cause: WEAK_LAX, problemTypes: ["LEADERSHIP"], paralysed: true) }`, { v: w.villageId });
    const Q = `query($c: String!) { adminUnit(code: $c) { accountability(year: 2025) { newlyParalysed consequence } } }`;
    expect((await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.accountability).toEqual([{ newlyParalysed: 1, consequence: 'CRITICISM' }]);
    const countyId = (await w.admin.client.ok(ID, { c: w.county.code })).adminUnit.id;
    const SET = `mutation($u: ID!, $i: StandardInput!) { setRectificationStandard(unitId: $u, effectiveYear: 2020, input: $i) { criticismAt thirdCategoryMaxStars workingGroupMin } }`;
    // the county's standards are set from above it: by the region
    const regionAdmin = await app.user(w.region, ['ORG_ADMIN']);
    const set = await regionAdmin.client.ok(SET, { u: countyId, i: { criticismAt: 2, oneGradeDownAt: 3, twoGradesDownAt: 4 } });
    expect(set.setRectificationStandard).toEqual({ criticismAt: 2, thirdCategoryMaxStars: 4, workingGroupMin: 3 });
    expect((await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.accountability).toEqual([{ newlyParalysed: 1, consequence: 'NONE' }]);
    // seen from the region too, the township follows its county's thresholds, not the region's
    expect((await regionAdmin.client.ok(Q, { c: w.region.code })).adminUnit.accountability).toEqual([{ newlyParalysed: 1, consequence: 'NONE' }]);
    expect((await regionAdmin.client.fails('BAD_USER_INPUT', SET, { u: countyId, i: { criticismAt: 3, oneGradeDownAt: 2 } })).extensions?.field).toBe('oneGradeDownAt');
    // the region above is outside a county admin's reach; an inspector may not configure
    const regionId = (await (await app.user(w.region, ['ORG_ADMIN'])).client.ok(ID, { c: w.region.code })).adminUnit.id;
    await w.admin.client.fails('NOT_FOUND', SET, { u: regionId, i: { criticismAt: 1 } });
    await (await app.user(w.county, ['INSPECTOR'])).client.fails('FORBIDDEN', SET, { u: countyId, i: { criticismAt: 1 } });
    // a make-up workday set through the API (on the region, by the platform) moves a complaint's deadline
    await (await app.user(w.region, ['PLATFORM_ADMIN'])).client.ok(`mutation($u: ID!) { setCalendarDay(unitId: $u, day: "2025-11-22", kind: WORKDAY) }`, { u: regionId });
    const due = await w.admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-11-20", summary: "x") { replyDueOn } }`, { v: w.villageId });
    expect(due.receiveComplaint.replyDueOn).toBe('2025-11-24');
  });

  test('property: random staff at random units never see a ledger row outside their subtree, under RLS alone', async ({ app }) => {
    const w = await setup(app);
    const c = await openCase(app, w);
    await w.admin.client.ok(`mutation($id: ID!) { addProblemItem(caseId: $id, input: { problem: "p", measure: "m", responsible: "r", dueOn: "2025-09-01" }) { id } }`, { id: c.id });
    await w.admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-01", summary: "s") { id } }`, { v: w.villageId });
    const other = await app.user(w.siblingVillage, ['ORG_ADMIN']);
    const sid = (await other.client.ok(ID, { c: w.siblingVillage.code })).adminUnit.id;
    await other.client.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 1) { category } }`, { v: sid });
    const units = [w.region, w.county, w.township, w.village, w.siblingVillage];
    const tables = ['assessment', 'weak_designation', 'rectification_case', 'case_transition', 'problem_item', 'complaint', 'key_target', 'acceptance'];
    const seed = Number(process.env.FC_SEED ?? Date.now() % 100000);
    console.log(`ledger property seed ${seed}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...units), fc.constantFrom(...tables), async (at, table) => {
        const rows = await inScope(app.orm, [at.path], (em) => em.execute<{ p: string }[]>(`select unit_path::text as p from ${table}`));
        for (const r of rows) expect(r.p === at.path || r.p.startsWith(`${at.path}.`), `${table} row ${r.p} seen from ${at.path}`).toBe(true);
      }),
      { seed, numRuns: 40 },
    );
  });

  test('RLS alone hides every ledger table from a foreign scope', async ({ app }) => {
    const w = await setup(app);
    await openCase(app, w);
    for (const table of ['assessment', 'rectification_case', 'case_transition', 'problem_item', 'complaint', 'key_target', 'weak_designation', 'acceptance', 'calendar_day', 'rectification_standard']) {
      const rows = await inScope(app.orm, [w.siblingVillage.path], (em) => em.execute(`select * from ${table}`));
      expect(rows, table).toEqual([]);
    }
    const own = await inScope(app.orm, [w.county.path], (em) => em.execute(`select * from rectification_case`));
    expect(own.length).toBe(1);
  });

  test('the case list costs the same SQL statements at two sizes', async ({ app }) => {
    const counts: number[] = [];
    for (const n of [2, 6]) {
      const region = await app.tree.region();
      const county = await region.county();
      const township = await county.township();
      const admin = await app.user(county, ['ORG_ADMIN']);
      for (let i = 0; i < n; i++) {
        const v = await township.village();
        const id = (await admin.client.ok(ID, { c: v.code })).adminUnit.id;
        await admin.client.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 2) { category } }`, { v: id });
      }
      app.sqlCount = 0;
      const r = await admin.client.ok(CASES, { c: county.code, y: 2025 });
      expect(r.adminUnit.cases.edges).toHaveLength(n);
      counts.push(app.sqlCount);
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
