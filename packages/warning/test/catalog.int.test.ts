import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog, type CatalogInput } from '../src/index.js';

const SET = `mutation($u: ID!, $on: LocalDate!, $c: [IndicatorCategoryInput!]!) {
  setIndicatorCatalog(unitId: $u, effectiveOn: $on, categories: $c) { code name items { code name indicators { code name } } } }`;
const CATALOG = `query($u: ID) { indicatorCatalog(unitId: $u) { code items { code indicators { code } } } }`;
const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id village { light } } }`;
const uid = (id: string) => toGlobalId('AdminUnit', id);
let key = 0;

/** Seed 002's catalogue as the mutation's input. */
const seedInput = (): CatalogInput[] => SEED_002_CATALOG.map((c) => ({
  code: c.code, name: c.name,
  items: c.items.map((item, i) => {
    const code = `${c.code}${String(i + 1).padStart(2, '0')}`;
    return { code, name: item.name, indicators: item.indicators.map((name, k) => ({ code: `${code}-${String(k + 1).padStart(2, '0')}`, name })) };
  }),
}));
/** A small catalogue: safety only (平安建设), without the party-building indicators. */
const safetyOnly = (): CatalogInput[] => [{ code: 'SA', name: '平安建设', items: [{ code: 'SA01', name: '社会治安', indicators: [{ code: 'SA01-01', name: '刑事治安案件发生' }, { code: 'SA01-02', name: '黄赌毒现象' }] }] }];
const shape = (cats: any[]) => cats.map((c) => [c.code, c.items.length, c.items.reduce((n: number, i: any) => n + i.indicators.length, 0)]);

async function world(app: TestApp) {
  const province = await app.tree.region();
  const city = await province.region();
  const county = await city.county();
  const township = await county.township();
  const village = await township.village();
  const otherProvince = await app.tree.region();
  const [provinceAdmin, cityAdmin, reporter, otherAdmin] = [
    await app.user(province, ['ORG_ADMIN']), await app.user(city, ['ORG_ADMIN']), await app.user(village, ['REPORTER']), await app.user(otherProvince, ['ORG_ADMIN'])];
  const [today] = await app.asOwner((em) => em.execute<{ d: string; next: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d, to_char(current_date + 7, 'YYYY-MM-DD') as next`));
  const catalogues = async () => (await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from warning_catalog where unit_id = ?`, [city.id])))[0]!.n;
  return { province, city, county, township, village, provinceAdmin, cityAdmin, reporter, otherAdmin, today: today!.d, nextWeek: today!.next, catalogues };
}

describe('dynamic management 110: setting a region\'s indicator catalogue', () => {
  test('the unit above sets a region\'s catalogue from today: 5 / 30 / 90 in force below it', async ({ app }) => {
    const w = await world(app);
    expect((await w.reporter.client.ok(CATALOG, { u: uid(w.village.id) })).indicatorCatalog).toEqual([]);
    const set = await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.today, c: seedInput() });
    expect(shape(set.setIndicatorCatalog)).toEqual([['PB', 9, 28], ['NC', 7, 20], ['SA', 4, 13], ['GD', 3, 9], ['PI', 7, 20]]);
    expect(set.setIndicatorCatalog[0].items[0]).toMatchObject({ code: 'PB01', name: '班子建设', indicators: [{ code: 'PB01-01', name: '班子成员配备齐全' }, {}, {}, {}] });
    const read = (await w.reporter.client.ok(CATALOG, { u: uid(w.village.id) })).indicatorCatalog;
    expect(shape(read)).toEqual(shape(set.setIndicatorCatalog));
    // the same catalogue as the seed's rows
    const rows = await app.asOwner((em) => em.execute<{ code: string }[]>(
      `select i.code from warning_indicator i join warning_catalog c on c.id = i.catalog_id where c.unit_id = ? order by i.position`, [w.city.id]));
    expect(rows.map((r) => r.code)).toEqual(catalogRows(SEED_002_CATALOG).map((r) => r.code));
  });

  test('from above only, on a region, in scope; nothing half-written', async ({ app }) => {
    const w = await world(app);
    // a region's own centre does not set its own catalogue; the unit above does
    await w.cityAdmin.client.fails('FORBIDDEN', SET, { u: uid(w.city.id), on: w.today, c: safetyOnly() });
    await w.reporter.client.fails('FORBIDDEN', SET, { u: uid(w.city.id), on: w.today, c: safetyOnly() });
    await w.otherAdmin.client.fails('NOT_FOUND', SET, { u: uid(w.city.id), on: w.today, c: safetyOnly() });
    expect((await w.cityAdmin.client.fails('BAD_USER_INPUT', SET, { u: uid(w.county.id), on: w.today, c: safetyOnly() })).extensions!.field).toBe('unitId');
    expect(await w.catalogues()).toBe(0);
  });

  test('validation: codes unique and shaped category → item → indicator, names 1 to 200 characters, not in the past', async ({ app }) => {
    const w = await world(app);
    const refused = async (field: string, c: CatalogInput[], on = w.today) => {
      const e = await w.provinceAdmin.client.fails('BAD_USER_INPUT', SET, { u: uid(w.city.id), on, c });
      expect(e.extensions!.field).toBe(field);
    };
    const base = safetyOnly;
    await refused('categories', []);
    await refused('categories[0].code', [{ ...base()[0]!, code: 'sa' }]);
    await refused('categories[1].code', [...base(), { ...base()[0]!, items: [{ code: 'SA02', name: 'x', indicators: [{ code: 'SA02-01', name: 'y' }] }] }]);
    await refused('categories[0].name', [{ ...base()[0]!, name: '  ' }]);
    await refused('categories[0].items', [{ ...base()[0]!, items: [] }]);
    await refused('categories[0].items[0].code', [{ ...base()[0]!, items: [{ code: 'PB01', name: '社会治安', indicators: [{ code: 'PB01-01', name: 'x' }] }] }]);
    await refused('categories[0].items[1].code', [{ ...base()[0]!, items: [base()[0]!.items[0]!, base()[0]!.items[0]!] }]);
    await refused('categories[0].items[0].indicators', [{ ...base()[0]!, items: [{ code: 'SA01', name: '社会治安', indicators: [] }] }]);
    await refused('categories[0].items[0].indicators[0].code', [{ ...base()[0]!, items: [{ code: 'SA01', name: '社会治安', indicators: [{ code: 'SA02-01', name: 'x' }] }] }]);
    await refused('categories[0].items[0].indicators[1].code', [{ ...base()[0]!, items: [{ code: 'SA01', name: '社会治安', indicators: [{ code: 'SA01-01', name: 'x' }, { code: 'SA01-01', name: 'y' }] }] }]);
    await refused('categories[0].items[0].indicators[0].name', [{ ...base()[0]!, items: [{ code: 'SA01', name: '社会治安', indicators: [{ code: 'SA01-01', name: '长'.repeat(201) }] }] }]);
    await refused('effectiveOn', base(), '2025-01-01');
    expect(await w.catalogues()).toBe(0);
    // 200 characters is a name
    await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.today, c: [{ ...base()[0]!, name: '长'.repeat(200) }] });
    // one in force on this day already: refused
    await refused('effectiveOn', base());
    expect(await w.catalogues()).toBe(1);
  });

  test('a later catalogue waits for its day, and is replaced while it waits', async ({ app }) => {
    const w = await world(app);
    await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.today, c: seedInput() });
    await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.nextWeek, c: safetyOnly() });
    expect(shape((await w.reporter.client.ok(CATALOG, { u: uid(w.village.id) })).indicatorCatalog)).toHaveLength(5);
    const again = await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.nextWeek, c: [{ ...safetyOnly()[0]!, name: '平安建设(修订)' }] });
    expect(again.setIndicatorCatalog[0].name).toBe('平安建设(修订)');
    expect(await w.catalogues()).toBe(2);
    // on its day it is in force (the clock moved a week: the catalogue's day moved back a week instead)
    await app.asOwner((em) => em.execute(`update warning_catalog set effective_on = effective_on - 7 where unit_id = ?`, [w.city.id]));
    expect(shape((await w.reporter.client.ok(CATALOG, { u: uid(w.village.id) })).indicatorCatalog)).toEqual([['SA', 1, 2]]);
  });

  test('an indicator the new catalogue drops keeps its light and open warnings until resolved; no new reports on it', async ({ app }) => {
    const w = await world(app);
    await app.asOwner((em) => insertCatalog(em, w.province.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
    const report = (code: string) => w.reporter.client.request(REPORT, { i: {
      villageId: uid(w.village.id), indicatorCode: code, level: 'RED', severity: 'ORDINARY', facts: '班子不团结', observedOn: w.today, idempotencyKey: `c${++key}` } });
    const r = await report('PB01-01');
    expect(r.errors).toBeUndefined();
    await w.provinceAdmin.client.ok(SET, { u: uid(w.city.id), on: w.today, c: safetyOnly() });
    const counts = `query($c: String!) { adminUnit(code: $c) { lightCounts { green yellow red } } }`;
    expect((await w.provinceAdmin.client.ok(counts, { c: w.city.code })).adminUnit.lightCounts).toEqual({ green: 0, yellow: 0, red: 1 });
    expect((await report('PB01-02')).errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indicatorCode' });
    expect((await report('SA01-02')).errors).toBeUndefined();
    const station = await app.user(w.township, ['WARNING_STATION']);
    const resolved = await station.client.ok(`mutation($id: ID!, $on: LocalDate!) { resolveWarning(id: $id, on: $on, note: "已整改") { resolvedOn } }`, { id: r.data.reportWarning.id, on: w.today });
    expect(resolved.resolveWarning.resolvedOn).toBe(w.today);
    const [light] = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from warning_light where unit_id = ? and indicator_code = 'PB01-01'`, [w.village.id]));
    expect(light!.n).toBe(0);
  });
});
