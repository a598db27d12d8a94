import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { executeBound, inScope } from '@jiceng/db';
import { authenticate } from '@jiceng/tenancy';
import { describe, expect, test, type TestApp, type TestUser } from '@jiceng/testkit';
import { LEDGERS, prepareExport, yuanNumber } from '../src/index.js';

const YEAR = 2026;
const LEDGER_KEYS = ['cases', 'key-targets', 'pairings', 'support', 'disbursements', 'warnings', 'disputes'];
let seq = 0;
const key = (s: string) => `${s}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`;

/** GET an export with a user's token (or none, or a given Authorization header). */
async function get(app: TestApp, path: string, who: TestUser | null | { authorization: string }) {
  const headers: Record<string, string> = who === null ? {} : 'authorization' in who ? { authorization: who.authorization } : { authorization: `Bearer ${who.token}` };
  return fetch(new URL(path, app.url), { headers });
}

async function xlsxOf(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  return wb;
}

/** The rows of a sheet as arrays of cell values (1-based columns dropped). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  const width = Math.max(...out.map((r) => r.length));
  return out.map((r) => Array.from({ length: width }, (_, k) => r[k]));
}

async function csvOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 BOM
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.slice(3));
}

/** RFC 4180 parsing (quoted fields, doubled quotes, CRLF), enough to read our files back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (quoted) {
      if (ch === '"' && text[k + 1] === '"') { field += '"'; k++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[k + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; k++; }
    else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const UNIT_ID = `query($c: String!) { adminUnit(code: $c) { id } }`;

/**
 * A region with one county (two townships) and another county. v1 is a target village with a case, key
 * target, two partners (a first secretary linked to a partner user, and a leader), support from both,
 * two disbursements (0.29 and 999,999,999,999.99 yuan) and a reversal, a warning and a dispute.
 */
async function world(app: TestApp) {
  const region = await app.tree.region('测试盟');
  const county = await region.county('宁城旗');
  const township = await county.township('天义镇');
  const township2 = await county.township('八里罕镇');
  const v1 = await township.village('小城子村');
  const v2 = await township.village('大城子村');
  const v3 = await township2.village('三家村');
  const other = await region.county('喀喇沁旗');
  const otherVillage = await (await other.township()).village();
  const platform = await app.user(region, ['PLATFORM_ADMIN']);
  const regionFinance = await app.user(region, ['FINANCE']);
  const countyFinance = await app.user(county, ['FINANCE']);
  const countyAdmin = await app.user(county, ['ORG_ADMIN']);
  const townshipAdmin = await app.user(township, ['ORG_ADMIN']);
  const reporter = await app.user(county, ['REPORTER']);
  const secretary = await app.user(v1, ['FIRST_SECRETARY']);
  const id = async (code: string) => (await platform.client.ok(UNIT_ID, { c: code })).adminUnit.id as string;
  const ids = { region: await id(region.code), county: await id(county.code), v1: await id(v1.code) };

  const partners = await app.asOwner(async (em) => {
    const q = (sql: string, p: unknown[]) => executeBound<{ id: string }>(em, sql, p);
    // the case register: v1 third category and designated weak, with a case and two problem items
    await q(`insert into assessment (unit_id, year, stars, category) values ($1, $2, 3, 'THIRD'), ($3, $2, 4, 'THIRD')`, [v1.id, YEAR, v3.id]);
    await q(`insert into weak_designation (unit_id, year, cause, problem_types) values ($1, $2, 'FINANCIAL_CHAOS', '{账目不清,公章管理}')`, [v1.id, YEAR]);
    const [c] = await q(`insert into rectification_case (unit_id, year, state, responsible_leader, village_secretary, working_group, deadline, publicized_on, created_at)
      values ($1, $2, 'RECTIFYING', '王包保', '李书记', '{张三,李四}', '2026-11-30', '2026-03-05', '2026-03-01 10:00+08') returning id::text`, [v1.id, YEAR]);
    await q(`insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values
      ($1, $2, '账目混乱', '清理三年账目', '会计', '2026-06-30'), ($1, $2, '=公章未管', '公章专人保管', '支书', '2026-05-31')`, [c!.id, v1.id]);
    await q(`insert into key_target (unit_id, year) values ($1, $2)`, [v1.id, YEAR]);
    // pairings: a first secretary (linked to the partner user) and a county leader, both on v1; a leader on v2
    const [fs] = await q(`insert into partner (unit_id, kind, name) values ($1, 'FIRST_SECRETARY', '赵第一书记') returning id::text`, [county.id]);
    const [leader] = await q(`insert into partner (unit_id, kind, name) values ($1, 'LEADER', '钱县长') returning id::text`, [county.id]);
    await q(`insert into pairing (partner_id, unit_id, starts_on) values ($1, $3, '2026-01-01'), ($2, $3, '2025-06-01'), ($2, $4, '2026-02-01')`, [fs!.id, leader!.id, v1.id, v2.id]);
    await q(`insert into partner_account (user_id, partner_id, unit_id) values ($1, $2, $3)`, [secretary.id, fs!.id, county.id]);
    // support: 29 fen of materials, a note that is a formula, a note CSV must quote; the leader's entry
    await q(`insert into support_log (partner_id, unit_id, logged_on, visits, materials_value, note) values
      ($1, $3, '2026-04-02', 2, 29, '=HYPERLINK("http://x","点我")'), ($1, $3, '2026-05-02', 1, 100000000000000 - 1, '走访, 座谈 "三会一课"' || chr(10) || '第二行'),
      ($2, $3, '2026-04-03', 5, 0, '县长走访')`, [fs!.id, leader!.id, v1.id]);
    // warnings ledger and disputes ledger
    await q(`insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, follow_up_due, resolved_on, resolution_note)
      values ($1, 'A01', 'RED', 'MAJOR', 'COUNTY', '+班子瘫痪', '2026-07-01', $2, 'k1', '2026-07-10', '2026-07-08', '已调整班子'),
             ($1, 'B02', 'YELLOW', 'MINOR', 'VILLAGE', '会议未开', '2025-07-01', $2, 'k2', null, null, null)`, [v1.id, reporter.id]);
    await q(`insert into warning_dispute (unit_id, category, summary, recorded_on, resolved_on, result) values
      ($1, 'HOMESTEAD', '宅基地边界纠纷', '2026-08-01', '2026-08-20', '调解成功'), ($2, 'NEIGHBOURS', '邻里纠纷', '2026-08-02', null, null)`, [v1.id, otherVillage.id]);
    return { fs: fs!.id, leader: leader!.id };
  });

  // disbursements through the API: 999,999,999,999.99 and 0.29 yuan to v1, 5 yuan reversed
  for (const amount of ['999999999999.99', '0.29', '5.00']) {
    await regionFinance.client.ok(`mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: ${YEAR}, amount: $a, idempotencyKey: $k) { id } }`, { r: ids.region, a: amount, k: key('ap') });
    const allocate = `mutation($f: ID!, $t: ID!, $a: Money!, $k: String!) { allocateFunds(fromUnitId: $f, toUnitId: $t, fund: OFFICE, year: ${YEAR}, amount: $a, idempotencyKey: $k) { id } }`;
    await regionFinance.client.ok(allocate, { f: ids.region, t: ids.county, a: amount, k: key('al') });
    await countyFinance.client.ok(allocate, { f: ids.county, t: ids.v1, a: amount, k: key('al') });
  }
  const paid: string[] = [];
  for (const [amount, voucher, on] of [['999999999999.99', '记-001', '2026-03-01'], ['0.29', '记-002', '2026-03-02'], ['5.00', '=1+1', '2026-03-03']]) {
    const t = await countyFinance.client.ok(`mutation($v: ID!, $a: Money!, $k: String!, $n: String!, $on: LocalDate!) { disburseFunds(villageId: $v, fund: OFFICE, year: ${YEAR}, amount: $a, voucher: $n, on: $on, idempotencyKey: $k) { id } }`,
      { v: ids.v1, a: amount, n: voucher, on, k: key('d') });
    paid.push(t.disburseFunds.id);
  }
  await countyFinance.client.ok(`mutation($t: ID!, $k: String!) { reverseTransfer(transferId: $t, reason: "错付", idempotencyKey: $k) { id } }`, { t: paid[2], k: key('r') });

  return { region, county, township, township2, v1, v2, v3, other, otherVillage, platform, regionFinance, countyFinance, countyAdmin, townshipAdmin, reporter, secretary, partners };
}
type World = Awaited<ReturnType<typeof world>>;

const href = (ledger: string, format: string, unit: string, year: number | string = YEAR) => `/export/${ledger}.${format}?unit=${unit}&year=${year}`;

describe('ledger exports', () => {
  let w: World;
  const setup = async (app: TestApp) => (w ??= await world(app));

  test('the case register as XLSX: 说明 first, Chinese headers, the unit path as columns, dates as dates, frozen header and filter', async ({ app }) => {
    await setup(app);
    const wb = await xlsxOf(await get(app, href('cases', 'xlsx', w.county.code), w.countyAdmin));
    expect(wb.worksheets.map((s) => s.name)).toEqual(['说明', '登记造册']);
    const info = Object.fromEntries(rowsOf(wb.worksheets[0]!).map(([k, v]) => [k, v]));
    expect(info).toMatchObject({ 台账: '登记造册', 单位: `宁城旗（${w.county.code}）`, 年度: YEAR, 导出人: expect.stringContaining(w.countyAdmin.username) });
    expect(info.导出时间).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}（北京时间）$/);
    const ws = wb.worksheets[1]!;
    const [header, ...rows] = rowsOf(ws);
    expect(header).toEqual(['盟市', '旗县', '苏木乡镇', '嘎查村', '统计用区划代码', '整顿原因', '问题类型', '问题清单', '整改措施', '责任人', '包保领导', '村党组织书记', '工作组',
      '整顿时限', '问题销号时限', '未销号问题数', '状态', '登记日期', '公示日期', '转化日期', '验收日期', '群众满意度', '销号日期']);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    // the region is above the county's scope: not named, as AdminUnit.ancestors shows only visible units (the region's staff see it: below)
    expect(row.slice(0, 13)).toEqual([undefined, '宁城旗', '天义镇', '小城子村', w.v1.code, '财务管理混乱', '账目不清；公章管理', '1. 账目混乱\n2. =公章未管',
      '1. 清理三年账目\n2. 公章专人保管', '会计；支书', '王包保', '李书记', '张三；李四']);
    expect(row[13]).toEqual(new Date(Date.UTC(2026, 10, 30)));
    expect(row[14]).toEqual(new Date(Date.UTC(2026, 5, 30)));
    expect(row.slice(15, 17)).toEqual([2, '整顿中']);
    expect(row[17]).toEqual(new Date(Date.UTC(2026, 2, 1)));
    expect(row[18]).toEqual(new Date(Date.UTC(2026, 2, 5)));
    expect(ws.getRow(2).getCell(14).numFmt).toBe('yyyy-mm-dd');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.getColumn(8).width).toBeGreaterThanOrEqual(30);
  });

  test('the disbursement list: money as numbers in 元 with two decimals, exact (0.29, 999,999,999,999.99); a reversal negative; CSV exact decimals', async ({ app }) => {
    await setup(app);
    const wb = await xlsxOf(await get(app, href('disbursements', 'xlsx', w.region.code), w.regionFinance));
    const ws = wb.getWorksheet('资金拨付')!;
    const [header, ...rows] = rowsOf(ws);
    expect(header).toEqual(['盟市', '旗县', '苏木乡镇', '嘎查村', '统计用区划代码', '资金类别', '凭证号', '金额', '拨付日期', '冲正']);
    expect(rows.map((r) => r.slice(0, 3))).toEqual(Array(4).fill(['测试盟', '宁城旗', '天义镇']));
    expect(rows.map((r) => r.slice(3, 8))).toEqual([
      ['小城子村', w.v1.code, '办公经费', '记-001', 999999999999.99],
      ['小城子村', w.v1.code, '办公经费', '记-002', 0.29],
      ['小城子村', w.v1.code, '办公经费', '=1+1', 5],
      ['小城子村', w.v1.code, '办公经费', '=1+1', -5],
    ]);
    // 0.29 is the double nearest 0.29 (29 × 0.01 would be 0.29000000000000004)
    expect(rows[1]![7]).toBe(0.29);
    expect(rows.map((r) => r[9])).toEqual([null, null, '已冲正', '冲正 =1+1'].map((x) => x ?? undefined));
    expect(ws.getRow(2).getCell(8).numFmt).toBe('#,##0.00 "元"');
    expect(rows[0]![8]).toEqual(new Date(Date.UTC(2026, 2, 1)));

    const csv = parseCsv(await csvOf(await get(app, href('disbursements', 'csv', w.region.code), w.regionFinance)));
    expect(csv[0]).toEqual(header);
    expect(csv.slice(1).map((r) => [r[6], r[7], r[8]])).toEqual([['记-001', '999999999999.99', '2026-03-01'], ['记-002', '0.29', '2026-03-02'],
      ["'=1+1", '5.00', '2026-03-03'], ["'=1+1", '-5.00', expect.any(String)]]);
  });

  test('every ledger exports as XLSX and CSV with the same headers and rows', async ({ app }) => {
    await setup(app);
    const expected: Record<string, { who: TestUser; rows: number; check: (rows: unknown[][]) => void }> = {
      cases: { who: w.countyAdmin, rows: 1, check: () => undefined },
      'key-targets': {
        who: w.countyAdmin, rows: 2,
        check: (rows) => expect(rows.map((r) => r.slice(2))).toEqual([
          ['天义镇', w.township.code, 2, 1, 0.5, '小城子村', w.v1.code], ['八里罕镇', w.township2.code, 1, 0, 0, undefined, undefined]]),
      },
      pairings: {
        who: w.countyAdmin, rows: 3,
        check: (rows) => {
          // v1: target with two slots filled; v2: paired, no target; v3: a target with no pairing
          expect(rows.map((r) => [r[3], r[5], r[6]])).toEqual([['小城子村', '是', '财务管理混乱'], ['大城子村', '否', undefined], ['三家村', '是', undefined]]);
          expect(rows[0]!.slice(7, 17)).toEqual([undefined, undefined, undefined, undefined, '钱县长', '2025-06-01 至 今', '赵第一书记', '2026-01-01 至 今', undefined, undefined]);
          expect(rows[0]![17]).toBe(2);
        },
      },
      support: {
        who: w.countyAdmin, rows: 3,
        check: (rows) => {
          expect(rows.map((r) => [r[5], r[6], r[10]])).toEqual([['第一书记', '赵第一书记', 0.29], ['第一书记', '赵第一书记', 999999999999.99], ['县级领导', '钱县长', 0]]);
          // xlsx cells are values, never formulas: the text is kept as it is
          expect(rows[0]![14]).toBe('=HYPERLINK("http://x","点我")');
        },
      },
      disbursements: { who: w.regionFinance, rows: 4, check: () => undefined },
      warnings: {
        who: w.countyAdmin, rows: 1,
        check: (rows) => expect(rows[0]!.slice(5)).toEqual(['红灯', 'A01', '重大问题', new Date(Date.UTC(2026, 6, 1)), '+班子瘫痪', '县区', undefined,
          new Date(Date.UTC(2026, 6, 10)), new Date(Date.UTC(2026, 6, 8)), '已调整班子']),
      },
      disputes: {
        who: w.countyAdmin, rows: 1,
        check: (rows) => expect(rows[0]!.slice(3)).toEqual(['小城子村', w.v1.code, '宅基地', '宅基地边界纠纷', new Date(Date.UTC(2026, 7, 1)), new Date(Date.UTC(2026, 7, 20)), '调解成功', undefined, undefined]),
      },
    };
    expect(Object.keys(expected).sort()).toEqual([...LEDGER_KEYS].sort());
    for (const [ledger, e] of Object.entries(expected)) {
      const unit = ledger === 'disbursements' ? w.region.code : w.county.code;
      const wb = await xlsxOf(await get(app, href(ledger, 'xlsx', unit), e.who));
      const ws = wb.getWorksheet(LEDGERS.get(ledger)!.title)!;
      const [header, ...rows] = rowsOf(ws);
      expect(rows, ledger).toHaveLength(e.rows);
      e.check(rows);
      const csv = parseCsv(await csvOf(await get(app, href(ledger, 'csv', unit), e.who)));
      expect(csv[0], ledger).toEqual(header);
      expect(csv, ledger).toHaveLength(e.rows + 1);
      // the same cells (CSV: text, money as exact decimals, dates as yyyy-mm-dd, formulas neutralised)
      for (const [k, row] of rows.entries()) {
        const text = (row as unknown[]).map((v) => (v === undefined || v === null ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v)));
        const fromCsv = csv[k + 1]!.map((v, c) => (typeof row[c] === 'string' && /^[=+\-@]/.test(row[c] as string) ? v.slice(1) : v));
        expect(fromCsv.map((v, c) => (typeof row[c] === 'number' ? Number(v) : v)), `${ledger} row ${k}`).toEqual(text.map((v, c) => (typeof row[c] === 'number' ? Number(v) : v)));
      }
    }
  });

  test('CSV: BOM, RFC 4180 quoting, formula injection neutralised', async ({ app }) => {
    await setup(app);
    const text = await csvOf(await get(app, href('support', 'csv', w.county.code), w.countyAdmin));
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(text).toContain(`"走访, 座谈 ""三会一课""\n第二行"`);
    expect(text.split('\r\n')[0]).toBe('盟市,旗县,苏木乡镇,嘎查村,统计用区划代码,结对类型,帮扶单位（人）,日期,走访次数,安置人数,物资价值,会议次数,解决问题数,协调项目数,备注,更正');
    const warnings = await csvOf(await get(app, href('warnings', 'csv', w.county.code), w.countyAdmin));
    expect(warnings).toContain(",'+班子瘫痪,");
  });

  test("a partner's support export holds only its own partner's entries", async ({ app }) => {
    await setup(app);
    const wb = await xlsxOf(await get(app, href('support', 'xlsx', w.v1.code), w.secretary));
    const [, ...rows] = rowsOf(wb.getWorksheet('帮扶记录')!);
    expect(rows.map((r) => r[6])).toEqual(['赵第一书记', '赵第一书记']);
    // the county is outside its scope (its paired village only)
    expect((await get(app, href('support', 'xlsx', w.county.code), w.secretary)).status).toBe(404);
  });

  test('refusals: no or a bad token 401, out of scope or unknown unit 404, bad year or ledger 400 with the field, a role without the records 403', async ({ app }) => {
    await setup(app);
    const body = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return ((await res.json()) as { errors: { extensions: { code: string; field?: string } }[] }).errors[0]!.extensions;
    };
    expect(await body(await get(app, href('cases', 'xlsx', w.county.code), null), 401)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await body(await get(app, href('cases', 'xlsx', w.county.code), { authorization: 'Bearer not-a-token' }), 401)).toMatchObject({ code: 'UNAUTHENTICATED' });
    // a township exporting its county: not found, as over GraphQL
    expect(await body(await get(app, href('cases', 'xlsx', w.county.code), w.townshipAdmin), 404)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await body(await get(app, href('cases', 'csv', '999999999999'), w.countyAdmin), 404)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await body(await get(app, href('cases', 'csv', 'x'), w.countyAdmin), 404)).toMatchObject({ code: 'NOT_FOUND' });
    for (const year of ['1999', '20x6', '', '2101', '2026.0']) {
      expect(await body(await get(app, href('cases', 'xlsx', w.county.code, year), w.countyAdmin), 400)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });
    }
    expect(await body(await get(app, `/export/cases.xlsx?year=${YEAR}`, w.countyAdmin), 400)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unit' });
    expect(await body(await get(app, href('budgets', 'xlsx', w.county.code), w.countyAdmin), 400)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ledger' });
    expect(await body(await get(app, href('cases', 'pdf', w.county.code), w.countyAdmin), 400)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'format' });
    // a reporter may not read funding over GraphQL: nor its disbursement list
    expect(await body(await get(app, href('disbursements', 'xlsx', w.county.code), w.reporter), 403)).toMatchObject({ code: 'FORBIDDEN' });
    const post = await fetch(new URL(href('cases', 'xlsx', w.county.code), app.url), { method: 'POST', headers: { authorization: `Bearer ${w.countyAdmin.token}` } });
    expect(post.status).toBe(405);
    expect((await get(app, '/export/a/b.xlsx', w.countyAdmin)).status).toBe(404);
  });

  test('pages of any size give the same file (keyset reads across batches, the pairing register merged with the targets)', async ({ app }) => {
    await setup(app);
    for (const ledger of LEDGER_KEYS) {
      const who = ledger === 'disbursements' ? w.regionFinance : w.countyAdmin;
      const unit = ledger === 'disbursements' ? w.region : w.county;
      const csv = async (batch: number) => inScope(app.orm, [], async (em) => {
        const principal = await authenticate(em, app.settings, who.token);
        const prepared = await prepareExport(em, principal, { ledger, format: 'csv', unit: unit.code, year: String(YEAR) });
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (c: Buffer) => chunks.push(c));
        await prepared.write(out, { batch });
        return Buffer.concat(chunks).toString('utf8');
      });
      const whole = await csv(2000);
      for (const batch of [1, 2]) expect(await csv(batch), `${ledger} in pages of ${batch}`).toBe(whole);
    }
  });
});

describe('a reader that stops', () => {
  test('the export waits for it between batches (nothing piles up) and ends when aborted', async ({ app }) => {
    const region = await app.tree.region();
    const village = await (await (await region.county()).township()).village();
    const admin = await app.user(region, ['ORG_ADMIN']);
    await app.asOwner((em) => executeBound(em, `insert into warning_dispute (unit_id, category, summary, recorded_on) select $1, 'CLAN', '纠纷' || g, '2026-05-01' from generate_series(1, 50) g`, [village.id]));
    for (const format of ['csv', 'xlsx']) {
      await inScope(app.orm, [], async (em) => {
        const principal = await authenticate(em, app.settings, admin.token);
        const prepared = await prepareExport(em, principal, { ledger: 'disputes', format, unit: region.code, year: String(YEAR) });
        const out = new PassThrough({ highWaterMark: 64 }); // nobody reads it
        const stop = new AbortController();
        let finished = false;
        const writing = prepared.write(out, { batch: 5, signal: stop.signal }).then(() => { finished = true; });
        for (const until = Date.now() + 10_000; !out.writableNeedDrain; ) {
          if (Date.now() > until) throw new Error('the export never filled the reader');
          await new Promise((ok) => setImmediate(ok));
        }
        expect(finished).toBe(false);
        stop.abort();
        await expect(writing).rejects.toThrow(/abort/i);
      });
    }
  });
});

describe('money cells', () => {
  test('fen to yuan is exact: the double nearest the decimal, up to 10^15 fen', () => {
    expect(yuanNumber(29n)).toBe(0.29);
    expect(yuanNumber(1n)).toBe(0.01);
    expect(yuanNumber(-29n)).toBe(-0.29);
    expect(yuanNumber(99_999_999_999_999n)).toBe(999999999999.99);
    expect(yuanNumber(10n ** 15n + 1n)).toBe(10000000000000.01);
    expect(String(yuanNumber(10n ** 15n - 7n))).toBe('9999999999999.93');
    for (let fen = 0n; fen < 100_000n; fen += 7n) expect(yuanNumber(fen)).toBe(Number(`${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`));
  });
});
