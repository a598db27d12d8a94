import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { ruralVillagesCheck } from '@jiceng/tenancy';

// keyTargets (issue 12 point 5) reads each township's rural villages from admin_unit.rural_villages, kept on
// write by tenancy's trigger (0199): every way a village comes, goes, moves or changes its kind moves the
// count, and `pnpm rollup:check` (tenancy's part) finds a count that disagrees.

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const ASSESS = `mutation($v: ID!, $y: Int!, $s: Int!) { assessVillage(villageId: $v, year: $y, stars: $s) { category } }`;
const KEY = `mutation($v: ID!, $y: Int!) { markKeyTarget(villageId: $v, year: $y) { id } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`;
const IMPORT = `mutation($csv: String!) { importAdminUnits(csv: $csv) { inserted updated unchanged } }`;
const TARGETS = `query($c: String!, $y: Int!) { adminUnit(code: $c) { keyTargets(year: $y) { township { code } villages keyTargets required shortfall } } }`;
const YEAR = 2025;

const kept = async (app: TestApp, id: string | number) =>
  (await app.asOwner((em) => em.execute<{ n: number }[]>(`select rural_villages as n from admin_unit where id = ?`, [id])))[0]!.n;
const check = (app: TestApp) => app.asOwner(ruralVillagesCheck);

describe('keyTargets reads rural villages kept on the township', () => {
  test('insert, urban or not, a move, a change of kind and a delete keep the count; the check finds a wrong one', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const a = await county.township();
    const b = await county.township();
    const admin = await app.user(region, ['ORG_ADMIN']);
    const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id as string;
    const v1 = await a.village();
    const v2 = await a.village();
    const v3 = await a.village();
    await a.village(undefined, { urban: true });
    const w1 = await b.village();
    expect([await kept(app, a.id), await kept(app, b.id), await kept(app, county.id)]).toEqual([3, 1, 0]);
    await admin.client.ok(ASSESS, { v: await id(v1.code), y: YEAR, s: 3 });
    await admin.client.ok(KEY, { v: await id(v1.code), y: YEAR });

    const targets = async () => (await admin.client.ok(TARGETS, { c: county.code, y: YEAR })).adminUnit.keyTargets;
    // the default share: 10% of the rural villages, rounded up
    expect(await targets()).toEqual([
      { township: { code: a.code }, villages: 3, keyTargets: 1, required: 1, shortfall: 0 },
      { township: { code: b.code }, villages: 1, keyTargets: 0, required: 1, shortfall: 1 },
    ]);

    // a village to the other township: both counts follow
    await admin.client.ok(MOVE, { u: await id(v2.code), p: await id(b.code) });
    expect([await kept(app, a.id), await kept(app, b.id)]).toEqual([2, 2]);
    // a village becomes urban, and back; a unit changes level
    await app.asOwner((em) => em.execute(`update admin_unit set urban = true where id = ?`, [v3.id]));
    expect(await kept(app, a.id)).toBe(1);
    await app.asOwner((em) => em.execute(`update admin_unit set urban = false where id = ?`, [v3.id]));
    expect(await kept(app, a.id)).toBe(2);
    // deleted, and the moved village made urban: the township left without rural villages drops out
    await app.asOwner((em) => em.execute(`delete from admin_unit where id = ?`, [w1.id]));
    expect(await kept(app, b.id)).toBe(1);
    await app.asOwner((em) => em.execute(`update admin_unit set urban = true where id = ?`, [v2.id]));
    expect(await kept(app, b.id)).toBe(0);
    expect(await targets()).toEqual([{ township: { code: a.code }, villages: 2, keyTargets: 1, required: 1, shortfall: 0 }]);
    expect(await check(app)).toEqual([]);

    // a wrong count is named by the check (the trigger recounts only when a village changes: this sticks)
    await app.asOwner((em) => em.execute(`update admin_unit set rural_villages = 7 where id = ?`, [a.id]));
    expect(await check(app)).toContainEqual({ rollup: 'admin_unit', unitId: String(a.id), unitPath: a.path, key: '', figure: 'rural_villages', rollupValue: '7', sourceValue: '2' });
    await app.asOwner((em) => em.execute(`update admin_unit set rural_villages = 2 where id = ?`, [a.id]));
  });

  test('an imported code list counts its rural villages, a partial file adds to them', async ({ app }) => {
    const admin = await app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
    await admin.client.ok(IMPORT, { csv: ['code,name', '950000000000,测试省95', '950100000000,测试市95', '950102000000,测试县95', '950102001000,测试镇95', '950102001201,甲村', '950102001202,乙村'].join('\n') });
    const township = async () => (await app.asOwner((em) => em.execute<{ n: number }[]>(`select rural_villages as n from admin_unit where code = '950102001000'`)))[0]!.n;
    expect(await township()).toBe(2);
    // a 居委会 (urban) and a 村
    await admin.client.ok(IMPORT, { csv: ['code,name', '950102001001,某社区居委会', '950102001203,丙村'].join('\n') });
    expect(await township()).toBe(3);
    expect((await admin.client.ok(TARGETS, { c: '950102000000', y: YEAR })).adminUnit.keyTargets).toEqual([
      { township: { code: '950102001000' }, villages: 3, keyTargets: 0, required: 1, shortfall: 1 },
    ]);
    expect(await check(app)).toEqual([]);
  });
});
