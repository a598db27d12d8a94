import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { fromGlobalId, toGlobalId, currentYear } from '@jiceng/core';
import { inScope, type EntityManager } from '@jiceng/db';
import { SEED_002_CATALOG, catalogRows, insertCatalog, warningModule } from '../src/index.js';

const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id handlerLevel followUpDue } }`;
const uid = (id: string) => toGlobalId('AdminUnit', id);
const dbId = (gid: string) => fromGlobalId(gid, 'Warning');
let key = 0;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [v1, v2] = [await township.village(), await township.village()];
  await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
  const station = await app.user(township, ['WARNING_STATION']);
  const report = async (village: { id: string }, extra: Record<string, unknown> = {}) =>
    (await station.client.ok(REPORT, { i: { villageId: uid(village.id), indicatorCode: 'PB01-01', level: 'YELLOW', severity: 'ORDINARY', facts: '班子成员不团结', observedOn: '2025-06-02', idempotencyKey: `h${++key}`, ...extra } })).reportWarning;
  return { region, county, township, v1, v2, station, report };
}

/** The registered maintenance task, run once as the service runs it (the whole country in scope). */
async function runEscalation(app: TestApp): Promise<number> {
  const task = warningModule.maintenance!.find((t) => t.name === 'escalate overdue warnings')!;
  return inScope(app.orm, ['cn'], (em) => task.run(em));
}

const sql = <T>(app: TestApp, q: string, params: unknown[] = []) => app.asOwner((em) => em.execute<T[]>(q, params));

describe('handling: escalation', () => {
  test('an overdue warning escalates one level when the task runs on a working day (调休 included), not on a holiday', async ({ app }) => {
    const w = await world(app);
    const overdue = await w.report(w.v1);
    const notYet = await w.report(w.v2);
    const minor = await w.report(w.v2, { indicatorCode: 'PB01-02', severity: 'MINOR' });
    expect(overdue.handlerLevel).toBe('TOWNSHIP');
    expect(minor.followUpDue).toBeNull();
    await sql(app, `update warning set follow_up_due = current_date - 1 where id = ?`, [dbId(overdue.id)]);
    // today is a public holiday on the region's calendar: nothing moves
    await sql(app, `insert into calendar_day (unit_id, day, kind) values (?, current_date, 'HOLIDAY')`, [w.region.id]);
    expect(await runEscalation(app)).toBe(0);
    // today is a make-up workday (调休), whatever day of the week it is: the overdue warning goes up a level
    await sql(app, `update calendar_day set kind = 'WORKDAY' where unit_id = ? and day = current_date`, [w.region.id]);
    expect(await runEscalation(app)).toBe(1);
    const [row] = await sql<any>(app,
      `select handler_level, to_char(follow_up_due, 'YYYY-MM-DD') as due, to_char(jiceng_add_working_days(unit_path, current_date, 5), 'YYYY-MM-DD') as expected
         from warning where id = ?`, [dbId(overdue.id)]);
    expect(row.handler_level).toBe('COUNTY');
    expect(row.due).toBe(row.expected);
    const others = await sql<any>(app, `select handler_level from warning where id in (?, ?) order by id`, [dbId(notYet.id), dbId(minor.id)]);
    expect(others.map((o) => o.handler_level)).toEqual(['TOWNSHIP', 'VILLAGE']);
    // the escalation is in the warning's history (append-only)
    const history = await sql<any>(app, `select kind, handler_from, handler_to, to_char(follow_up_due, 'YYYY-MM-DD') as due, note from warning_history where warning_id = ?`, [dbId(overdue.id)]);
    expect(history).toEqual([{ kind: 'ESCALATED', handler_from: 'TOWNSHIP', handler_to: 'COUNTY', due: row.expected, note: 'not handled by its follow-up deadline' }]);
    await expect(sql(app, `delete from warning_history where warning_id = ?`, [dbId(overdue.id)])).rejects.toThrow(/append-only/);
    // the new deadline is ahead: running again changes nothing for it
    await runEscalation(app);
    expect((await sql<any>(app, `select handler_level from warning where id = ?`, [dbId(overdue.id)]))[0].handler_level).toBe('COUNTY');
    // up to the city, no further
    await sql(app, `update warning set follow_up_due = current_date - 1 where id = ?`, [dbId(overdue.id)]);
    await runEscalation(app);
    await sql(app, `update warning set follow_up_due = current_date - 1 where id = ?`, [dbId(overdue.id)]);
    await runEscalation(app);
    expect((await sql<any>(app, `select handler_level from warning where id = ?`, [dbId(overdue.id)]))[0].handler_level).toBe('CITY');
    await sql(app, `update warning set follow_up_due = current_date - 1 where id = ?`, [dbId(overdue.id)]);
    await runEscalation(app);
    expect((await sql<any>(app, `select handler_level from warning where id = ?`, [dbId(overdue.id)]))[0].handler_level).toBe('CITY');
    expect((await sql<any>(app, `select handler_to from warning_history where warning_id = ? order by id`, [dbId(overdue.id)])).map((h) => h.handler_to)).toEqual(['COUNTY', 'CITY']);
  });

  test('a resolved warning does not escalate; a fixed day stands for today (a Saturday is not a working day)', async ({ app }) => {
    const w = await world(app);
    const a = await w.report(w.v1);
    const b = await w.report(w.v2);
    await sql(app, `update warning set follow_up_due = '2025-06-01' where id in (?, ?)`, [dbId(a.id), dbId(b.id)]);
    await w.station.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-03", note: "已整改") { id } }`, { id: b.id });
    const { escalateOverdueWarnings } = await import('../src/handling.service.js');
    // 2025-06-07 is a Saturday
    expect(await inScope(app.orm, ['cn'], (em) => escalateOverdueWarnings(em, '2025-06-07'))).toBe(0);
    expect(await inScope(app.orm, [w.township.path], (em) => escalateOverdueWarnings(em, '2025-06-09'))).toBe(1);
    const rows = await sql<any>(app, `select id::text, handler_level, to_char(follow_up_due, 'YYYY-MM-DD') as due from warning where id in (?, ?) order by id`, [dbId(a.id), dbId(b.id)]);
    expect(rows).toEqual([{ id: dbId(a.id), handler_level: 'COUNTY', due: '2025-06-16' }, { id: dbId(b.id), handler_level: 'TOWNSHIP', due: '2025-06-01' }]);
    await w.station.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-10", note: "已整改") { id } }`, { id: a.id });
  });

  test('the calendar is read per township, not per warning; history rows carry their warning\'s tenancy keys', async ({ app }) => {
    const w = await world(app);
    const a = await w.report(w.v1);
    // 24 overdue warnings in one township
    await sql(app, `insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, follow_up_due)
      select unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key || '-' || k, follow_up_due
        from warning, generate_series(1, 23) k where id = ?`, [dbId(a.id)]);
    await sql(app, `update warning set follow_up_due = '2025-06-01' where unit_path <@ ?::ltree`, [w.township.path]);
    const { escalateOverdueWarnings } = await import('../src/handling.service.js');
    const calendarReads = async (em: EntityManager) => (await em.execute<{ reads: number }[]>(
      `select (coalesce(sum(seq_scan), 0) + coalesce(sum(idx_scan), 0))::int as reads from pg_stat_xact_user_tables where relname = 'calendar_day'`))[0].reads;
    const { escalated, reads } = await inScope(app.orm, ['cn'], async (em) => {
      const before = await calendarReads(em);
      const n = await escalateOverdueWarnings(em, '2025-06-09');
      return { escalated: n, reads: (await calendarReads(em)) - before };
    });
    expect(escalated).toBe(24);
    // one township: is 2025-06-09 a working day, and 5 working days on (7 days read); per warning it was 24 × 7
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(24);
    const keys = await sql<any>(app,
      `select count(*)::int as n, count(*) filter (where h.unit_path = w.unit_path and h.county_id = w.county_id and h.unit_id = w.unit_id)::int as same
         from warning_history h join warning w on w.id = h.warning_id where w.unit_path <@ ?::ltree and h.kind = 'ESCALATED'`, [w.township.path]);
    expect(keys).toEqual([{ n: 24, same: 24 }]);
    // a history row written by a statement still gets its keys from its unit, whatever it says
    const [forged] = await inScope(app.orm, ['cn'], (em) => em.execute<any[]>(
      `insert into warning_history (warning_id, unit_id, unit_path, county_id, kind, note)
       values (?, ?, ?::ltree, null, 'NOTICE_SENT', 'x') returning unit_path::text, county_id::text`, [dbId(a.id), w.v1.id, w.v2.path]));
    expect(forged).toEqual({ unit_path: w.v1.path, county_id: w.county.id });
  });

  test('a worsening indicator (YELLOW → RED) escalates its open warnings, in their history', async ({ app }) => {
    const w = await world(app);
    const yellow = await w.report(w.v1, { severity: 'MINOR' });
    expect(yellow.handlerLevel).toBe('VILLAGE');
    const red = await w.report(w.v1, { level: 'RED', severity: 'ORDINARY' });
    expect(red.handlerLevel).toBe('TOWNSHIP');
    const [row] = await sql<any>(app, `select handler_level, follow_up_due is not null as due from warning where id = ?`, [dbId(yellow.id)]);
    expect(row).toEqual({ handler_level: 'TOWNSHIP', due: true });
    const history = await sql<any>(app, `select kind, handler_from, handler_to, note from warning_history where warning_id = ?`, [dbId(yellow.id)]);
    expect(history).toEqual([{ kind: 'ESCALATED', handler_from: 'VILLAGE', handler_to: 'TOWNSHIP', note: 'the indicator worsened' }]);
    // another indicator going RED does not touch it
    await w.report(w.v1, { indicatorCode: 'PB01-03', level: 'RED' });
    expect((await sql<any>(app, `select count(*)::int as n from warning_history where warning_id = ?`, [dbId(yellow.id)]))[0].n).toBe(1);
  });
});

const NOTICE = `mutation($w: ID!, $on: LocalDate!, $t: String!) { sendWarningNotice(warningId: $w, on: $on, text: $t) { id sentOn text handlerLevel warning { id village { code } } } }`;
const LEDGER = `query($c: String!, $after: String) { adminUnit(code: $c) { warningLedger(year: 2025, first: 2, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id handlerLevel village { code } notices { sentOn text } history { kind handlerFrom handlerTo note } } } } } }`;

describe('handling: warning notices and the station ledger', () => {
  test('the station handling a warning sends its notice; it enters the history and the ledger, paged', async ({ app }) => {
    const w = await world(app);
    const a = await w.report(w.v1);
    const b = await w.report(w.v2, { indicatorCode: 'SA01-01' });
    const c = await w.report(w.v2, { indicatorCode: 'SA01-02', severity: 'MAJOR' });
    const minor = await w.report(w.v1, { indicatorCode: 'PB02-01', severity: 'MINOR' });
    const sent = await w.station.client.ok(NOTICE, { w: a.id, on: '2025-06-03', t: '  请村两委于一周内召开民主生活会  ' });
    expect(sent.sendWarningNotice).toMatchObject({ sentOn: '2025-06-03', text: '请村两委于一周内召开民主生活会', handlerLevel: 'TOWNSHIP', warning: { id: a.id, village: { code: w.v1.code } } });
    // a MAJOR matter is the county centre's: the station may not send its notice; the county may
    expect((await w.station.client.fails('FORBIDDEN', NOTICE, { w: c.id, on: '2025-06-03', t: '通知' }))).toBeTruthy();
    const county = await app.user(w.county, ['ORG_ADMIN']);
    await county.client.ok(NOTICE, { w: c.id, on: '2025-06-04', t: '县中心警示通知' });
    // another township's station does not see the warning
    const elsewhere = await app.user(await w.county.township(), ['WARNING_STATION']);
    expect(await elsewhere.client.fails('NOT_FOUND', NOTICE, { w: a.id, on: '2025-06-03', t: '通知' })).toBeTruthy();
    // a reporter or a manager sends no notices
    const reporter = await app.user(w.v1, ['REPORTER']);
    expect(await reporter.client.fails('FORBIDDEN', NOTICE, { w: a.id, on: '2025-06-03', t: '通知' })).toBeTruthy();
    // bad input names the field; nothing is written
    for (const [field, vars] of [['text', { w: a.id, on: '2025-06-03', t: '   ' }], ['on', { w: a.id, on: '2025-06-01', t: '通知' }], ['on', { w: a.id, on: `${currentYear() + 1}-01-02`, t: '通知' }], ['warningId', { w: 'bad', on: '2025-06-03', t: '通知' }]] as const) {
      const r = await w.station.client.request(NOTICE, vars);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await sql<any>(app, `select count(*)::int as n from warning_notice`))[0].n).toBe(2);

    // the ledger: warnings handled above the village, in arrival order, two a page
    const p1 = (await w.station.client.ok(LEDGER, { c: w.township.code })).adminUnit.warningLedger;
    expect(p1.totalCount).toBe(3);
    expect(p1.edges.map((e: any) => e.node.id)).toEqual([a.id, b.id]);
    expect(p1.edges[0].node).toMatchObject({ notices: [{ sentOn: '2025-06-03', text: '请村两委于一周内召开民主生活会' }], history: [{ kind: 'NOTICE_SENT', handlerFrom: 'TOWNSHIP', handlerTo: 'TOWNSHIP' }] });
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await w.station.client.ok(LEDGER, { c: w.township.code, after: p1.pageInfo.endCursor })).adminUnit.warningLedger;
    expect(p2.edges.map((e: any) => e.node.id)).toEqual([c.id]);
    expect(p2.edges[0].node.notices).toEqual([{ sentOn: '2025-06-04', text: '县中心警示通知' }]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    expect([...p1.edges, ...p2.edges].map((e: any) => e.node.id)).not.toContain(minor.id);
    // a resolved warning takes no more notices
    await w.station.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-05", note: "已整改") { id } }`, { id: a.id });
    expect(await w.station.client.fails('CONFLICT', NOTICE, { w: a.id, on: '2025-06-05', t: '通知' })).toBeTruthy();
    // the other township's ledger is out of reach
    expect((await elsewhere.client.ok(LEDGER, { c: w.township.code })).adminUnit).toBeNull();
    const bad = await w.station.client.request(LEDGER, { c: w.township.code, after: 'nope' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

const ISSUE = `mutation($i: RectificationNoticeInput!) { issueRectificationNotice(input: $i) { id deadline text warningId leadDepartmentId village { code } } }`;
const NOTICES = `{ rectificationNotices { id deadline text leadDepartmentId village { code } } }`;

describe('handling: deadline rectification notices (限期整改通知)', () => {
  test('the county centre names a lead department; the department sees only the notices addressed to it', async ({ app }) => {
    const w = await world(app);
    const warning = await w.report(w.v1, { level: 'RED', severity: 'MAJOR' });
    const dept = async (name: string, unitId: string) => (await sql<any>(app,
      `insert into partner (unit_id, kind, name, department_type) values (?, 'DEPARTMENT', ?, 'LEGAL_PETITION') returning id::text as id`, [unitId, name]))[0].id as string;
    const land = await dept('县自然资源局', w.county.id);
    const civil = await dept('县民政局', w.county.id);
    const [ent] = await sql<any>(app, `insert into partner (unit_id, kind, name, credit_code) values (?, 'ENTERPRISE', '某公司', '91150429MA0000000X') returning id::text as id`, [w.county.id]);
    const account = async (partnerId: string) => {
      const u = await app.user(w.county, ['DEPARTMENT']);
      await sql(app, `insert into partner_account (user_id, partner_id, unit_id) values (?, ?, ?)`, [u.id, partnerId, w.county.id]);
      return u;
    };
    const landUser = await account(land);
    const civilUser = await account(civil);
    const pid = (id: string) => toGlobalId('Partner', id);
    const county = await app.user(w.county, ['ORG_ADMIN']);
    const base = { deadline: '2099-06-30', leadDepartmentId: pid(land), text: '限期三十日内完成土地纠纷整改' };
    const n1 = (await county.client.ok(ISSUE, { i: { ...base, warningId: warning.id } })).issueRectificationNotice;
    expect(n1).toMatchObject({ deadline: '2099-06-30', warningId: warning.id, leadDepartmentId: pid(land), village: { code: w.v1.code } });
    const n2 = (await county.client.ok(ISSUE, { i: { ...base, villageId: uid(w.v2.id), leadDepartmentId: pid(civil), text: '低保评议整改' } })).issueRectificationNotice;
    // the township station is not the county centre; another county's centre does not see the village
    const township = await app.user(w.township, ['ORG_ADMIN']);
    expect(await township.client.fails('FORBIDDEN', ISSUE, { i: { ...base, villageId: uid(w.v1.id) } })).toBeTruthy();
    const otherCounty = await app.user(await w.region.county(), ['ORG_ADMIN']);
    expect(await otherCounty.client.fails('NOT_FOUND', ISSUE, { i: { ...base, villageId: uid(w.v1.id) } })).toBeTruthy();
    expect(await w.station.client.fails('FORBIDDEN', ISSUE, { i: { ...base, villageId: uid(w.v1.id) } })).toBeTruthy();
    // bad input names the field, nothing is written
    for (const [field, extra] of [
      ['leadDepartmentId', { villageId: uid(w.v1.id), leadDepartmentId: pid(ent.id) }],
      ['deadline', { villageId: uid(w.v1.id), deadline: '2020-01-01' }],
      ['text', { villageId: uid(w.v1.id), text: ' ' }],
      ['warningId', { villageId: uid(w.v1.id), warningId: warning.id }],
      ['warningId', {}],
    ] as const) {
      const r = await county.client.request(ISSUE, { i: { ...base, ...extra } });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await sql<any>(app, `select count(*)::int as n from rectification_notice`))[0].n).toBe(2);
    // each department reads its own notices only (the village is outside its scope: null)
    expect((await landUser.client.ok(NOTICES)).rectificationNotices).toEqual([{ id: n1.id, deadline: '2099-06-30', text: base.text, leadDepartmentId: pid(land), village: null }]);
    expect((await civilUser.client.ok(NOTICES)).rectificationNotices.map((n: any) => n.id)).toEqual([n2.id]);
    // staff read those in their scope
    expect((await county.client.ok(NOTICES)).rectificationNotices.map((n: any) => n.id)).toEqual([n1.id, n2.id]);
    expect((await otherCounty.client.ok(NOTICES)).rectificationNotices).toEqual([]);
    // a reporter reads none
    const reporter = await app.user(w.v1, ['REPORTER']);
    expect(await reporter.client.fails('FORBIDDEN', NOTICES)).toBeTruthy();
  });
});

const OPEN_CASE = `mutation($w: ID!, $on: LocalDate!) { openCaseFromWarning(warningId: $w, on: $on) { id rectificationCaseId history { kind note } } }`;

describe('handling: from red to rectification', () => {
  test('an open RED warning opens its village\'s case for the year in one step, linked; twice is CONFLICT', async ({ app }) => {
    const w = await world(app);
    const red = await w.report(w.v1, { level: 'RED', severity: 'MAJOR' });
    const yellow = await w.report(w.v2);
    const county = await app.user(w.county, ['ORG_ADMIN']);
    const r = (await county.client.ok(OPEN_CASE, { w: red.id, on: '2025-06-03' })).openCaseFromWarning;
    expect(r.rectificationCaseId).toMatch(/.+/);
    expect(r.history).toEqual([{ kind: 'CASE_OPENED', note: 'rectification case opened on 2025-06-03' }]);
    const caseId = fromGlobalId(r.rectificationCaseId, 'RectificationCase');
    const [c] = await sql<any>(app, `select unit_id::text as unit, year, state from rectification_case where id = ?`, [caseId]);
    expect(c).toEqual({ unit: w.v1.id, year: 2025, state: 'IDENTIFIED' });
    // the case is rectification's own: readable there
    const viaRect = await county.client.ok(`query($id: ID!) { rectificationCase(id: $id) { id } }`, { id: r.rectificationCaseId });
    expect(viaRect.rectificationCase.id).toBe(r.rectificationCaseId);
    expect(await county.client.fails('CONFLICT', OPEN_CASE, { w: red.id, on: '2025-06-03' })).toBeTruthy();
    // a YELLOW warning does not; a station may not; another county does not see it
    expect((await county.client.request(OPEN_CASE, { w: yellow.id, on: '2025-06-03' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'warningId' });
    expect(await w.station.client.fails('FORBIDDEN', OPEN_CASE, { w: red.id, on: '2025-06-03' })).toBeTruthy();
    const other = await app.user(await w.region.county(), ['ORG_ADMIN']);
    expect(await other.client.fails('NOT_FOUND', OPEN_CASE, { w: red.id, on: '2025-06-03' })).toBeTruthy();
    expect((await sql<any>(app, `select count(*)::int as n from rectification_case`))[0].n).toBe(1);
  });
});
