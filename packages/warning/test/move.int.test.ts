import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '../src/index.js';

const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id village { light } } }`;
const COUNTS = `query($c: String!) { adminUnit(code: $c) { lightCounts { green yellow red } } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code } }`;
const uid = (id: string) => toGlobalId('AdminUnit', id);
let key = 0;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const [c1, c2] = [await region.county(), await region.county()];
  const [t1, t2] = [await c1.township(), await c2.township()];
  const [red, yellow, green] = [await t1.village(), await t1.village(), await t1.village()];
  const t3 = await c1.township();
  const moving = await t3.village();
  await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
  const admin = await app.user(region, ['ORG_ADMIN']);
  const report = async (village: { id: string }, level: string) => {
    const r = await admin.client.request(REPORT, { i: { villageId: uid(village.id), indicatorCode: 'PB01-01', level, severity: 'ORDINARY', facts: '班子不团结', observedOn: '2025-06-02', idempotencyKey: `mv${++key}` } });
    expect(r.errors).toBeUndefined();
  };
  await report(red, 'RED');
  await report(yellow, 'YELLOW');
  await report(moving, 'RED');
  const counts = async (u: { code: string }) => (await admin.client.ok(COUNTS, { c: u.code })).adminUnit.lightCounts;
  return { region, c1, c2, t1, t2, t3, red, yellow, green, moving, admin, counts };
}

describe('dynamic management 110: a unit move carries the light counts (撤乡并镇)', () => {
  test('a township moved to another county takes its villages\' lights from the old county to the new one', async ({ app }) => {
    const w = await world(app);
    expect(await w.counts(w.c1)).toEqual({ green: 1, yellow: 1, red: 2 });
    expect(await w.counts(w.c2)).toEqual({ green: 0, yellow: 0, red: 0 });
    expect((await w.admin.client.request(MOVE, { u: uid(w.t1.id), p: uid(w.c2.id) })).errors).toBeUndefined();
    expect(await w.counts(w.c1)).toEqual({ green: 0, yellow: 0, red: 1 });
    expect(await w.counts(w.c2)).toEqual({ green: 1, yellow: 1, red: 1 });
    expect(await w.counts(w.t1)).toEqual({ green: 1, yellow: 1, red: 1 });
    expect(await w.counts(w.region)).toEqual({ green: 1, yellow: 1, red: 2 });
    // the rollup equals a recount from the village lights after the move
    const drift = await app.asOwner((em) => em.execute<{ n: number }[]>(
      `select count(*)::int as n from (
         select subpath(v.unit_path, 0, k) as p, count(*) filter (where v.light = 'YELLOW') as y, count(*) filter (where v.light = 'RED') as r
           from village_light v, generate_series(2, nlevel(v.unit_path) - 1) k group by 1) c
         full join warning_rollup w on w.unit_path = c.p
        where coalesce(c.y, 0) <> coalesce(w.yellow, 0) or coalesce(c.r, 0) <> coalesce(w.red, 0)`));
    expect(drift[0]!.n).toBe(0);
  });

  test('a village moved to a township of another county, and a report after the move', async ({ app }) => {
    const w = await world(app);
    expect((await w.admin.client.request(MOVE, { u: uid(w.moving.id), p: uid(w.t2.id) })).errors).toBeUndefined();
    expect(await w.counts(w.t3)).toEqual({ green: 0, yellow: 0, red: 0 });
    expect(await w.counts(w.c1)).toEqual({ green: 1, yellow: 1, red: 1 });
    expect(await w.counts(w.t2)).toEqual({ green: 0, yellow: 0, red: 1 });
    expect(await w.counts(w.c2)).toEqual({ green: 0, yellow: 0, red: 1 });
    expect(await w.counts(w.region)).toEqual({ green: 1, yellow: 1, red: 2 });
    // the light history moved with the village (append-only, but its tenancy keys follow)
    const [moved] = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from light_event e join admin_unit u on u.id = e.unit_id where e.unit_path = u.path and u.id = ?`, [w.moving.id]));
    expect(moved!.n).toBe(1);
    // resolving it in its new place takes it off the new ancestors, not the old ones
    const [warning] = await app.asOwner((em) => em.execute<{ id: string }[]>(`select id::text from warning where unit_id = ?`, [w.moving.id]));
    const r = await w.admin.client.request(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-03", note: "已整改") { id } }`, { id: toGlobalId('Warning', warning!.id) });
    expect(r.errors).toBeUndefined();
    expect(await w.counts(w.c2)).toEqual({ green: 1, yellow: 0, red: 0 });
    expect(await w.counts(w.c1)).toEqual({ green: 1, yellow: 1, red: 1 });
  });
});
