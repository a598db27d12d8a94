import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { currentYear, today } from '@jiceng/core';

// History stays true (issue 11): a year's figures as of its last day, villages under the unit they
// belonged to that year, moves on record, and seed 004's patterns of the year's weak villages.

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const ASSESS = `mutation($v: ID!, $y: Int!, $s: Int!) { assessVillage(villageId: $v, year: $y, stars: $s) { category } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`;
const SUMMARY = `query($c: String!, $y: Int!) { adminUnit(code: $c) { rectificationSummary(year: $y) {
  assessed thirdCategory targets transformed transformationRate casesByState { state count } } } }`;
const CURRENT_YEAR = currentYear();

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const a = await county.township();
  const b = await county.township();
  const admin = await app.user(county, ['ORG_ADMIN']);
  const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id as string;
  return { region, county, a, b, admin, id };
}

/** A village's case of a year moved to a state on a day, as the lifecycle records it (a dated transition). */
async function caseReached(app: TestApp, villageId: string, year: number, to: string, on: string) {
  await app.asOwner(async (em) => {
    const [c] = await em.execute<{ id: string; state: string }[]>(`select id, state from rectification_case where unit_id = ? and year = ?`, [villageId, year]);
    await em.execute(`update rectification_case set state = ?, transformed_on = ?::date where id = ?`, [to, on, c!.id]);
    await em.execute(`insert into case_transition (case_id, unit_id, from_state, to_state, reason, happened_on) values (?, ?, ?, ?, 'test', ?::date)`,
      [c!.id, villageId, c!.state, to, on]);
  });
}

const states = (s: any) => Object.fromEntries(s.casesByState.map((x: any) => [x.state, x.count]));

describe('a year counts each case in its state at the end of that year', () => {
  test('a 2021 transformation that relapsed in 2022 still counts as transformed in 2021; the current year counts today', async ({ app }) => {
    const w = await world(app);
    const v1 = await w.a.village();
    const v2 = await w.a.village();
    const [id1, id2] = [await w.id(v1.code), await w.id(v2.code)];
    for (const id of [id1, id2]) await w.admin.client.ok(ASSESS, { v: id, y: 2021, s: 3 });
    await caseReached(app, v1.id, 2021, 'RECTIFYING', '2021-05-01');
    await caseReached(app, v1.id, 2021, 'TRANSFORMED', '2021-07-01');
    // v2 transformed only in 2022: at the end of 2021 it was still rectifying
    await caseReached(app, v2.id, 2021, 'RECTIFYING', '2021-05-01');
    await caseReached(app, v2.id, 2021, 'TRANSFORMED', '2022-03-01');
    const before = (await w.admin.client.ok(SUMMARY, { c: w.county.code, y: 2021 })).adminUnit.rectificationSummary;
    expect(before).toMatchObject({ targets: 2, transformed: 1, transformationRate: 0.5 });
    expect(states(before)).toEqual({ TRANSFORMED: 1, RECTIFYING: 1 });

    // v1 is weak again in 2022: its 2021 case relapses today, and 2021 does not change
    await w.admin.client.ok(ASSESS, { v: id1, y: 2022, s: 2 });
    const cases = await app.asOwner((em) => em.execute<{ state: string }[]>(`select state from rectification_case where unit_id = ? order by year`, [v1.id]));
    expect(cases.map((c) => c.state)).toEqual(['RELAPSED', 'IDENTIFIED']);
    const after = (await w.admin.client.ok(SUMMARY, { c: w.county.code, y: 2021 })).adminUnit.rectificationSummary;
    expect(after).toEqual(before);

    // the current year is counted as of today, in the cases' current states
    await w.admin.client.ok(ASSESS, { v: id2, y: CURRENT_YEAR, s: 1 });
    await caseReached(app, v2.id, CURRENT_YEAR, 'RECTIFYING', `${CURRENT_YEAR}-01-01`);
    const now = (await w.admin.client.ok(SUMMARY, { c: w.county.code, y: CURRENT_YEAR })).adminUnit.rectificationSummary;
    expect(states(now)).toEqual({ RECTIFYING: 1 });
  });
});

describe('moves', () => {
  test('a village moved to another township stays under its old township in earlier years, and the move is on record', async ({ app }) => {
    const w = await world(app);
    const stays = await w.a.village();
    const moves = await w.a.village();
    const other = await w.b.village();
    const [staysId, movesId, otherId] = [await w.id(stays.code), await w.id(moves.code), await w.id(other.code)];
    for (const [id, s] of [[staysId, 3], [movesId, 4], [otherId, 9]] as const) await w.admin.client.ok(ASSESS, { v: id, y: 2025, s });
    await w.admin.client.ok(ASSESS, { v: movesId, y: CURRENT_YEAR, s: 2 });
    const targets = async (code: string, y: number) => (await w.admin.client.ok(SUMMARY, { c: code, y })).adminUnit.rectificationSummary;
    expect(await targets(w.a.code, 2025)).toMatchObject({ assessed: 2, targets: 2 });

    await w.admin.client.ok(MOVE, { u: movesId, p: await w.id(w.b.code) });
    // 2025 ended before the move: the village counts under a, where it was
    expect(await targets(w.a.code, 2025)).toMatchObject({ assessed: 2, thirdCategory: 2, targets: 2 });
    expect(await targets(w.b.code, 2025)).toMatchObject({ assessed: 1, thirdCategory: 0, targets: 0 });
    expect(await targets(w.county.code, 2025)).toMatchObject({ assessed: 3, targets: 2 });
    // this year is counted on today's tree: under b
    expect(await targets(w.a.code, CURRENT_YEAR)).toMatchObject({ targets: 0 });
    expect(await targets(w.b.code, CURRENT_YEAR)).toMatchObject({ targets: 1 });

    // AdminUnit.history: the village's own move, and the same move seen from both townships
    const H = `query($c: String!) { adminUnit(code: $c) { history { movedOn unit { code } fromParent { code } fromParentName toParent { code } toParentName movedBy } } }`;
    const now = today();
    const record = { movedOn: now, unit: { code: moves.code }, fromParent: { code: w.a.code }, toParent: { code: w.b.code }, movedBy: w.admin.username };
    for (const code of [moves.code, w.a.code, w.b.code]) {
      expect((await w.admin.client.ok(H, { c: code })).adminUnit.history).toEqual([expect.objectContaining(record)]);
    }
    expect((await w.admin.client.ok(H, { c: stays.code })).adminUnit.history).toEqual([]);
    // the old township's own staff still read that the village left, though they no longer see it
    const townshipA = await app.user(w.a, ['ORG_ADMIN']);
    const seenFromA = (await townshipA.client.ok(H, { c: w.a.code })).adminUnit.history;
    expect(seenFromA).toEqual([expect.objectContaining({ movedOn: now, unit: null, fromParent: { code: w.a.code }, toParent: null, toParentName: expect.any(String) })]);
  });

  test('a township moved to another county takes its villages along, and earlier years stay with the old county', async ({ app }) => {
    const w = await world(app);
    const other = await w.region.county();
    const v = await w.a.village();
    await w.admin.client.ok(ASSESS, { v: await w.id(v.code), y: 2024, s: 2 });
    const regionAdmin = await app.user(w.region, ['ORG_ADMIN']);
    const id = async (code: string) => (await regionAdmin.client.ok(ID, { c: code })).adminUnit.id;
    await regionAdmin.client.ok(MOVE, { u: await id(w.a.code), p: await id(other.code) });
    const targets = async (code: string) => (await regionAdmin.client.ok(SUMMARY, { c: code, y: 2024 })).adminUnit.rectificationSummary.targets;
    expect(await targets(w.county.code)).toBe(1);
    expect(await targets(other.code)).toBe(0);
    expect(await targets(w.a.code)).toBe(1);
    expect(await targets(w.region.code)).toBe(1);
    // moved again: each year keeps the placement it had at its end
    await regionAdmin.client.ok(MOVE, { u: await id(w.a.code), p: await id(w.county.code) });
    expect(await targets(w.county.code)).toBe(1);
    expect(await targets(other.code)).toBe(0);
  });
});

describe('relapse patterns (seed 004)', () => {
  test("the year's weak villages, each in one pattern, with their lists", async ({ app }) => {
    const w = await world(app);
    const [goodThenWeak, relapsed, throughout, fresh, healthy] = await Promise.all([1, 2, 3, 4, 5].map(() => w.a.village()));
    const ids = await Promise.all([goodThenWeak, relapsed, throughout, fresh, healthy].map((v) => w.id(v.code)));
    const assess = (k: number, y: number, s: number) => w.admin.client.ok(ASSESS, { v: ids[k], y, s });
    // good in 2023, weak from 2024
    await assess(0, 2023, 8); await assess(0, 2024, 3); await assess(0, 2025, 3);
    // weak in 2023 and transformed, weak again in 2025
    await assess(1, 2023, 3);
    await caseReached(app, relapsed.id, 2023, 'TRANSFORMED', '2023-08-01');
    await assess(1, 2024, 7); await assess(1, 2025, 2);
    // weak every year
    await assess(2, 2023, 1); await assess(2, 2024, 2); await assess(2, 2025, 4);
    // first assessed in 2025
    await assess(3, 2025, 4);
    // weak once long ago, good now: not one of 2025's weak villages
    await assess(4, 2023, 2); await assess(4, 2025, 9);
    const Q = `query($c: String!) { adminUnit(code: $c) { relapsePatterns(year: 2025) { goodThenWeak transformedThenRelapsed weakThroughout noHistory
      g: villages(pattern: GOOD_THEN_WEAK) { edges { node { code } } }
      r: villages(pattern: TRANSFORMED_THEN_RELAPSED) { edges { node { code } } }
      t: villages(pattern: WEAK_THROUGHOUT) { edges { node { code } } }
      n: villages(pattern: NO_HISTORY) { edges { node { code } } } } } }`;
    const r = (await w.admin.client.ok(Q, { c: w.county.code })).adminUnit.relapsePatterns;
    const codes = (c: any) => c.edges.map((e: any) => e.node.code);
    expect(r).toMatchObject({ goodThenWeak: 1, transformedThenRelapsed: 1, weakThroughout: 1, noHistory: 1 });
    expect([codes(r.g), codes(r.r), codes(r.t), codes(r.n)]).toEqual([[goodThenWeak.code], [relapsed.code], [throughout.code], [fresh.code]]);
    // the four patterns add up to the year's targets
    const s = (await w.admin.client.ok(SUMMARY, { c: w.county.code, y: 2025 })).adminUnit.rectificationSummary;
    expect(s.targets).toBe(4);

    // paged by code
    const P = `query($c: String!, $a: String) { adminUnit(code: $c) { relapsePatterns(year: 2025) { villages(pattern: WEAK_THROUGHOUT, first: 1, after: $a) {
      edges { node { code } } pageInfo { hasNextPage endCursor } } } } }`;
    const more = await w.a.village();
    const moreId = await w.id(more.code);
    await w.admin.client.ok(ASSESS, { v: moreId, y: 2024, s: 1 });
    await w.admin.client.ok(ASSESS, { v: moreId, y: 2025, s: 1 });
    const first = (await w.admin.client.ok(P, { c: w.county.code, a: null })).adminUnit.relapsePatterns.villages;
    expect(first.edges.map((e: any) => e.node.code)).toEqual([throughout.code]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await w.admin.client.ok(P, { c: w.county.code, a: first.pageInfo.endCursor })).adminUnit.relapsePatterns.villages;
    expect(second.edges.map((e: any) => e.node.code)).toEqual([more.code]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    await w.admin.client.fails('BAD_USER_INPUT', P, { c: w.county.code, a: 'bm90LWEtY3Vyc29y' });
  });
});
