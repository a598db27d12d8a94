import { readFileSync } from 'node:fs';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { executeBound } from '@jiceng/db';
import { creditCodeCheckChar } from '../../pairing/src/credit-code.js';
import { XLSX, base, csv, upload, xlsx } from './helpers.js';

const S_HEAD = ['帮扶单位', '嘎查村代码', '日期', '走访次数', '安置人数', '物资价值（元）', '会议次数', '解决问题数', '协调项目数', '备注'];
const PAIR = `mutation($p: ID!, $v: ID!, $s: LocalDate!, $e: LocalDate) { pairPartner(partnerId: $p, villageId: $v, startsOn: $s, endsOn: $e) }`;
let n = 0;
const creditCode = () => {
  const first17 = `9115${String(process.pid % 10000).padStart(4, '0')}${String(++n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};

/** A region, a county with two townships; an enterprise paired with two villages (one term ended), a partner user linked to it. */
async function world(app: TestApp, name = `测试帮扶企业${++n}`) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const paired = await township.village();
  const ended = await township.village();
  const unpaired = await township.village();
  const regionAdmin = await app.user(region, ['ORG_ADMIN']);
  const id = async (code: string) => (await regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: code })).adminUnit.id as string;
  const partner = (await regionAdmin.client.ok(`mutation($i: PartnerInput!) { registerPartner(input: $i) { id } }`,
    { i: { unitId: await id(region.code), kind: 'ENTERPRISE', name, creditCode: creditCode() } })).registerPartner.id as string;
  await regionAdmin.client.ok(PAIR, { p: partner, v: await id(paired.code), s: '2025-01-01' });
  await regionAdmin.client.ok(PAIR, { p: partner, v: await id(ended.code), s: '2025-01-01', e: '2026-03-01' });
  const user = await app.user(region, ['ENTERPRISE']);
  const me = await user.client.ok(`{ me { user { id } } }`);
  await regionAdmin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p: partner });
  return { region, county, township, paired, ended, unpaired, regionAdmin, user, partner, name, id };
}

const totals = async (w: Awaited<ReturnType<typeof world>>) =>
  (await w.regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { supportTotals(from: "2026-01-01", to: "2026-12-31") { entries visits peoplePlaced materialsValue meetings problemsSolved projectsCoordinated } } }`,
    { c: w.region.code })).adminUnit.supportTotals;

describe('support import', () => {
  test('a partner imports its own support for its villages (an ended pairing within its term too); re-importing adds nothing; the figures read back exactly', async ({ app }) => {
    const w = await world(app);
    const rows = [
      [w.name, w.paired.code, '2026-03-15', 2, 0, '1500.50', 1, 0, 0, '送化肥'],
      [w.name, w.paired.code, new Date(Date.UTC(2026, 3, 1)), 1, 3, 0.1, '', '', 1, ''],
      [w.name, w.ended.code, '2026/2/28', 1, '', '', '', 2, '', '期限内'],
    ];
    const file = await xlsx('帮扶记录', [S_HEAD, ...rows]);
    const first = await upload(app, w.user, 'support', file, XLSX, 'wait=1&year=2026');
    expect(first.body).toMatchObject({ state: 'DONE', total: 3, written: 3, result: { inserted: 3, updated: 0, unchanged: 0 } });
    const t = await totals(w);
    expect(t).toEqual({ entries: 3, visits: 4, peoplePlaced: 3, materialsValue: '1500.60', meetings: 1, problemsSolved: 2, projectsCoordinated: 1 });
    const again = await upload(app, w.user, 'support', file, XLSX, 'wait=1&year=2026');
    expect(again.body.result).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    // the same entries as CSV: the same keys, nothing new
    const asCsv = await upload(app, w.user, 'support', csv([S_HEAD, ...rows.map((r) => r.map((c) => (c instanceof Date ? '2026-04-01' : c)))]), 'text/csv', 'wait=1&year=2026');
    expect(asCsv.body.result).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await totals(w)).toEqual(t);
  });

  test('every problem of a support sheet is named; staff cannot import support; the year is required', async ({ app }) => {
    const w = await world(app);
    const file = await xlsx('帮扶记录', [S_HEAD,
      ['别的单位', w.paired.code, '2026-03-15', 1, '', '', '', '', '', ''],
      [w.name, w.unpaired.code, '2026-03-15', 1, '', '', '', '', '', ''],
      [w.name, w.ended.code, '2026-05-01', 1, '', '', '', '', '', ''],
      [w.name, w.paired.code, '2025-12-31', 1, '', '', '', '', '', ''],
      [w.name, w.paired.code, '2026-02-30', 1, '', '', '', '', '', ''],
      [w.name, w.paired.code, '2026-03-16', 0, '', '', '', '', '', ''],
      [w.name, w.paired.code, '2026-03-17', -1, '', '12.345', '', '', '', ''],
      [w.name, w.paired.code, '2026-03-18', 1, '', '', '', '', '', 'x'],
      [w.name, w.paired.code, '2026-03-18', 1, '', '', '', '', '', 'x'],
      [w.name, w.paired.code, '2099-01-01', 1, '', '', '', '', '', ''],
    ]);
    const r = await upload(app, w.user, 'support', file, XLSX, 'wait=1&year=2026');
    expect(r.body.state).toBe('FAILED');
    const found = r.body.problems.map((p: any) => [p.row, p.column, p.code]);
    expect(found).toEqual(expect.arrayContaining([
      [2, 'A', 'NOT_OWN_PARTNER'],
      [3, 'B', 'NOT_PAIRED'],
      [4, 'C', 'OUTSIDE_TERM'],
      [5, 'C', 'OUTSIDE_YEAR'],
      [6, 'C', 'BAD_DATE'],
      [7, 'D', 'NO_FIGURES'],
      [8, 'D', 'OUT_OF_RANGE'],
      [8, 'F', 'BAD_AMOUNT'],
      [10, 'B', 'DUPLICATE'],
      [11, 'C', 'FUTURE_DATE'],
    ]));
    expect(await totals(w)).toMatchObject({ entries: 0 });
    // staff log no support (as logSupport): the whole file is refused
    const staff = await upload(app, w.regionAdmin, 'support', await xlsx('帮扶记录', [S_HEAD, [w.name, w.paired.code, '2026-03-15', 1]]), XLSX, 'wait=1&year=2026');
    expect(staff.body).toMatchObject({ state: 'FAILED', errorCode: 'FORBIDDEN' });
    const noYear = await upload(app, w.user, 'support', file, XLSX, 'wait=1');
    expect(noYear.status).toBe(400);
    expect(noYear.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });
  });
});

describe('round trip', () => {
  test('the support ledger a partner exports imports again: nothing changes, every figure stays (entries logged in GraphQL, a correction)', async ({ app }) => {
    const w = await world(app);
    const village = await w.id(w.paired.code);
    const LOG = `mutation($i: SupportInput!) { logSupport(input: $i) }`;
    const first = (await w.user.client.ok(LOG, { i: { villageId: village, loggedOn: '2026-02-03', visits: 2, materialsValue: '0.29', note: '=1+1' } })).logSupport;
    await w.user.client.ok(LOG, { i: { villageId: village, loggedOn: '2026-05-06', peoplePlaced: 4, meetings: 1, materialsValue: '123456789.01', note: '说明,含逗号"引号"' } });
    await w.user.client.ok(LOG, { i: { villageId: village, loggedOn: '2026-07-08', problemsSolved: 1, note: '=HYPERLINK("x")' } });
    await w.user.client.ok(`mutation($c: ID!, $i: SupportInput!) { correctSupport(correctsId: $c, input: $i) }`,
      { c: first, i: { villageId: village, loggedOn: '2026-02-03', visits: 3, materialsValue: '0.30' } });
    const before = await totals(w);
    expect(before).toMatchObject({ entries: 3, visits: 3, materialsValue: '123456789.31' });
    for (const ext of ['xlsx', 'csv'] as const) {
      const res = await fetch(`${base(app)}/export/support.${ext}?unit=${w.paired.code}&year=2026`, { headers: { authorization: `Bearer ${w.user.token}` } });
      expect(res.status).toBe(200);
      const file = Buffer.from(await res.arrayBuffer());
      const r = await upload(app, w.user, 'support', file, ext === 'xlsx' ? XLSX : 'text/csv', 'wait=1&year=2026');
      expect(r.body, JSON.stringify(r.body.problems)).toMatchObject({ state: 'DONE', total: 3, result: { inserted: 0, unchanged: 3 } });
      expect(await totals(w)).toEqual(before);
    }
  });
});

describe('files written by another program', () => {
  test('XLSX files saved by LibreOffice import (numbers as codes, date cells, its own zip layout)', async ({ app }) => {
    const county = await (await app.tree.region()).county();
    const township = await county.township();
    await app.asOwner((em) => executeBound(em,
      `insert into admin_unit (code, name, level, parent_id, path, county_id) select c, '固定村' || c, 'VILLAGE', $1, ($2 || '.v' || c)::ltree, $3 from unnest($4::text[]) c`,
      [township.id, township.path, county.id, ['777000000001', '777000000002', '777000000003']]));
    const admin = await app.user(county, ['ORG_ADMIN']);
    const a = await upload(app, admin, 'assessments', readFileSync(new URL('./fixtures/assessments-libreoffice.xlsx', import.meta.url)), XLSX);
    expect(a.body).toMatchObject({ state: 'DONE', result: { inserted: 3 } });
    const rows = await app.asOwner((em) => executeBound(em, `select u.code, a.stars from assessment a join admin_unit u on u.id = a.unit_id where u.code like '777%' order by 1`, []));
    expect(rows).toEqual([{ code: '777000000001', stars: 8 }, { code: '777000000002', stars: 4 }, { code: '777000000003', stars: 10 }]);
    // the support file: a partner named as in it, paired with the first two villages
    const regionAdmin = await app.user(county, ['ORG_ADMIN']);
    const id = async (code: string) => (await regionAdmin.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: code })).adminUnit.id as string;
    const partner = (await regionAdmin.client.ok(`mutation($i: PartnerInput!) { registerPartner(input: $i) { id } }`,
      { i: { unitId: await id(county.code), kind: 'ENTERPRISE', name: '测试帮扶企业', creditCode: creditCode() } })).registerPartner.id;
    for (const c of ['777000000001', '777000000002']) await regionAdmin.client.ok(PAIR, { p: partner, v: await id(c), s: '2026-01-01' });
    const user = await app.user(county, ['ENTERPRISE']);
    const me = await user.client.ok(`{ me { user { id } } }`);
    await regionAdmin.client.ok(`mutation($u: ID!, $p: ID!) { linkPartnerAccount(userId: $u, partnerId: $p) }`, { u: me.me.user.id, p: partner });
    const s = await upload(app, user, 'support', readFileSync(new URL('./fixtures/support-libreoffice.xlsx', import.meta.url)), XLSX, 'wait=1&year=2026');
    expect(s.body).toMatchObject({ state: 'DONE', result: { inserted: 2 } });
    const logged = await app.asOwner((em) => executeBound(em, `select to_char(logged_on, 'YYYY-MM-DD') as d, visits, materials_value::text as m, note from support_log where partner_id = $1 order by logged_on`, [partner.length ? Buffer.from(partner, 'base64url').toString().split(':')[1] : partner]));
    expect(logged).toEqual([{ d: '2026-03-15', visits: 2, m: '150050', note: '送化肥' }, { d: '2026-04-01', visits: 1, m: '10', note: null }]);
  });
});
