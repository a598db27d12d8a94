import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '../src/index.js';

const uid = (id: string) => toGlobalId('AdminUnit', id);
const DUE = `query($n: Int) { me { dueItems(first: $n) { kind title dueOn unit { code name } refId } } }`;
let key = 0;

/** A county with two townships: v1 and v2 in the first (v1 assigned to its dynamic manager), v3 in the other. */
async function world(app: TestApp) {
    const region = await app.tree.region();
    const county = await region.county();
    const township = await county.township();
    const [v1, v2] = [await township.village(), await township.village()];
    const v3 = await (await county.township()).village();
    await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
    const station = await app.user(township, ['WARNING_STATION']);
    const manager = await app.user(township, ['WARNING_MANAGER']);
    await app.asOwner((em) => em.execute(`insert into warning_manager_village (user_id, unit_id) values (?, ?)`, [manager.id, v1.id]));
    const centre = await app.user(county, ['ORG_ADMIN']);
  return { region, county, township, v1, v2, v3, station, manager, centre };
}

describe('me.dueItems', () => {
  test('each module contributes: warnings to handle by handler level and scope, complaints, overdue problem items, cases to accept', async ({ app }) => {
    const { v1, v2, v3, station, manager, centre } = await world(app);
    const reporter = await app.user(v1, ['REPORTER']);
    const report = async (client: typeof station.client, village: { id: string }, severity: string, code = 'PB01-01') =>
      (await client.ok(`mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id followUpDue } }`, {
        i: { villageId: uid(village.id), indicatorCode: code, level: 'YELLOW', severity, facts: '村务公开不及时', observedOn: '2025-06-02', idempotencyKey: `d${++key}` } })).reportWarning;

    const minor = await report(manager.client, v1, 'MINOR');
    const ordinary = await report(station.client, v2, 'ORDINARY', 'PB02-01');
    const ordinary2 = await report(station.client, v1, 'ORDINARY', 'PB03-01');
    const major = await report(centre.client, v3, 'MAJOR');
    const otherTownshipOrdinary = await report(centre.client, v3, 'ORDINARY', 'PB02-01');

    // the manager handles minor matters of their villages; no deadline above none
    expect((await manager.client.ok(DUE)).me.dueItems).toEqual([
      { kind: 'WARNING_TO_HANDLE', title: 'PB01-01 黄灯：村务公开不及时', dueOn: null, unit: { code: v1.code, name: expect.any(String) }, refId: minor.id },
    ]);
    // the station: ordinary matters of its township only, with the follow-up deadline
    const st = (await station.client.ok(DUE)).me.dueItems;
    expect(st.map((d: any) => d.refId).sort()).toEqual([ordinary.id, ordinary2.id].sort());
    expect(st[0].dueOn).toBe(ordinary.followUpDue);
    expect(st.map((d: any) => d.refId)).not.toContain(otherTownshipOrdinary.id);
    // the reporter handles nothing
    expect((await reporter.client.ok(DUE)).me.dueItems).toEqual([]);

    // rectification's part, for the county centre: a complaint to answer, an overdue problem item, a case to accept
    const ids = await app.asOwner(async (em) => {
      const [c] = await em.execute<any[]>(`insert into complaint (unit_id, received_on, summary, reply_due_on) values (?, '2025-05-01', '群众反映低保不公', '2025-05-20') returning id`, [v2.id]);
      const [k] = await em.execute<any[]>(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'RECTIFYING') returning id`, [v1.id]);
      const [p] = await em.execute<any[]>(`insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values (?, ?, '班子软弱', '调整班子', '乡党委', '2025-04-30') returning id`, [k.id, v1.id]);
      await em.execute(`insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values (?, ?, '未到期', '整改', '乡党委', current_date + 30)`, [k.id, v1.id]);
      const [t] = await em.execute<any[]>(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED') returning id`, [v2.id]);
      const [a] = await em.execute<any[]>(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED') returning id`, [v3.id]);
      await em.execute(`insert into acceptance (case_id, unit_id, accepted_on, satisfaction_rate) values (?, ?, '2025-11-01', 0.9)`, [a.id, v3.id]);
      return { complaint: String(c.id), item: String(p.id), transformed: String(t.id) };
    });
    const mine = (await centre.client.ok(DUE)).me.dueItems;
    expect(mine.map((d: any) => [d.kind, d.refId, d.dueOn])).toEqual([
      ['PROBLEM_ITEM_OVERDUE', toGlobalId('ProblemItem', ids.item), '2025-04-30'],
      ['COMPLAINT_REPLY', toGlobalId('Complaint', ids.complaint), '2025-05-20'],
      ['WARNING_TO_HANDLE', major.id, expect.any(String)],
      ['CASE_ACCEPTANCE', toGlobalId('RectificationCase', ids.transformed), null],
    ]);
    // bounded: the first N by due date
    expect((await centre.client.ok(DUE, { n: 2 })).me.dueItems.map((d: any) => d.kind)).toEqual(['PROBLEM_ITEM_OVERDUE', 'COMPLAINT_REPLY']);
    await centre.client.fails('BAD_USER_INPUT', DUE, { n: 0 });
    // resolved warnings are no longer due
    await station.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-10", note: "已整改") { id } }`, { id: ordinary.id });
    expect((await station.client.ok(DUE)).me.dueItems.map((d: any) => d.refId)).toEqual([ordinary2.id]);
  });

  test('notices with deadlines: a warning notice for its village until the warning is resolved; a deadline rectification notice for its department, village and station until the matter is settled', async ({ app }) => {
    const { county, v1, v2, v3, station, manager, centre } = await world(app);
    const [reporter, reporter2] = [await app.user(v1, ['REPORTER']), await app.user(v2, ['REPORTER'])];
    const department = async (name: string) => {
      const id = await app.asOwner(async (em) => String((await em.execute<any[]>(
        `insert into partner (unit_id, kind, name, department_type) values (?, 'DEPARTMENT', ?, 'LEGAL_PETITION') returning id`, [county.id, name]))[0].id));
      const u = await app.user(county, ['DEPARTMENT']);
      await app.asOwner((em) => em.execute(`insert into partner_account (user_id, partner_id, unit_id) values (?, ?, ?)`, [u.id, id, county.id]));
      return { id: toGlobalId('Partner', id), user: u };
    };
    const [land, civil] = [await department('县自然资源局'), await department('县民政局')];
    const report = async (village: { id: string }, severity: string, level = 'YELLOW') =>
      (await centre.client.ok(`mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id followUpDue } }`, {
        i: { villageId: uid(village.id), indicatorCode: 'PB01-01', level, severity, facts: '土地纠纷', observedOn: '2025-06-02', idempotencyKey: `n${++key}` } })).reportWarning;
    const notice = async (w: string, text: string) =>
      (await station.client.ok(`mutation($w: ID!, $t: String!) { sendWarningNotice(warningId: $w, on: "2025-06-03", text: $t) { id } }`, { w, t: text })).sendWarningNotice.id;
    const issue = async (input: Record<string, unknown>) =>
      (await centre.client.ok(`mutation($i: RectificationNoticeInput!) { issueRectificationNotice(input: $i) { id } }`, { i: { deadline: '2099-06-30', text: '限期整改', ...input } })).issueRectificationNotice.id;
    const due = async (user: { client: typeof centre.client }, kinds = ['WARNING_NOTICE', 'RECTIFICATION_NOTICE']) =>
      (await user.client.ok(DUE)).me.dueItems.filter((d: any) => kinds.includes(d.kind)).map((d: any) => [d.kind, d.refId, d.dueOn, d.unit?.code ?? null]);

    const w1 = await report(v1, 'ORDINARY');
    await notice(w1.id, '请于五个工作日内整改');
    const latest = await notice(w1.id, '再次提醒：请按期整改');
    const w3 = await report(v3, 'MAJOR', 'RED');
    const n1 = await issue({ warningId: w1.id, leadDepartmentId: land.id });
    const n3 = await issue({ villageId: uid(v3.id), leadDepartmentId: civil.id });
    await issue({ villageId: uid(v2.id), leadDepartmentId: civil.id, text: '绿灯村：不在待办' });

    // the village: its reporters and its dynamic manager (the latest notice of the warning, by its follow-up deadline)
    const village = [['WARNING_NOTICE', latest, w1.followUpDue, v1.code], ['RECTIFICATION_NOTICE', n1, '2099-06-30', v1.code]];
    expect(await due(reporter)).toEqual(village);
    expect(await due(manager)).toEqual(village);
    expect(await due(reporter2)).toEqual([]);
    // the station: the rectification notices on its township's villages (the warning notice is its own)
    expect(await due(station)).toEqual([['RECTIFICATION_NOTICE', n1, '2099-06-30', v1.code]]);
    // each department its own, whatever villages it is paired with (the village is outside its scope: null)
    expect(await due(land.user)).toEqual([['RECTIFICATION_NOTICE', n1, '2099-06-30', null]]);
    expect(await due(civil.user)).toEqual([['RECTIFICATION_NOTICE', n3, '2099-06-30', null]]);
    // the county centre that issued them has none of these
    expect(await due(centre)).toEqual([]);

    // settled: the warning resolved, the village green again
    await centre.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-10", note: "已整改") { id } }`, { id: w1.id });
    for (const u of [reporter, manager, station, land.user]) expect(await due(u)).toEqual([]);
    expect(await due(civil.user)).toHaveLength(1);
    await centre.client.ok(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-10", note: "已整改") { id } }`, { id: w3.id });
    expect(await due(civil.user)).toEqual([]);
  });
});
