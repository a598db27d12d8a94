import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId, addDays, today } from '@jiceng/core';

const uid = (id: string) => toGlobalId('AdminUnit', id);
const RECORD = `mutation($i: RecordDisputeInput!) { recordDispute(input: $i) { id category summary recordedOn resolved resolvedOn result explanation promisedOn village { code } } }`;
const SETTLE = `mutation($id: ID!, $on: LocalDate!, $r: String!) { settleDispute(id: $id, on: $on, result: $r) { id resolved resolvedOn result } }`;
const DEFER = `mutation($id: ID!, $x: String!, $p: LocalDate!) { deferDispute(id: $id, explanation: $x, promisedOn: $p) { id resolved explanation promisedOn } }`;
const LIST = `query($c: String!, $r: Boolean, $first: Int, $after: String) { adminUnit(code: $c) {
  disputes(year: 2025, resolved: $r, first: $first, after: $after) { totalCount edges { cursor node { id category village { code } } } pageInfo { hasNextPage endCursor } } } }`;
const STATS = `query($c: String!) { adminUnit(code: $c) { warningStats(year: 2025) { disputes disputesResolved } } }`;
const inDays = (n: number) => addDays(today(), n);

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [v1, v2] = [await township.village(), await township.village()];
  const otherTownship = await county.township();
  const other = await otherTownship.village();
  const station = await app.user(township, ['WARNING_STATION']);
  const elsewhere = await app.user(otherTownship, ['WARNING_STATION']);
  const record = (client: typeof station.client, village: { id: string }, extra: Record<string, unknown> = {}) =>
    client.request(RECORD, { i: { villageId: uid(village.id), category: 'HOMESTEAD', summary: '宅基地边界纠纷', recordedOn: '2025-05-10', ...extra } });
  return { region, county, township, v1, v2, other, station, elsewhere, record };
}

describe('disputes ledger (矛盾纠纷排查)', () => {
  test('record, defer, settle; settling twice is CONFLICT; bad input names its field', async ({ app }) => {
    const w = await world(app);
    const r = await w.record(w.station.client, w.v1);
    expect(r.errors).toBeUndefined();
    const d = r.data!.recordDispute;
    expect(d).toMatchObject({ category: 'HOMESTEAD', summary: '宅基地边界纠纷', recordedOn: '2025-05-10', resolved: false, resolvedOn: null,
      result: null, explanation: null, promisedOn: null, village: { code: w.v1.code } });
    const promised = inDays(30);
    expect((await w.station.client.ok(DEFER, { id: d.id, x: '涉及多方，正在协调', p: promised })).deferDispute)
      .toEqual({ id: d.id, resolved: false, explanation: '涉及多方，正在协调', promisedOn: promised });
    expect((await w.station.client.ok(SETTLE, { id: d.id, on: '2025-06-01', r: '双方达成调解协议' })).settleDispute)
      .toEqual({ id: d.id, resolved: true, resolvedOn: '2025-06-01', result: '双方达成调解协议' });
    expect(await w.station.client.fails('CONFLICT', SETTLE, { id: d.id, on: '2025-06-02', r: '再次' })).toBeTruthy();
    expect(await w.station.client.fails('CONFLICT', DEFER, { id: d.id, x: '再次', p: promised })).toBeTruthy();

    for (const [extra, field] of [[{ summary: '  ' }, 'summary'], [{ recordedOn: inDays(3) }, 'recordedOn'], [{ villageId: uid(w.township.id) }, 'villageId']] as const) {
      const bad = await w.record(w.station.client, w.v1, extra);
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const open = (await w.record(w.station.client, w.v2)).data!.recordDispute;
    for (const [q, vars, field] of [
      [SETTLE, { id: open.id, on: '2025-05-09', r: '调解' }, 'on'],
      [SETTLE, { id: open.id, on: inDays(3), r: '调解' }, 'on'],
      [SETTLE, { id: open.id, on: '2025-06-01', r: '' }, 'result'],
      [DEFER, { id: open.id, x: '协调中', p: '2025-01-01' }, 'promisedOn'],
      [DEFER, { id: open.id, x: ' ', p: promised }, 'explanation'],
    ] as const) {
      expect((await w.station.client.request(q, vars)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const [row] = await app.asOwner((em) => em.execute<any[]>(`select resolved_on, explanation, promised_on from warning_dispute where summary = '宅基地边界纠纷' and resolved_on is null`));
    expect(row).toEqual({ resolved_on: null, explanation: null, promised_on: null });
  });

  test('reach: a reporter records on their own village only, a manager on assigned ones; another township is NOT_FOUND', async ({ app }) => {
    const w = await world(app);
    const reporter = await app.user(w.v1, ['REPORTER']);
    expect((await w.record(reporter.client, w.v1)).errors).toBeUndefined();
    expect((await w.record(reporter.client, w.v2)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const manager = await app.user(w.township, ['WARNING_MANAGER']);
    await app.asOwner((em) => em.execute(`insert into warning_manager_village (user_id, unit_id) values (?, ?)`, [manager.id, w.v2.id]));
    const mine = (await w.record(manager.client, w.v2)).data!.recordDispute;
    expect((await w.record(manager.client, w.v1)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const centre = await app.user(w.county, ['ORG_ADMIN']);
    expect((await w.record(centre.client, w.other)).errors).toBeUndefined();
    const inspector = await app.user(w.county, ['INSPECTOR']);
    expect((await w.record(inspector.client, w.v1)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // another township's station: not there to record on, to settle or to defer, nor to list
    expect((await w.record(w.elsewhere.client, w.v1)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await w.elsewhere.client.fails('NOT_FOUND', SETTLE, { id: mine.id, on: '2025-06-01', r: '调解' })).toBeTruthy();
    expect(await w.elsewhere.client.fails('NOT_FOUND', DEFER, { id: mine.id, x: '协调中', p: inDays(5) })).toBeTruthy();
    expect(await reporter.client.fails('NOT_FOUND', SETTLE, { id: mine.id, on: '2025-06-01', r: '调解' })).toBeTruthy();
    expect((await w.elsewhere.client.ok(LIST, { c: w.township.code })).adminUnit).toBeNull();
    expect((await w.elsewhere.client.ok(LIST, { c: w.other.code })).adminUnit.disputes.totalCount).toBe(1);
  });

  test('AdminUnit.disputes is keyset paged and filtered by resolved; warningStats counts them; batched per level', async ({ app }) => {
    const w = await world(app);
    const ids: string[] = [];
    for (const [v, on] of [[w.v1, '2025-02-01'], [w.v2, '2025-03-01'], [w.v1, '2025-04-01'], [w.v2, '2024-12-31']] as const)
      ids.push((await w.record(w.station.client, v, { recordedOn: on, category: 'NEIGHBOURS' })).data!.recordDispute.id);
    await w.station.client.ok(SETTLE, { id: ids[1], on: '2025-03-05', r: '调解成功' });
    const admin = await app.user(w.region, ['ORG_ADMIN']);
    const p1 = (await admin.client.ok(LIST, { c: w.township.code, first: 2 })).adminUnit.disputes;
    expect(p1.totalCount).toBe(3);
    expect(p1.edges.map((e: any) => e.node.id)).toEqual([ids[0], ids[1]]);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await admin.client.ok(LIST, { c: w.township.code, first: 2, after: p1.pageInfo.endCursor })).adminUnit.disputes;
    expect(p2.edges.map((e: any) => e.node.id)).toEqual([ids[2]]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const open = (await admin.client.ok(LIST, { c: w.township.code, r: false })).adminUnit.disputes;
    expect([open.totalCount, open.edges.map((e: any) => e.node.id)]).toEqual([2, [ids[0], ids[2]]]);
    const settled = (await admin.client.ok(LIST, { c: w.v2.code, r: true })).adminUnit.disputes;
    expect([settled.totalCount, settled.edges.map((e: any) => e.node.id)]).toEqual([1, [ids[1]]]);
    expect((await admin.client.ok(STATS, { c: w.county.code })).adminUnit.warningStats).toEqual({ disputes: 3, disputesResolved: 1 });
    expect((await admin.client.ok(STATS, { c: w.v1.code })).adminUnit.warningStats).toEqual({ disputes: 2, disputesResolved: 0 });
    const bad = await admin.client.request(LIST, { c: w.township.code, after: 'nope' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });

    // the disputes of every village of a township: one statement for the list, one for the counts
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 10) { edges { node { disputes(year: 2025, first: 10) { totalCount edges { node { id } } } } } } } }`;
    await admin.client.ok(Q, { c: w.township.code });
    app.sqlCount = 0;
    const r = await admin.client.ok(Q, { c: w.township.code });
    expect(r.adminUnit.children.edges.map((e: any) => e.node.disputes.totalCount).sort()).toEqual([1, 2]);
    // transaction + principal + unit + children + disputes + counts (+ begin/commit)
    expect(app.sqlCount).toBeLessThanOrEqual(8);
  });
});
