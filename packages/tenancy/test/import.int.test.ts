import { test, expect } from '@jiceng/testkit';

const IMPORT = `mutation($csv: String!) { importAdminUnits(csv: $csv) { inserted updated unchanged } }`;
// codes under a made-up province 98 so they cannot clash with other files' units
const FILE = [
  'code,name,population,households,party_members',
  '980000000000,测试自治区,,,',
  '980100000000,测试盟,,,',
  '980102000000,测试旗,,,',
  '980102001000,测试苏木,,,',
  '980102001201,测试嘎查,900,300,30',
  '980102001202,第二村,800,250,25',
].join('\n');

test('a PLATFORM_ADMIN imports a code list; a re-run changes nothing; a changed name updates', async ({ app }) => {
  const platform = await app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
  expect((await platform.client.ok(IMPORT, { csv: FILE })).importAdminUnits).toEqual({ inserted: 6, updated: 0, unchanged: 0 });
  expect((await platform.client.ok(IMPORT, { csv: FILE })).importAdminUnits).toEqual({ inserted: 0, updated: 0, unchanged: 6 });
  const renamed = FILE.replace('第二村', '第二村（新）');
  expect((await platform.client.ok(IMPORT, { csv: renamed })).importAdminUnits).toEqual({ inserted: 0, updated: 1, unchanged: 5 });
  const r = await platform.client.ok(`{ adminUnit(code: "980000000000") { counts { level count } } v: adminUnit(code: "980102001201") { level population economy ancestors { code } } }`);
  expect(r.adminUnit.counts).toEqual([
    { level: 'REGION', count: 1 }, { level: 'COUNTY', count: 1 }, { level: 'TOWNSHIP', count: 1 }, { level: 'VILLAGE', count: 2 },
  ]);
  expect(r.v).toMatchObject({ level: 'VILLAGE', population: 900, economy: 'PASTORAL' });
  expect(r.v.ancestors.map((a: any) => a.code)).toEqual(['980000000000', '980100000000', '980102000000', '980102001000']);
});

test('one bad row writes nothing, and every problem is listed with its line', async ({ app }) => {
  const platform = await app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
  const bad = ['code,name', '970000000000,好的,', '970100000000,好的盟', '970102001000,没有旗的苏木', '970100000000,重复', '97010200120,短'].join('\n');
  const err = await platform.client.fails('BAD_USER_INPUT', IMPORT, { csv: bad });
  const problems = err.extensions!.problems as { line: number; message: string }[];
  expect(problems.map((p) => p.line).sort()).toEqual([5, 6]);
  const wrongNesting = ['code,name', '970000000000,好的', '970100000000,好的盟', '970102001000,没有旗的苏木'].join('\n');
  const err2 = await platform.client.fails('BAD_USER_INPUT', IMPORT, { csv: wrongNesting });
  expect(err2.extensions!.problems).toEqual([{ line: 4, code: '970102001000', message: 'unknown parent 970102000000' }]);
  expect((await platform.client.ok(`{ adminUnit(code: "970000000000") { id } }`)).adminUnit).toBeNull();
});

test('only the platform may import; imported units are visible only within scope', async ({ app }) => {
  const region = await app.tree.region();
  const admin = await app.user(region, ['ORG_ADMIN']);
  await admin.client.fails('FORBIDDEN', IMPORT, { csv: FILE });
  const platform = await app.user(region, ['PLATFORM_ADMIN']);
  await platform.client.ok(IMPORT, { csv: FILE.replaceAll('98', '96') });
  expect((await admin.client.ok(`{ adminUnit(code: "960000000000") { id } }`)).adminUnit).toBeNull();
});
