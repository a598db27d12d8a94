import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { currentYear, today } from '@jiceng/core';
import { rectificationRollupCheck } from '@jiceng/rectification';

// The rectification rollup (issue 12 point 5): every write path moves the rows of the village and of
// every unit above it, in the same transaction; the check finds a corrupted row; a move carries a
// subtree's figures from its old ancestors to its new ones.

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const ASSESS = `mutation($v: ID!, $y: Int!, $s: Int!) { assessVillage(villageId: $v, year: $y, stars: $s) { category } }`;
const DESIGNATE = `mutation($v: ID!, $y: Int!) { designateWeakVillage(villageId: $v, year: $y, cause: FINANCIAL_CHAOS, problemTypes: ["ASSETS_CHAOS"]) }`;
const KEY = `mutation($v: ID!, $y: Int!, $k: Boolean!) { markKeyTarget(villageId: $v, year: $y, key: $k) { id } }`;
const CASES = `query($c: String!, $y: Int!) { adminUnit(code: $c) { cases(year: $y) { edges { node { id state } } } } }`;
const TRANSITION = `mutation($id: ID!, $to: CaseState!, $on: LocalDate!) { transitionCase(id: $id, to: $to, reason: "test", on: $on) { state } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`;
const YEAR = currentYear();

type Row = Record<string, number>;
/** The rollup row of a unit and year, figures that are not zero only ({} when there is none). */
async function rollup(app: TestApp, unitId: string, year = YEAR): Promise<Row> {
  const [r] = await app.asOwner((em) => em.execute<Record<string, unknown>[]>(`select * from rectification_rollup where unit_id = ? and year = ?`, [unitId, year]));
  return Object.fromEntries(Object.entries(r ?? {}).filter(([k, v]) => !['unit_id', 'year', 'unit_path', 'county_id'].includes(k) && Number(v) !== 0).map(([k, v]) => [k, Number(v)]));
}
const check = (app: TestApp) => app.asOwner(rectificationRollupCheck);

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const a = await county.township();
  const b = await county.township();
  const admin = await app.user(region, ['ORG_ADMIN']);
  const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id as string;
  return { region, county, a, b, admin, id };
}

describe('the rectification rollup', () => {
  test('each write path moves the rows of the village and of every unit above it', async ({ app }) => {
    const w = await world(app);
    const v = await w.a.village();
    const u = await w.b.village();
    const [vid, uid] = [await w.id(v.code), await w.id(u.code)];
    const line = [v.id, w.a.id, w.county.id, w.region.id];

    await w.admin.client.ok(ASSESS, { v: vid, y: YEAR, s: 3 });
    for (const unit of line) expect(await rollup(app, unit)).toEqual({ assessed: 1, third_category: 1, targets: 1, state_identified: 1 });
    await w.admin.client.ok(ASSESS, { v: uid, y: YEAR, s: 9 });
    expect(await rollup(app, w.b.id)).toEqual({ assessed: 1 });
    expect(await rollup(app, w.county.id)).toEqual({ assessed: 2, third_category: 1, targets: 1, state_identified: 1 });

    // a designation adds its cause (the village is a target once)
    await w.admin.client.ok(DESIGNATE, { v: vid, y: YEAR });
    expect(await rollup(app, w.region.id)).toMatchObject({ targets: 1, cause_financial_chaos: 1 });
    // a key target, and unmarked again
    await w.admin.client.ok(KEY, { v: vid, y: YEAR, k: true });
    expect(await rollup(app, w.a.id)).toMatchObject({ key_targets: 1 });
    await w.admin.client.ok(KEY, { v: vid, y: YEAR, k: false });
    expect(await rollup(app, w.a.id)).not.toHaveProperty('key_targets');
    await w.admin.client.ok(KEY, { v: vid, y: YEAR, k: true });

    // a transition moves the case between states
    const [c] = (await w.admin.client.ok(CASES, { c: v.code, y: YEAR })).adminUnit.cases.edges;
    await app.asOwner(async (em) => {
      await em.execute(`update rectification_case set plan = 'p', responsible_leader = 'l', working_group = '{a,b,c}' where unit_id = ? and year = ?`, [v.id, YEAR]);
      await em.execute(`insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on)
        select id, unit_id, 'p', 'm', 'r', make_date(year, 12, 31) from rectification_case where unit_id = ? and year = ?`, [v.id, YEAR]);
    });
    await w.admin.client.ok(TRANSITION, { id: c.node.id, to: 'RECTIFYING', on: today() });
    for (const unit of line) expect(await rollup(app, unit)).toMatchObject({ state_rectifying: 1 });
    expect(await rollup(app, w.county.id)).not.toHaveProperty('state_identified');

    // the second village re-rated into the third category, then out of it (its untouched case withdrawn)
    await w.admin.client.ok(ASSESS, { v: uid, y: YEAR, s: 2 });
    expect(await rollup(app, w.county.id)).toMatchObject({ assessed: 2, third_category: 2, targets: 2, state_identified: 1, state_rectifying: 1 });
    await w.admin.client.ok(ASSESS, { v: uid, y: YEAR, s: 9 });
    expect(await rollup(app, w.b.id)).toEqual({ assessed: 1, state_withdrawn: 1 });
    expect(await rollup(app, w.county.id)).toEqual({ assessed: 2, third_category: 1, targets: 1, key_targets: 1, cause_financial_chaos: 1, state_rectifying: 1, state_withdrawn: 1 });

    // a failed mutation leaves nothing behind: a second rating of a missing village is refused whole
    const before = await rollup(app, w.region.id);
    await w.admin.client.fails('NOT_FOUND', `mutation($v: ID!, $y: Int!) { a: assessVillage(villageId: $v, year: $y, stars: 1) { category } b: assessVillage(villageId: "QWRtaW5Vbml0Ojk5OTk5OTk=", year: $y, stars: 1) { category } }`, { v: uid, y: YEAR });
    expect(await rollup(app, w.region.id)).toEqual(before);

    expect(await check(app)).toEqual([]);
    // what the dashboard reads is the rollup
    const S = `query($c: String!, $y: Int!) { adminUnit(code: $c) { rectificationSummary(year: $y) { assessed thirdCategory targets keyTargets byCause { cause count } casesByState { state count } } } }`;
    expect((await w.admin.client.ok(S, { c: w.region.code, y: YEAR })).adminUnit.rectificationSummary).toEqual({
      assessed: 2, thirdCategory: 1, targets: 1, keyTargets: 1, byCause: [{ cause: 'FINANCIAL_CHAOS', count: 1 }],
      casesByState: expect.arrayContaining([{ state: 'RECTIFYING', count: 1 }, { state: 'WITHDRAWN', count: 1 }]),
    });
  });

  test('the triggers count over the whole tree, and the rest of the request keeps its own scope', async ({ app }) => {
    const w = await world(app);
    const v = await w.a.village();
    const county = await app.user(w.county, ['ORG_ADMIN']);
    const vid = (await county.client.ok(ID, { c: v.code })).adminUnit.id;
    await county.client.ok(ASSESS, { v: vid, y: YEAR, s: 3 });
    // the region's row moved, though the county's user cannot see it
    expect(await rollup(app, w.region.id)).toMatchObject({ targets: 1 });
    // what the mutation returns after its write is read in the caller's scope, not the whole tree's
    const A = `{ ancestors { code } }`;
    const after = (await county.client.ok(`mutation($v: ID!, $y: Int!) { markKeyTarget(villageId: $v, year: $y) ${A} }`, { v: vid, y: YEAR })).markKeyTarget.ancestors;
    expect(after).toEqual((await county.client.ok(`query($c: String!) { adminUnit(code: $c) ${A} }`, { c: v.code })).adminUnit.ancestors);
    expect(after.map((x: any) => x.code)).not.toContain(w.region.code);
  });

  test('rollup:check names the unit, year and figure of a corrupted row, and a missing one', async ({ app }) => {
    const w = await world(app);
    const v = await w.a.village();
    await w.admin.client.ok(ASSESS, { v: await w.id(v.code), y: 2025, s: 3 });
    expect(await check(app)).toEqual([]);
    await app.asOwner((em) => em.execute(`update rectification_rollup set targets = targets + 1 where unit_id = ? and year = 2025`, [w.county.id]));
    await app.asOwner((em) => em.execute(`delete from rectification_rollup where unit_id = ? and year = 2025`, [w.a.id]));
    const found = await check(app);
    expect(found).toContainEqual({ rollup: 'rectification_rollup', unitId: String(w.county.id), unitPath: expect.any(String), key: '2025', figure: 'targets', rollupValue: '2', sourceValue: '1' });
    expect(found).toContainEqual(expect.objectContaining({ unitId: String(w.a.id), key: '2025', figure: 'assessed', rollupValue: null, sourceValue: '1' }));
    expect(found.every((d) => [String(w.county.id), String(w.a.id)].includes(d.unitId))).toBe(true);
    // rebuilt, it agrees again
    await app.asOwner((em) => em.execute(`select jiceng_rectification_rollup_rebuild()`));
    expect(await check(app)).toEqual([]);
  });

  test('a move carries the figures of the moved subtree from the old ancestors to the new ones', async ({ app }) => {
    const w = await world(app);
    const other = await w.region.county();
    const t = await other.township();
    const v = await w.a.village();
    const stays = await w.a.village();
    await w.admin.client.ok(ASSESS, { v: await w.id(v.code), y: YEAR, s: 3 });
    await w.admin.client.ok(ASSESS, { v: await w.id(v.code), y: 2025, s: 3 });
    await w.admin.client.ok(ASSESS, { v: await w.id(stays.code), y: YEAR, s: 9 });

    // a village to another township of the same county: the county is on both lines and keeps its figures
    await w.admin.client.ok(MOVE, { u: await w.id(v.code), p: await w.id(w.b.code) });
    expect(await rollup(app, w.a.id)).toEqual({ assessed: 1 });
    expect(await rollup(app, w.b.id)).toEqual({ assessed: 1, third_category: 1, targets: 1, state_identified: 1 });
    expect(await rollup(app, w.b.id, 2025)).toEqual({ assessed: 1, third_category: 1, targets: 1, state_identified: 1 });
    expect(await rollup(app, w.county.id)).toEqual({ assessed: 2, third_category: 1, targets: 1, state_identified: 1 });
    // a township (with the village) to another county
    await w.admin.client.ok(MOVE, { u: await w.id(w.b.code), p: await w.id(other.code) });
    expect(await rollup(app, w.county.id)).toEqual({ assessed: 1 });
    expect(await rollup(app, other.id)).toEqual({ assessed: 1, third_category: 1, targets: 1, state_identified: 1 });
    expect(await rollup(app, w.region.id)).toEqual({ assessed: 2, third_category: 1, targets: 1, state_identified: 1 });
    expect(await rollup(app, t.id)).toEqual({});
    // the moved rows carry their new paths, and later writes reach the new ancestors
    const [row] = await app.asOwner((em) => em.execute<{ p: string }[]>(`select unit_path::text as p from rectification_rollup where unit_id = ? and year = ?`, [v.id, YEAR]));
    expect(row!.p.startsWith(`${other.path}.`)).toBe(true);
    await w.admin.client.ok(DESIGNATE, { v: await w.id(v.code), y: YEAR });
    expect(await rollup(app, other.id)).toMatchObject({ cause_financial_chaos: 1 });
    expect(await rollup(app, w.county.id)).toEqual({ assessed: 1 });
    expect(await check(app)).toEqual([]);
  });
});
