import ExcelJS from 'exceljs';
import { deflateRawSync } from 'node:zlib';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { executeBound, inScope } from '@jiceng/db';
import { failAbandonedJobs } from '../src/index.js';
import { XLSX, base, csv, ended, job, upload, xlsx } from './helpers.js';

const A_HEAD = ['盟市', '旗县', '苏木乡镇', '嘎查村', '统计用区划代码', '年度', '星级'];

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const other = await county.township();
  const villages = [await township.village(), await township.village(), await township.village()];
  const foreign = await other.village();
  const countyAdmin = await app.user(county, ['ORG_ADMIN']);
  const townshipAdmin = await app.user(township, ['ORG_ADMIN']);
  return { region, county, township, other, villages, foreign, countyAdmin, townshipAdmin };
}

const stars = (app: TestApp, ids: string[]) =>
  app.asOwner((em) => executeBound<{ id: string; year: number; stars: number; category: string }>(em,
    `select unit_id::text as id, year, stars, category from assessment where unit_id = any ($1::bigint[]) order by unit_id, year`, [ids]));

describe('assessments import', () => {
  test('the templates download; a filled template imports, re-importing changes nothing, and the ratings read back unchanged', async ({ app }) => {
    const w = await world(app);
    const t = await fetch(`${base(app)}/export/template/assessments.xlsx`);
    expect(t.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await t.arrayBuffer()) as any);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['十星级评定', '说明']);
    const sheet = wb.getWorksheet('十星级评定')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(A_HEAD);
    const csvTemplate = Buffer.from(await (await fetch(`${base(app)}/export/template/support.csv`)).arrayBuffer());
    expect(csvTemplate.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csvTemplate.toString('utf8', 3)).toMatch(/^帮扶单位,盟市,旗县,苏木乡镇,嘎查村,统计用区划代码,日期/);
    expect((await fetch(`${base(app)}/export/template/other.xlsx`)).status).toBe(404);
    // filled in and sent back
    for (const [k, v] of w.villages.entries()) sheet.addRow(['测试盟', '测试县', '测试镇', v.unit.name, v.code, 2026, [7, 3, 9][k]]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const first = await upload(app, w.countyAdmin, 'assessments', file, XLSX);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'DONE', total: 3, validated: 3, written: 3, problemCount: 0, result: { inserted: 3, updated: 0, unchanged: 0 } });
    const ids = w.villages.map((v) => v.id);
    const before = await stars(app, ids);
    expect(before.map((r) => [r.stars, r.category])).toEqual([[7, 'SECOND'], [3, 'THIRD'], [9, 'FIRST']]);
    // the third-category village has its case, as assessVillage opens it
    const cases = await app.asOwner((em) => executeBound(em,
      `select c.state, t.reason from rectification_case c join case_transition t on t.case_id = c.id where c.unit_id = any ($1::bigint[]) and c.year = 2026`, [ids]));
    expect(cases).toEqual([{ state: 'IDENTIFIED', reason: 'identified: 3 stars, third category' }]);
    const again = await upload(app, w.countyAdmin, 'assessments', file, XLSX);
    expect(again.body.result).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await stars(app, ids)).toEqual(before);
    // the same as CSV, with one re-rating: only that row changes
    const rows = w.villages.map((v, k) => ['', '', '', '', v.code, 2026, [7, 3, 8][k]]);
    const csvRun = await upload(app, w.countyAdmin, 'assessments', csv([A_HEAD, ...rows]), 'text/csv');
    expect(csvRun.body.result).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
  });

  test('every problem is named with its sheet, row and column, and nothing is written', async ({ app }) => {
    const w = await world(app);
    const [a, b, c] = w.villages;
    const file = await xlsx('十星级评定', [
      ['嘎查村代码', '年度', '星级', '评语'],
      [a!.code, 2026, 11],
      ['12345', 2026, 5],
      [w.foreign.code, 2026, 5],
      ['999999999999', 2026, 5],
      [b!.code, 2026, 'five'],
      [b!.code, 1999, 5],
      [c!.code, 2026, { formula: '2+3', result: 5 }],
      [a!.code, 2025, 6],
      [a!.code, 2025, 6],
      [w.township.code, 2026, 6],
    ]);
    // (a township admin: the other township's village is out of scope)
    const r = await upload(app, w.townshipAdmin, 'assessments', file, XLSX);
    expect(r.body.state).toBe('FAILED');
    expect(r.body.errorCode).toBe('ROWS_REFUSED');
    const found = r.body.problems.map((p: any) => [p.sheet, p.row, p.column, p.code]);
    expect(found).toEqual(expect.arrayContaining([
      ['十星级评定', 1, 'D', 'UNKNOWN_HEADER'],
      ['十星级评定', 2, 'C', 'OUT_OF_RANGE'],
      ['十星级评定', 3, 'A', 'BAD_CODE'],
      ['十星级评定', 4, 'A', 'VILLAGE_NOT_FOUND'],
      ['十星级评定', 5, 'A', 'VILLAGE_NOT_FOUND'],
      ['十星级评定', 6, 'C', 'BAD_NUMBER'],
      ['十星级评定', 7, 'B', 'OUT_OF_RANGE'],
      ['十星级评定', 8, 'C', 'FORMULA'],
      ['十星级评定', 10, 'A', 'DUPLICATE'],
      ['十星级评定', 11, 'A', 'NOT_A_VILLAGE'],
    ]));
    expect(r.body.problemCount).toBe(found.length);
    expect(r.body.problems.every((p: any) => /[\u4e00-\u9fff]/.test(p.message))).toBe(true);
    expect(r.body.problems.find((p: any) => p.code === 'DUPLICATE').message).toContain('第 9 行');
    expect(await stars(app, [a!.id, b!.id, c!.id])).toEqual([]);
    // a missing header stops before the rows; misnamed = unknown + missing
    const bad = await upload(app, w.countyAdmin, 'assessments', csv([['嘎查村代码', '年份', '星级'], [a!.code, 2026, 5]]), 'text/csv');
    expect(bad.body.problems.map((p: any) => [p.sheet, p.row, p.column, p.header, p.code])).toEqual([
      ['十星级评定', 1, 'B', '年份', 'UNKNOWN_HEADER'],
      ['十星级评定', 1, null, '年度', 'MISSING_HEADER'],
    ]);
  });

  test('1 bad row out of 10,000 writes nothing and names that row; the list of problems is capped', async ({ app }) => {
    const w = await world(app);
    // 500 villages × 20 years
    const prefix = `8${String(process.pid % 1000).padStart(3, '0')}`;
    const codes = await app.asOwner(async (em) => (await executeBound<{ code: string }>(em,
      `insert into admin_unit (code, name, level, parent_id, path, county_id)
       select c, '批量村' || n, 'VILLAGE', $1, ($2 || '.v' || c)::ltree, $3 from generate_series(1, 500) n, lateral (select $4 || lpad(n::text, 8, '0') as c) x returning code`,
      [w.township.id, w.township.path, w.county.id, prefix])).map((r) => r.code));
    const rows: unknown[][] = [];
    for (const c of codes) for (let y = 2006; y < 2026; y++) rows.push([c, y, (y % 6) + 5]);
    rows[7345]![2] = 12;
    const file = csv([['嘎查村代码', '年度', '星级'], ...rows]);
    const r = await upload(app, w.countyAdmin, 'assessments', file, 'text/csv');
    expect(r.body).toMatchObject({ state: 'FAILED', total: 10_000, problemCount: 1 });
    expect(r.body.problems).toEqual([expect.objectContaining({ row: 7347, column: 'C', header: '星级', code: 'OUT_OF_RANGE' })]);
    expect(await app.asOwner((em) => executeBound(em, `select 1 from assessment a join admin_unit u on u.id = a.unit_id where u.code like $1 || '%'`, [prefix]))).toEqual([]);
    // many problems: the list stops at the cap and says how many more
    const max = app.app.imports.limits.maxProblems;
    app.app.imports.limits.maxProblems = 10;
    try {
      const many = await upload(app, w.countyAdmin, 'assessments', csv([['嘎查村代码', '年度', '星级'], ...rows.slice(0, 50).map((x) => [x[0], x[1], 99])]), 'text/csv');
      expect(many.body.problemCount).toBe(50);
      expect(many.body.problems).toHaveLength(10);
      expect(many.body.errorMessage).toContain('另有 40 处未列出');
    } finally {
      app.app.imports.limits.maxProblems = max;
    }
    // fixed, it imports: all 10,000 in one go
    rows[7345]![2] = 6;
    const ok = await upload(app, w.countyAdmin, 'assessments', csv([['嘎查村代码', '年度', '星级'], ...rows]), 'text/csv');
    expect(ok.body).toMatchObject({ state: 'DONE', written: 10_000, result: { inserted: 10_000 } });
  });
});

describe('cases follow the imported ratings', () => {
  test('third category relapses a transformed village\'s earlier case; a re-rating out withdraws an untouched case; a started case refuses its row', async ({ app }) => {
    const w = await world(app);
    const [x, y, z] = w.villages;
    const [earlier] = await app.asOwner((em) => executeBound<{ id: string }>(em,
      `insert into rectification_case (unit_id, year, state) values ($1, 2025, 'TRANSFORMED') returning id::text`, [x!.id]));
    const head = ['统计用区划代码', '年度', '星级'];
    const third = await upload(app, w.countyAdmin, 'assessments', csv([head, [x!.code, 2026, 3], [y!.code, 2026, 2], [z!.code, 2026, 4]]), 'text/csv');
    expect(third.body).toMatchObject({ state: 'DONE', result: { inserted: 3 } });
    const cases = () => app.asOwner((em) => executeBound<{ unit: string; year: number; state: string; previous: string | null }>(em,
      `select unit_id::text as unit, year, state, previous_case_id::text as previous from rectification_case where unit_id = any ($1::bigint[]) order by unit_id, year`,
      [[x!.id, y!.id, z!.id]]));
    expect(await cases()).toEqual([
      { unit: x!.id, year: 2025, state: 'RELAPSED', previous: null },
      { unit: x!.id, year: 2026, state: 'IDENTIFIED', previous: earlier!.id },
      { unit: y!.id, year: 2026, state: 'IDENTIFIED', previous: null },
      { unit: z!.id, year: 2026, state: 'IDENTIFIED', previous: null },
    ]);
    // z's case has started: re-rating it out of the third category is refused, and nothing of the file is written
    await app.asOwner((em) => executeBound(em, `update rectification_case set state = 'RECTIFYING' where unit_id = $1 and year = 2026`, [z!.id]));
    const out = await upload(app, w.countyAdmin, 'assessments', csv([head, [y!.code, 2026, 7], [z!.code, 2026, 8]]), 'text/csv');
    expect(out.body.problems.map((p: any) => [p.row, p.column, p.code])).toEqual([[3, 'C', 'CASE_STARTED']]);
    expect((await cases()).find((c) => c.unit === y!.id && c.year === 2026)!.state).toBe('IDENTIFIED');
    // without z, y's untouched case is withdrawn; rated third again, it is identified again
    expect((await upload(app, w.countyAdmin, 'assessments', csv([head, [y!.code, 2026, 7]]), 'text/csv')).body.result).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect((await cases()).find((c) => c.unit === y!.id && c.year === 2026)!.state).toBe('WITHDRAWN');
    await upload(app, w.countyAdmin, 'assessments', csv([head, [y!.code, 2026, 1]]), 'text/csv');
    expect((await cases()).find((c) => c.unit === y!.id && c.year === 2026)!.state).toBe('IDENTIFIED');
  });
});

describe('isolation', () => {
  test('a township importing rows for another township\'s village gets those rows refused; the county above imports them; a partner imports no assessments', async ({ app }) => {
    const w = await world(app);
    const mine = w.villages[0]!;
    const file = csv([['嘎查村代码', '年度', '星级'], [mine.code, 2026, 6], [w.foreign.code, 2026, 6]]);
    const refused = await upload(app, w.townshipAdmin, 'assessments', file, 'text/csv');
    expect(refused.body.problems.map((p: any) => [p.row, p.column, p.code])).toEqual([[3, 'A', 'VILLAGE_NOT_FOUND']]);
    expect(await stars(app, [mine.id, w.foreign.id])).toEqual([]);
    const otherTownship = await app.user(w.other, ['ORG_ADMIN']);
    expect((await upload(app, otherTownship, 'assessments', file, 'text/csv')).body.problems.map((p: any) => p.row)).toEqual([2]);
    expect((await upload(app, w.countyAdmin, 'assessments', file, 'text/csv')).body).toMatchObject({ state: 'DONE', result: { inserted: 2 } });
    const reporter = await app.user(w.villages[1]!, ['REPORTER']);
    expect((await upload(app, reporter, 'assessments', file, 'text/csv')).body).toMatchObject({ state: 'FAILED', errorCode: 'FORBIDDEN' });
  });
});

describe('bad files and limits', () => {
  test('over the size or row limit, not a spreadsheet, a zip bomb, wrong type: refused with a clear code, the server stays up', async ({ app }) => {
    const w = await world(app);
    const limits = app.app.imports.limits;
    const saved = { ...limits };
    try {
      limits.maxBytes = 1000;
      const big = await upload(app, w.countyAdmin, 'assessments', Buffer.alloc(5000, 0x41), 'text/csv');
      expect(big.status).toBe(413);
      expect(big.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 'maxBytes', max: 1000 });
      // no Content-Length (chunked): counted as it arrives
      const chunked = await fetch(`${base(app)}/import/assessments`, {
        method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${w.countyAdmin.token}` },
        body: new ReadableStream({ start(c) { for (let k = 0; k < 5; k++) c.enqueue(new Uint8Array(500).fill(0x41)); c.close(); } }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: unknown }).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 'maxBytes' });
      limits.maxBytes = saved.maxBytes;
      limits.maxRows = 5;
      const rows = Array.from({ length: 6 }, () => [w.villages[0]!.code, 2026, 5]);
      const many = await upload(app, w.countyAdmin, 'assessments', csv([['嘎查村代码', '年度', '星级'], ...rows]), 'text/csv');
      expect(many.body).toMatchObject({ state: 'FAILED', errorCode: 'PAYLOAD_TOO_LARGE' });
      expect(many.body.errorMessage).toContain('5');
      const manyX = await upload(app, w.countyAdmin, 'assessments', await xlsx('十星级评定', [['嘎查村代码', '年度', '星级'], ...rows]), XLSX);
      expect(manyX.body).toMatchObject({ state: 'FAILED', errorCode: 'PAYLOAD_TOO_LARGE' });
      limits.maxRows = saved.maxRows;
    } finally {
      Object.assign(limits, saved);
    }
    const notXlsx = await upload(app, w.countyAdmin, 'assessments', Buffer.from('%PDF-1.4 not a spreadsheet'), XLSX);
    expect(notXlsx.body).toMatchObject({ state: 'FAILED', errorCode: 'MALFORMED_FILE' });
    const notUtf8 = await upload(app, w.countyAdmin, 'assessments', Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xff, 0x0a]), 'text/csv');
    expect(notUtf8.body).toMatchObject({ state: 'FAILED', errorCode: 'MALFORMED_FILE' });
    // a zip whose one entry inflates 1 MB of zeros per kilobyte: refused before it is unpacked
    const bomb = zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const b = await upload(app, w.countyAdmin, 'assessments', bomb, XLSX);
    expect(b.body).toMatchObject({ state: 'FAILED', errorCode: 'MALFORMED_FILE' });
    // a truncated XLSX
    const good = await xlsx('十星级评定', [['嘎查村代码', '年度', '星级'], [w.villages[0]!.code, 2026, 5]]);
    const cut = await upload(app, w.countyAdmin, 'assessments', good.subarray(0, good.length - 200), XLSX);
    expect(cut.body).toMatchObject({ state: 'FAILED', errorCode: 'MALFORMED_FILE' });
    const type = await upload(app, w.countyAdmin, 'assessments', good, 'application/pdf');
    expect(type.status).toBe(415);
    expect((await upload(app, null, 'assessments', good, XLSX)).status).toBe(401);
    expect((await fetch(`${base(app)}/healthz`)).status).toBe(200);
  });
});

describe('jobs', () => {
  test('a job answers at once and ends DONE with its progress; only its owner sees it; an abandoned job is marked FAILED', async ({ app }) => {
    const w = await world(app);
    const file = csv([['嘎查村代码', '年度', '星级'], ...w.villages.map((v) => [v.code, 2027, 6])]);
    const started = await upload(app, w.countyAdmin, 'assessments', file, 'text/csv', '');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'QUEUED', validated: 0, written: 0 });
    const done = await ended(app, w.countyAdmin, started.body.id);
    expect(done).toMatchObject({ state: 'DONE', total: 3, validated: 3, written: 3 });
    const gql = await w.countyAdmin.client.ok(`query($id: ID!) { importJob(id: $id) { id state kind total written result { inserted } } importJobs(first: 5) { id } }`, { id: started.body.id });
    expect(gql.importJob).toMatchObject({ id: started.body.id, state: 'DONE', kind: 'assessments', total: 3, written: 3, result: { inserted: 3 } });
    expect(gql.importJobs.map((j: any) => j.id)).toContain(started.body.id);
    // another user, even above: not found
    const regionAdmin = await app.user(w.region, ['ORG_ADMIN']);
    expect((await job(app, regionAdmin, started.body.id)).status).toBe(404);
    expect((await regionAdmin.client.ok(`query($id: ID!) { importJob(id: $id) { id } importJobs { id } }`, { id: started.body.id }))).toEqual({ importJob: null, importJobs: [] });
    // progress advances batch by batch while the job runs
    const batchSize = app.app.imports.limits.batchSize;
    app.app.imports.limits.batchSize = 3;
    try {
      const vs = await app.asOwner(async (em) => (await executeBound<{ code: string }>(em,
        `insert into admin_unit (code, name, level, parent_id, path, county_id)
         select c, '进度村' || n, 'VILLAGE', $1, ($2 || '.v' || c)::ltree, $3 from generate_series(1, 300) n, lateral (select $4 || lpad(n::text, 8, '0') as c) x returning code`,
        [w.township.id, w.township.path, w.county.id, `6${String(process.pid % 1000).padStart(3, '0')}`])).map((r) => r.code));
      const slow = await upload(app, w.countyAdmin, 'assessments', csv([['嘎查村代码', '年度', '星级'], ...vs.map((c) => [c, 2027, 7])]), 'text/csv', '');
      const seen = new Set<number>();
      const until = Date.now() + 120_000;
      let last: any;
      do {
        last = (await job(app, w.countyAdmin, slow.body.id)).body;
        seen.add(last.written);
        expect(Date.now()).toBeLessThan(until);
      } while (last.state !== 'DONE' && last.state !== 'FAILED');
      expect(last).toMatchObject({ state: 'DONE', total: 300, validated: 300, written: 300 });
      expect([...seen].some((x) => x > 0 && x < 300)).toBe(true);
    } finally {
      app.app.imports.limits.batchSize = batchSize;
    }
    // a job left RUNNING by a process that died (its heartbeat stopped) is FAILED by the sweep
    const left = await upload(app, w.countyAdmin, 'assessments', file, 'text/csv');
    const dbId = Buffer.from(left.body.id, 'base64url').toString().split(':')[1];
    await app.asOwner((em) => executeBound(em, `select set_config('app.import_sweep', 'on', true)`, []).then(() =>
      executeBound(em, `update import_job set state = 'RUNNING', heartbeat_at = now() - interval '5 minutes', finished_at = null where id = $1`, [dbId])));
    // the sweep sees other users' jobs only with the whole country in scope
    expect(await inScope(app.orm, [w.county.path], (em) => failAbandonedJobs(em))).toBe(0);
    expect(await inScope(app.orm, ['cn'], (em) => failAbandonedJobs(em))).toBe(1);
    expect((await job(app, w.countyAdmin, left.body.id)).body).toMatchObject({ state: 'FAILED', errorCode: 'INTERRUPTED' });
  });
});

/** A zip with one deflated entry (local header, central directory, end record). */
function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content, { level: 9 });
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(content.length, 22); local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(content.length, 24); central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  const dirOffset = local.length + n.length + data.length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12); end.writeUInt32LE(dirOffset, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}
