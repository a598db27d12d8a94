import { test, expect, describe, type TestApp } from '@jiceng/testkit';

// The country (中华人民共和国, level COUNTRY, code 000000000000, path `cn`) is the one root of the tree:
// the unit of the national scope (migration 0150).
const COUNTRY = '000000000000';
const UNIT = `query($c: String!) { adminUnit(code: $c) { code name level parent { code } ancestors { code } children(first: 100) { edges { node { code } } } } }`;
const COUNTS = `query($c: String!) { adminUnit(code: $c) { counts { level count } } }`;
const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code parent { code } } }`;

const countsOf = async (client: { ok: (q: string, v?: any) => Promise<any> }, code: string): Promise<Record<string, number>> =>
  Object.fromEntries((await client.ok(COUNTS, { c: code })).adminUnit.counts.map((c: any) => [c.level, c.count]));

async function platform(app: TestApp) {
  return app.user(await app.tree.country(), ['PLATFORM_ADMIN']);
}

describe('the country, root of the tree', () => {
  test('is one unit like any other: found by its code, its children are the top-level regions', async ({ app }) => {
    const region = await app.tree.region();
    const admin = await platform(app);
    const r = (await admin.client.ok(UNIT, { c: COUNTRY })).adminUnit;
    expect(r).toMatchObject({ code: COUNTRY, name: '中华人民共和国', level: 'COUNTRY', parent: null, ancestors: [] });
    expect(r.children.edges.map((e: any) => e.node.code)).toContain(region.code);
    const reg = (await admin.client.ok(UNIT, { c: region.code })).adminUnit;
    expect(reg).toMatchObject({ level: 'REGION', parent: { code: COUNTRY }, ancestors: [{ code: COUNTRY }] });
    // the PLATFORM_ADMIN's home unit and the root of its scope
    expect((await admin.client.ok(`{ me { unit { code level } scope { code } } }`)).me).toEqual({ unit: { code: COUNTRY, level: 'COUNTRY' }, scope: [{ code: COUNTRY }] });
  });

  test('the database keeps one root at path cn: no second root, no region without a parent', async ({ app }) => {
    const insert = (level: string, path: string, parent: string | null) =>
      app.asOwner((em) => em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('999999999998', 'x', ?, ?, ?::ltree)`, [level, parent, path]));
    const country = await app.tree.country();
    expect(country.path).toBe('cn');
    await app.tree.region();
    await expect(insert('REGION', 'cn.r99', null)).rejects.toThrow(/admin_unit_root/);
    await expect(insert('COUNTRY', 'cn', null)).rejects.toThrow(/admin_unit_one_root/);
    await expect(insert('COUNTRY', 'cn.cx', country.id)).rejects.toThrow(/admin_unit_root/);
    await expect(app.asOwner((em) => em.execute(`update admin_unit set parent_id = null where parent_id = ?`, [country.id]))).rejects.toThrow(/admin_unit_root/);
  });

  test('a region admin sees neither the country nor it above their region', async ({ app }) => {
    const region = await app.tree.region();
    const admin = await app.user(region, ['ORG_ADMIN']);
    expect((await admin.client.ok(UNIT, { c: COUNTRY })).adminUnit).toBeNull();
    expect((await admin.client.ok(UNIT, { c: region.code })).adminUnit).toMatchObject({ parent: null, ancestors: [] });
    expect((await admin.client.ok(`query($q: String!) { adminUnit(code: "${region.code}") { search(name: $q) { edges { node { code } } } } }`, { q: '中华' })).adminUnit.search.edges).toEqual([]);
  });

  test('its per-level counts are its regions\' sums, kept as regions, units and moves come and go', async ({ app }) => {
    const admin = await platform(app);
    const before = await countsOf(admin.client, COUNTRY);
    const a = await app.tree.region();
    const prefecture = await a.region();
    const county = await prefecture.county();
    const township = await county.township();
    await township.village();
    await township.village();
    const b = await app.tree.region();
    const countyB = await b.county();
    const after = await countsOf(admin.client, COUNTRY);
    const grew = Object.fromEntries(Object.entries(after).map(([l, n]) => [l, n - (before[l] ?? 0)]));
    expect(grew).toEqual({ REGION: 3, COUNTY: 2, TOWNSHIP: 1, VILLAGE: 2 });
    // the sum of its children's counts plus the children themselves, as for any unit
    const [{ sum }] = await app.asOwner((em) => em.execute<{ sum: Record<string, number> }[]>(
      `select jsonb_object_agg(level, n) as sum from (
         select level, sum(n)::int as n from (
           select r.level, 1 as n from admin_unit r join admin_unit c on r.parent_id = c.id and c.level = 'COUNTRY'
           union all
           select e.key, e.value::int from admin_unit r join admin_unit c on r.parent_id = c.id and c.level = 'COUNTRY', jsonb_each_text(r.descendant_counts) e) x
         group by level) y`));
    expect(after).toEqual({ ...sum, COUNTY: sum.COUNTY ?? 0, TOWNSHIP: sum.TOWNSHIP ?? 0, VILLAGE: sum.VILLAGE ?? 0 });

    // 撤乡并镇 across regions: the regions' counts change, the country's do not
    const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id;
    expect((await admin.client.ok(MOVE, { u: await id(township.code), p: await id(countyB.code) })).moveAdminUnit.parent.code).toBe(countyB.code);
    expect(await countsOf(admin.client, b.code)).toMatchObject({ COUNTY: 1, TOWNSHIP: 1, VILLAGE: 2 });
    expect(await countsOf(admin.client, a.code)).toMatchObject({ REGION: 1, COUNTY: 1, TOWNSHIP: 0, VILLAGE: 0 });
    expect(await countsOf(admin.client, COUNTRY)).toEqual(after);
    // a prefecture moved up to the top level becomes the country's child
    expect((await admin.client.ok(MOVE, { u: await id(prefecture.code), p: await id(COUNTRY) })).moveAdminUnit.parent.code).toBe(COUNTRY);
    expect(await countsOf(admin.client, COUNTRY)).toEqual(after);
    expect(await countsOf(admin.client, a.code)).toMatchObject({ REGION: 0, COUNTY: 0 });
    expect((await admin.client.ok(UNIT, { c: COUNTRY })).adminUnit.children.edges.map((e: any) => e.node.code)).toContain(prefecture.code);
  });

  test('cannot be moved, and holds regions only', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const admin = await platform(app);
    const other = await app.user(region, ['PLATFORM_ADMIN']);
    const id = async (code: string) => (await admin.client.ok(ID, { c: code })).adminUnit.id;
    // its own home unit for the country's admin; no parent fits it for anyone
    expect((await admin.client.fails('BAD_USER_INPUT', MOVE, { u: await id(COUNTRY), p: await id(region.code) })).extensions?.field).toBe('unitId');
    expect((await other.client.fails('BAD_USER_INPUT', MOVE, { u: await id(COUNTRY), p: await id(region.code) })).extensions?.field).toBe('newParentId');
    expect((await admin.client.fails('BAD_USER_INPUT', MOVE, { u: await id(county.code), p: await id(COUNTRY) })).extensions?.field).toBe('newParentId');
  });

  test('an imported province hangs under the country, which counts what came with it', async ({ app }) => {
    const admin = await platform(app);
    const IMPORT = `mutation($csv: String!) { importAdminUnits(csv: $csv) { inserted updated unchanged } }`;
    const before = await countsOf(admin.client, COUNTRY);
    const csv = 'code,name\n970000000000,测试省\n970100000000,测试市\n970102000000,测试县\n970102001000,测试镇\n970102001201,测试村\n';
    expect((await admin.client.ok(IMPORT, { csv })).importAdminUnits).toEqual({ inserted: 5, updated: 0, unchanged: 0 });
    expect((await admin.client.ok(UNIT, { c: '970000000000' })).adminUnit).toMatchObject({ parent: { code: COUNTRY } });
    const after = await countsOf(admin.client, COUNTRY);
    expect([after.REGION! - before.REGION!, after.COUNTY! - before.COUNTY!, after.TOWNSHIP! - before.TOWNSHIP!, after.VILLAGE! - before.VILLAGE!]).toEqual([2, 1, 1, 1]);
    // a re-run finds the province under the country, where the file says it belongs
    expect((await admin.client.ok(IMPORT, { csv })).importAdminUnits).toEqual({ inserted: 0, updated: 0, unchanged: 5 });
  });
});

describe('name search', () => {
  const SEARCH = `query($c: String!, $q: String!, $level: AdminLevel) { adminUnit(code: $c) { search(name: $q, level: $level, first: 50) { edges { node { code name } } } } }`;
  const names = async (client: any, code: string, q: string, level?: string) =>
    (await client.ok(SEARCH, { c: code, q, level })).adminUnit.search.edges.map((e: any) => e.node.name);

  test('within a subtree, at any level, by one character or more; similar names too; never outside it', async ({ app }) => {
    const a = await app.tree.region('甲省');
    const b = await app.tree.region('乙省');
    const ta = await (await a.county('甲县')).township('红星镇');
    await ta.village('红星村');
    await ta.village('星火村');
    await ta.village('王家庄村');
    const tb = await (await b.county('乙县')).township('红旗镇');
    await tb.village('红星村');
    const admin = await platform(app);
    expect((await names(admin.client, a.code, '红星')).sort()).toEqual(['红星村', '红星镇']);
    expect(await names(admin.client, a.code, '红星', 'VILLAGE')).toEqual(['红星村']);
    expect((await names(admin.client, a.code, '星')).sort()).toEqual(['星火村', '红星村', '红星镇']);
    expect(await names(admin.client, ta.code, '王家庄村')).toEqual(['王家庄村']);
    // similar without containing the text (trigrams): 王家庄 for 王家庄子
    expect(await names(admin.client, ta.code, '王家庄子')).toEqual(['王家庄村']);
    // the whole country, and each province alone
    expect(await names(admin.client, COUNTRY, '红星村')).toEqual(['红星村', '红星村', '红星镇']);
    expect(await names(admin.client, b.code, '红星')).toEqual(['红星村']);
    expect(await names(admin.client, b.code, '星火')).toEqual([]);
    // a region's admin searching from the country's code finds nothing: it is out of scope
    const regionAdmin = await app.user(a, ['ORG_ADMIN']);
    expect((await regionAdmin.client.ok(SEARCH, { c: COUNTRY, q: '红星' })).adminUnit).toBeNull();
  });

  // At national size every village shares its official suffix (…村民委员会, …社区居民委员会) with thousands
  // of others: a whole name finds the unit itself, then names like it, never names alike by the suffix alone.
  test('a whole official name: the unit, then names like it, not every name that shares its suffix; within scope', async ({ app }) => {
    const a = await app.tree.region('丙省');
    const b = await app.tree.region('丁省');
    const county = await a.county('丙县');
    const t = await county.township('营子镇');
    await t.village('张家营子村民委员会');
    await t.village('张家营村民委员会'); // one character less
    for (const n of ['王村村民委员会', '李家沟村民委员会', '红星村民委员会', '前营子村民委员会', '东风社区居民委员会']) await t.village(n);
    const dongfeng = await county.township('东风镇');
    await dongfeng.village('东风社区居委会'); // the same name, written short
    await dongfeng.village('南湖社区居民委员会');
    await (await (await b.county('丁县')).township('丁镇')).village('张家营子村民委员会');
    const admin = await platform(app);
    expect(await names(admin.client, a.code, '张家营子村民委员会')).toEqual(['张家营子村民委员会', '张家营村民委员会']);
    expect(await names(admin.client, t.code, '张家营子村民委员会', 'VILLAGE')).toEqual(['张家营子村民委员会', '张家营村民委员会']);
    // the same name in both provinces: each finds its own, the country both
    expect(await names(admin.client, b.code, '张家营子村民委员会')).toEqual(['张家营子村民委员会']);
    expect(await names(admin.client, COUNTRY, '张家营子村民委员会')).toEqual(['张家营子村民委员会', '张家营子村民委员会', '张家营村民委员会']);
    // the short form of the same name is like it; the suffix alone (社区居民委员会) is not
    expect(await names(admin.client, county.code, '东风社区居民委员会')).toEqual(['东风社区居民委员会', '东风社区居委会']);
    expect(await names(admin.client, t.code, '东风社区居民委员会')).toEqual(['东风社区居民委员会']);
    // a county's inspector finds only within the county; from the province, out of its scope, nothing
    const inspector = await app.user(county, ['INSPECTOR']);
    expect(await names(inspector.client, county.code, '张家营子村民委员会')).toEqual(['张家营子村民委员会', '张家营村民委员会']);
    expect((await inspector.client.ok(SEARCH, { c: a.code, q: '张家营子村民委员会' })).adminUnit).toBeNull();
  });

  test('short texts: the names that contain them, then similar ones, paged across the two without gaps or repeats', async ({ app }) => {
    const r = await app.tree.region('戊省');
    const t = await (await r.county('戊县')).township('东风镇');
    for (const n of ['王家村', '东王家庄村', '王家屯', '王家庄村', '李家庄', '王家庄', '家王庄']) await t.village(n);
    const elsewhere = await (await (await (await app.tree.region('己省')).county('己县')).township('己镇')).village('王家庄');
    const admin = await platform(app);
    const PAGE = `query($c: String!, $q: String!, $after: String) { adminUnit(code: $c) { search(name: $q, first: 2, after: $after) { edges { cursor node { code name } } pageInfo { hasNextPage endCursor } } } }`;
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const s = (await admin.client.ok(PAGE, { c: r.code, q: '王家庄', after })).adminUnit.search;
      pages.push(s.edges.map((e: any) => e.node.name));
      expect(s.edges.map((e: any) => e.node.code)).not.toContain(elsewhere.code);
      if (!s.pageInfo.hasNextPage) break;
      after = s.pageInfo.endCursor;
    }
    // containing it: the name itself, then by likeness (王家庄村 before 东王家庄村); then similar (王家村, 王家屯 by code)
    expect(pages).toEqual([['王家庄', '王家庄村'], ['东王家庄村', '王家村'], ['王家屯']]);
    // one and two characters: containing only, by likeness then code
    expect(await names(admin.client, t.code, '王家')).toEqual(['王家村', '王家屯', '王家庄', '王家庄村', '东王家庄村']);
    expect((await names(admin.client, t.code, '庄')).sort()).toEqual(['东王家庄村', '家王庄', '李家庄', '王家庄', '王家庄村']);
  });
});
