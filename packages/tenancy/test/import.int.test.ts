import { createLogger } from '@jiceng/core';
import { inScope, withClient, withDatabase } from '@jiceng/db';
import { inject } from 'vitest';
import { DEMO_ACCOUNTS, importCodeList, mapUnit, tenancyModule } from '@jiceng/tenancy';
import { test, expect, type TestApp } from '@jiceng/testkit';

const IMPORT = `mutation($csv: String!) { importAdminUnits(csv: $csv) { inserted updated unchanged } }`;
const csv = (...lines: string[]) => lines.join('\n');

// Each test uses its own made-up province (codes 9x…) so they neither clash with each other nor with
// the tree builder's units (9 + pid digits + sequence).
const tree = (p: string) =>
  csv(
    'code,name,population,households,party_members',
    `${p}0000000000,测试自治区${p},,,`,
    `${p}0100000000,测试盟${p},,,`,
    `${p}0102000000,测试旗${p},,,`,
    `${p}0102001000,测试苏木${p},,,`,
    `${p}0102001201,测试嘎查,900,300,30`,
    `${p}0102001202,第二村,800,250,25`,
  );

async function platform(app: TestApp) {
  return app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
}

/** The units under a path such as cn.r98, as stored. */
async function unitsUnder(app: TestApp, path: string) {
  return app.asOwner((em) =>
    em.execute<{ code: string; level: string; path: string; county_code: string | null; descendant_counts: Record<string, number> }[]>(
      `select u.code, u.level, u.path::text as path, c.code as county_code, u.descendant_counts
         from admin_unit u left join admin_unit c on c.id = u.county_id
        where u.path <@ ?::ltree order by u.code`,
      [path],
    ),
  );
}

test('a PLATFORM_ADMIN imports a code list: paths, county ids, levels, counts; a re-run changes nothing', async ({ app }) => {
  const admin = await platform(app);
  expect((await admin.client.ok(IMPORT, { csv: tree('98') })).importAdminUnits).toEqual({ inserted: 6, updated: 0, unchanged: 0 });
  expect((await admin.client.ok(IMPORT, { csv: tree('98') })).importAdminUnits).toEqual({ inserted: 0, updated: 0, unchanged: 6 });

  expect(await unitsUnder(app, 'cn.r98')).toEqual([
    { code: '980000000000', level: 'REGION', path: 'cn.r98', county_code: null, descendant_counts: { REGION: 1, COUNTY: 1, TOWNSHIP: 1, VILLAGE: 2 } },
    { code: '980100000000', level: 'REGION', path: 'cn.r98.r9801', county_code: null, descendant_counts: { COUNTY: 1, TOWNSHIP: 1, VILLAGE: 2 } },
    { code: '980102000000', level: 'COUNTY', path: 'cn.r98.r9801.c980102', county_code: '980102000000', descendant_counts: { TOWNSHIP: 1, VILLAGE: 2 } },
    { code: '980102001000', level: 'TOWNSHIP', path: 'cn.r98.r9801.c980102.t980102001', county_code: '980102000000', descendant_counts: { VILLAGE: 2 } },
    { code: '980102001201', level: 'VILLAGE', path: 'cn.r98.r9801.c980102.t980102001.v980102001201', county_code: '980102000000', descendant_counts: {} },
    { code: '980102001202', level: 'VILLAGE', path: 'cn.r98.r9801.c980102.t980102001.v980102001202', county_code: '980102000000', descendant_counts: {} },
  ]);
  const r = await admin.client.ok(`{
    r: adminUnit(code: "980000000000") { counts { level count } }
    v: adminUnit(code: "980102001201") { level name population households partyMembers economy urban ancestors { code } }
  }`);
  expect(r.r.counts).toEqual([
    { level: 'REGION', count: 1 }, { level: 'COUNTY', count: 1 }, { level: 'TOWNSHIP', count: 1 }, { level: 'VILLAGE', count: 2 },
  ]);
  expect(r.v).toMatchObject({ level: 'VILLAGE', population: 900, households: 300, partyMembers: 30, economy: 'PASTORAL', urban: false });
  // the platform's scope starts at the country, the province's parent
  expect(r.v.ancestors.map((a: any) => a.code)).toEqual(['000000000000', '980000000000', '980100000000', '980102000000', '980102001000']);
});

test('an update by code: a changed name or figure updates that row only; columns a file leaves out stay', async ({ app }) => {
  const admin = await platform(app);
  await admin.client.ok(IMPORT, { csv: tree('97') });
  const changed = tree('97').replace('第二村', '第二村（新）').replace('900,300,30', '950,300,30');
  expect((await admin.client.ok(IMPORT, { csv: changed })).importAdminUnits).toEqual({ inserted: 0, updated: 2, unchanged: 4 });
  // the official list carries code and name only: the figures stay as they are
  const namesOnly = csv('code,name', '970102001201,测试嘎查（改）', '970102001202,第二村（新）');
  expect((await admin.client.ok(IMPORT, { csv: namesOnly })).importAdminUnits).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
  const r = await admin.client.ok(`{ a: adminUnit(code: "970102001201") { name population } b: adminUnit(code: "970102001202") { name population } }`);
  expect(r).toEqual({ a: { name: '测试嘎查（改）', population: 950 }, b: { name: '第二村（新）', population: 800 } });
});

test('a partial file hangs under existing units, and the counts above it follow', async ({ app }) => {
  const admin = await platform(app);
  await admin.client.ok(IMPORT, { csv: tree('96') });
  const more = csv('code,name', '960103000000,另一旗', '960103001000,另一苏木', '960103001001,另一社区居委会', '960102001203,第三村');
  expect((await admin.client.ok(IMPORT, { csv: more })).importAdminUnits).toEqual({ inserted: 4, updated: 0, unchanged: 0 });
  const r = await admin.client.ok(`{
    p: adminUnit(code: "960000000000") { counts { level count } }
    t: adminUnit(code: "960102001000") { count(level: VILLAGE) }
    c: adminUnit(code: "960103001001") { urban economy }
  }`);
  expect(r.p.counts).toEqual([
    { level: 'REGION', count: 1 }, { level: 'COUNTY', count: 2 }, { level: 'TOWNSHIP', count: 2 }, { level: 'VILLAGE', count: 4 },
  ]);
  expect(r.t.count).toBe(3);
  expect(r.c).toEqual({ urban: true, economy: 'FARMING' });
});

test('a county directly under its province (省直辖县) and townships of a city without counties', async ({ app }) => {
  const admin = await platform(app);
  const file = csv(
    'code,name',
    '950000000000,测试省',
    '959000000000,省直辖县级行政区划', // listed: counties 9590xx sit under it
    '959004000000,仙桃（测试）',
    '950404000000,无地级的县', // prefecture 9504 missing: sits under the province
    '950500000000,东莞（测试）',
    '950500003000,东城街道',
    '950500003001,岗贝社区居民委员会',
  );
  expect((await admin.client.ok(IMPORT, { csv: file })).importAdminUnits).toEqual({ inserted: 7, updated: 0, unchanged: 0 });
  expect((await unitsUnder(app, 'cn.r95')).map((u) => [u.code, u.path, u.county_code])).toEqual([
    ['950000000000', 'cn.r95', null],
    ['950404000000', 'cn.r95.c950404', '950404000000'],
    ['950500000000', 'cn.r95.r9505', null],
    ['950500003000', 'cn.r95.r9505.t950500003', null],
    ['950500003001', 'cn.r95.r9505.t950500003.v950500003001', null],
    ['959000000000', 'cn.r95.r9590', null],
    ['959004000000', 'cn.r95.r9590.c959004', '959004000000'],
  ]);
});

test('every problem is listed with its line, and a file with one bad row writes nothing', async ({ app }) => {
  const admin = await platform(app);
  const lines = (err: any) => (err.extensions.problems as { line: number; message: string }[]).map((p) => [p.line, p.message]);

  // problems within rows: found before any parent is looked at
  const rowProblems = csv('code,name,population', '940000000000,好的,', '9401000000,短,', '940100000000,好的盟,', '940100000000,重复,', '940102000000,,', '940102001000,苏木,很多');
  const e1 = await admin.client.fails('BAD_USER_INPUT', IMPORT, { csv: rowProblems });
  expect(e1.extensions).toMatchObject({ field: 'csv', problemCount: 4, truncated: false });
  expect(lines(e1)).toEqual([
    [3, 'malformed code "9401000000": expected 12 digits'],
    [5, 'duplicate code 940100000000 (first on line 4)'],
    [6, 'name must be 1 to 100 characters'],
    [7, 'population must be a whole number, got "很多"'],
  ]);

  // placement: unknown parent, wrong level nesting (also through parent_code), all in one list
  const placement = csv(
    'code,name,parent_code',
    '940000000000,好的,',
    '940100000000,好的盟,',
    '940103001000,没有旗的苏木,', // line 4: its county 940103 is nowhere
    '940102000000,旗,',
    '940102001001,挂在旗下的村,940102000000', // line 6: a village under a county
    '940200000000,挂在盟下的盟,940100000000', // line 7: a prefecture under a prefecture
    '940102002000,苏木,940000000000', // line 8: a township under a province
  );
  const e2 = await admin.client.fails('BAD_USER_INPUT', IMPORT, { csv: placement });
  expect(lines(e2)).toEqual([
    [4, 'unknown parent 940103000000'],
    [6, 'a village cannot sit under the county 940102000000'],
    [7, 'a prefecture cannot sit under the prefecture 940100000000'],
    [8, 'a township cannot sit under the province 940000000000'],
  ]);
  // nothing of either file was written
  expect((await admin.client.ok(`{ adminUnit(code: "940000000000") { id } }`)).adminUnit).toBeNull();
  expect(await unitsUnder(app, 'cn.r94')).toEqual([]);

  // many good rows and one bad last row: still nothing
  const good = tree('94').split('\n');
  const e3 = await admin.client.fails('BAD_USER_INPUT', IMPORT, { csv: csv(...good, '940102009001,孤村,,,') });
  expect(lines(e3)).toEqual([[8, 'unknown parent 940102009000']]);
  expect(await unitsUnder(app, 'cn.r94')).toEqual([]);
});

test('existing units keep their level and parent: a re-parenting row is refused with its line', async ({ app }) => {
  const admin = await platform(app);
  await admin.client.ok(IMPORT, { csv: tree('93') });
  const moved = csv('code,name,parent_code', '930103000000,新旗,930100000000', '930103001000,新苏木,', '930102001202,第二村,930103001000');
  const err = await admin.client.fails('BAD_USER_INPUT', IMPORT, { csv: moved });
  expect(err.extensions!.problems).toEqual([
    { line: 4, code: '930102001202', message: '930102001202 exists under 930102001000; move it with moveAdminUnit first' },
  ]);
  expect((await admin.client.ok(`{ adminUnit(code: "930103000000") { id } }`)).adminUnit).toBeNull();
});

test('a failure while writing rolls back what was already written', async ({ app }) => {
  const admin = await platform(app);
  await admin.client.ok(IMPORT, { csv: tree('92') });
  await admin.client.ok(IMPORT, { csv: tree('91') });
  // As the API role seeing province 92 only (the owner role reads the whole tree whatever the scope),
  // county 910102 is invisible and looks new: inserting it, after prefecture 920200 was written, fails.
  const file = csv('code,name,parent_code', '920200000000,新盟,', '910102000000,越界的旗,920200000000');
  await expect(inScope(app.orm, ['cn.r92'], (em) => importCodeList(em, file))).rejects.toThrow(/duplicate key|admin_unit_code_key/);
  expect((await unitsUnder(app, 'cn.r92.r9202')).length).toBe(0);
});

test('only the platform may import; imported units are visible only within scope', async ({ app }) => {
  const region = await app.tree.region();
  const orgAdmin = await app.user(region, ['ORG_ADMIN']);
  const inspector = await app.user(region, ['INSPECTOR']);
  await orgAdmin.client.fails('FORBIDDEN', IMPORT, { csv: tree('90') });
  await inspector.client.fails('FORBIDDEN', IMPORT, { csv: tree('90') });
  await app.anonymous.fails('UNAUTHENTICATED', IMPORT, { csv: tree('90') });
  expect(await unitsUnder(app, 'cn.r90')).toEqual([]);

  const admin = await app.user(region, ['PLATFORM_ADMIN']);
  expect((await admin.client.ok(IMPORT, { csv: tree('90') })).importAdminUnits.inserted).toBe(6);
  // an administrator elsewhere does not see them
  expect((await orgAdmin.client.ok(`{ adminUnit(code: "900000000000") { id } }`)).adminUnit).toBeNull();
  // an administrator of the imported county sees its township, not the province above
  const county = await app.asOwner(async (em) => mapUnit((await em.execute(`select * from admin_unit where code = '900102000000'`))[0]));
  const countyAdmin = await app.user(county, ['ORG_ADMIN']);
  const seen = await countyAdmin.client.ok(`{ p: adminUnit(code: "900000000000") { id } t: adminUnit(code: "900102001000") { name } }`);
  expect(seen).toEqual({ p: null, t: { name: '测试苏木90' } });
});

test('the demo seed loads Inner Mongolia and the demo accounts once; a second run is quick and changes nothing', async ({ app }) => {
  const seed = () => tenancyModule.seedDemo!({ orm: app.ownerOrm, log: createLogger('error') });
  await seed();
  const counts = await app.asOwner((em) =>
    em.execute<{ level: string; n: number; urban: number; pastoral: number }[]>(
      `select level, count(*)::int as n, count(*) filter (where urban)::int as urban, count(*) filter (where economy = 'PASTORAL')::int as pastoral
         from admin_unit where path <@ 'cn.r15' group by level order by level`,
    ),
  );
  expect(counts.map((c) => [c.level, c.n])).toEqual([['COUNTY', 108], ['REGION', 13], ['TOWNSHIP', 1225], ['VILLAGE', 14592]]);
  const villages = counts.find((c) => c.level === 'VILLAGE')!;
  expect(villages.urban).toBeGreaterThan(2500);
  expect(villages.pastoral).toBeGreaterThan(2000);

  const accounts = await app.asOwner((em) =>
    em.execute<{ username: string; code: string; roles: string[] }[]>(
      `select a.username, u.code, a.roles from app_user a join admin_unit u on u.id = a.unit_id where a.username like 'demo-%' order by a.username`,
    ),
  );
  expect(accounts).toEqual(
    [...DEMO_ACCOUNTS].sort((a, b) => a.username.localeCompare(b.username)).map((a) => ({ username: a.username, code: a.unitCode, roles: [...a.roles] })),
  );
  const township = await app.asOwner((em) => em.execute<{ parent: string }[]>(`select p.code as parent from admin_unit t join admin_unit p on p.id = t.parent_id where t.code = '150429100000'`));
  expect(township[0]!.parent).toBe('150429000000'); // demo-township's township lies in demo-county's county

  const started = performance.now();
  await seed();
  expect(performance.now() - started).toBeLessThan(3000);
  const after = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from admin_unit where path <@ 'cn.r15'`));
  expect(after[0]!.n).toBe(15938);
});

test('an import leaves admin_unit with fresh planner statistics (no wait for autovacuum)', async ({ app }) => {
  const admin = await platform(app);
  // ANALYZE sets the planner's row estimate (pg_class.reltuples) in the import's transaction
  const sql = (q: string) => withClient(withDatabase(inject('jicengDb').adminUrl, app.db.name), (c) => c.query(q));
  await sql(`update pg_class set reltuples = 1 where relname = 'admin_unit'`); // as if never counted
  await admin.client.ok(IMPORT, { csv: tree('89') });
  const { rows } = await sql(`select (select reltuples from pg_class where relname = 'admin_unit')::int as est, (select count(*) from admin_unit)::int as n`);
  expect(Math.abs(rows[0].est - rows[0].n)).toBeLessThan(rows[0].n * 0.01);
});

test('a large import is a bulk load: key, indexes and triggers as before after it; later units are checked, counted, found; a failed one keeps them', async ({ app }) => {
  const admin = await platform(app);
  const SEARCH = `query($c: String!, $q: String!) { adminUnit(code: $c) { search(name: $q) { edges { node { name } } } } }`;
  const names = async (q: string) => (await admin.client.ok(SEARCH, { c: '880000000000', q })).adminUnit.search.edges.map((e: any) => e.node.name);
  // admin_unit's indexes (valid), constraints and triggers (enabled or not), as the catalogue has them
  const shape = () => app.asOwner(async (em) => ({
    indexes: await em.execute<{ def: string; valid: boolean }[]>(
      `select pg_get_indexdef(indexrelid) as def, indisvalid as valid from pg_index where indrelid = 'admin_unit'::regclass order by 1`),
    constraints: await em.execute<{ name: string; def: string }[]>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'admin_unit'::regclass order by 1`),
    triggers: await em.execute<{ name: string; enabled: string }[]>(
      `select tgname as name, tgenabled as enabled from pg_trigger where tgrelid = 'admin_unit'::regclass and not tgisinternal order by 1`),
  }));
  const before = await shape();
  expect(before.indexes.map((i) => i.def).join('\n')).toMatch(/admin_unit_path_gist[\s\S]*admin_unit_search/);
  expect(before.constraints.map((c) => c.name)).toContain('admin_unit_parent_id_fkey');
  expect(before.triggers.filter((t) => /_insert$/.test(t.name)).map((t) => t.enabled)).toEqual(['O', 'O']);
  // the threshold lowered to this file's six units: dropped, rows written, built again
  expect(await inScope(app.orm, ['cn'], (em) => importCodeList(em, tree('88'), { bulkLoadAt: 1 }))).toEqual({ inserted: 6, updated: 0, unchanged: 0 });
  expect(await shape()).toEqual(before);
  expect(await names('测试嘎查')).toEqual(['测试嘎查']);
  expect((await names('测试苏木88'))[0]).toBe('测试苏木88');
  // counted from the file, and the country (an existing parent) recounted
  const TREE = `{ adminUnit(code: "880000000000") { counts { level count } children(first: 10) { edges { node { code } } } } }`;
  const counts = async () => (await admin.client.ok(TREE)).adminUnit;
  expect(await counts()).toMatchObject({ counts: expect.arrayContaining([{ level: 'VILLAGE', count: 2 }, { level: 'TOWNSHIP', count: 1 }]), children: { edges: [{ node: { code: '880100000000' } }] } });
  const country = await app.asOwner((em) => em.execute<{ n: number }[]>(`select (descendant_counts->>'REGION')::int as n from admin_unit where code = '000000000000'`));
  const regions = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from admin_unit where level = 'REGION'`));
  expect(country[0]!.n).toBe(regions[0]!.n);
  // later, a rename and a new unit (a small import: through the index, not rebuilt), counted by the triggers
  expect((await admin.client.ok(IMPORT, { csv: csv('code,name', '880102001201,更名嘎查', '880102001203,新来村') })).importAdminUnits)
    .toEqual({ inserted: 1, updated: 1, unchanged: 0 });
  expect(await names('更名嘎查')).toEqual(['更名嘎查']);
  expect(await names('新来村')).toEqual(['新来村']);
  expect(await names('测试嘎查')).toEqual([]);
  expect((await counts()).counts).toContainEqual({ level: 'VILLAGE', count: 3 });
  const rural = async () => (await app.asOwner((em) => em.execute<{ n: number }[]>(`select rural_villages as n from admin_unit where code = '880102001000'`)))[0]!.n;
  expect(await rural()).toBe(3);
  // a bulk load that also changes an existing unit: updated (through the code index, before the load drops it)
  expect(await inScope(app.orm, ['cn'], (em) => importCodeList(em, csv('code,name', '880102001201,再更名嘎查', '880102001204,又一村'), { bulkLoadAt: 1 })))
    .toEqual({ inserted: 1, updated: 1, unchanged: 0 });
  expect(await shape()).toEqual(before);
  expect(await names('再更名嘎查')).toEqual(['再更名嘎查']);
  expect((await counts()).counts).toContainEqual({ level: 'VILLAGE', count: 4 });
  expect(await rural()).toBe(4);
  // and the parent key holds again: a unit under no existing unit is refused
  await expect(app.asOwner((em) => em.execute(
    `insert into admin_unit (code, name, level, parent_id, path) values ('880102001299', '无主村', 'VILLAGE', 999999999, 'cn.r88.r8801.c880102.t880102001.v880102001299')`)))
    .rejects.toThrow(/admin_unit_parent_id_fkey/);
  // a large import that fails while writing rolls the drop back with its rows: seeing province 88 only,
  // county 870102 (province 87) looks new, and inserting it fails after prefecture 880300 was written
  await admin.client.ok(IMPORT, { csv: tree('87') });
  const file = csv('code,name,parent_code', '880300000000,新盟,', '870102000000,越界的旗,880300000000');
  await expect(inScope(app.orm, ['cn.r88'], (em) => importCodeList(em, file, { bulkLoadAt: 1 }))).rejects.toThrow(/duplicate key|admin_unit_code_key/);
  expect(await shape()).toEqual(before);
  expect(await names('新来村')).toEqual(['新来村']);
});
