import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '../src/index.js';

// the reads behind the web's village page: a light per indicator category, the open warnings with their handling
const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id } }`;
const RESOLVE = `mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-10", note: "已整改") { id } }`;
const PAGE = `query($c: String!, $first: Int, $after: String) { adminUnit(code: $c) {
  categoryLights { code name light }
  openWarnings(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id indicatorCode level handlerLevel notices { text } history { kind } } } } } }`;
const uid = (id: string) => toGlobalId('AdminUnit', id);
let key = 0;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const township = await (await region.county()).township();
  const [v1, v2] = [await township.village(), await township.village()];
  await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
  const station = await app.user(township, ['WARNING_STATION']);
  const report = async (village: { id: string }, indicatorCode: string, level: 'YELLOW' | 'RED', severity = 'ORDINARY') =>
    (await station.client.ok(REPORT, { i: { villageId: uid(village.id), indicatorCode, level, severity, facts: '班子成员不团结', observedOn: '2025-06-02', idempotencyKey: `vp-${++key}` } })).reportWarning.id as string;
  return { region, township, v1, v2, station, report };
}

describe('the village page reads', () => {
  test('a village has a light per indicator category (its worst indicator there); above the villages none', async ({ app }) => {
    const w = await world(app);
    const lights = async (code: string) => (await w.station.client.ok(PAGE, { c: code })).adminUnit.categoryLights;
    expect(await lights(w.v1.code)).toEqual([
      { code: 'PB', name: '党的建设', light: 'GREEN' }, { code: 'NC', name: expect.any(String), light: 'GREEN' },
      { code: 'SA', name: expect.any(String), light: 'GREEN' }, { code: 'GD', name: expect.any(String), light: 'GREEN' },
      { code: 'PI', name: expect.any(String), light: 'GREEN' }]);
    await w.report(w.v1, 'PB01-01', 'YELLOW');
    const red = await w.report(w.v1, 'PB02-01', 'RED');
    await w.report(w.v1, 'SA01-01', 'YELLOW');
    expect((await lights(w.v1.code)).map((c: any) => `${c.code}:${c.light}`)).toEqual(['PB:RED', 'NC:GREEN', 'SA:YELLOW', 'GD:GREEN', 'PI:GREEN']);
    await w.station.client.ok(RESOLVE, { id: red });
    expect((await lights(w.v1.code)).map((c: any) => `${c.code}:${c.light}`)).toEqual(['PB:YELLOW', 'NC:GREEN', 'SA:YELLOW', 'GD:GREEN', 'PI:GREEN']);
    expect(await lights(w.v2.code)).toHaveLength(5);
    expect(await lights(w.township.code)).toEqual([]);
  });

  test('open warnings of a village or a subtree, any handler, resolved ones gone, paged', async ({ app }) => {
    const w = await world(app);
    const a = await w.report(w.v1, 'PB01-01', 'YELLOW', 'MINOR');
    const b = await w.report(w.v1, 'NC01-01', 'RED', 'ORDINARY');
    const c = await w.report(w.v2, 'SA01-01', 'YELLOW', 'MAJOR');
    await w.station.client.ok(`mutation($w: ID!) { sendWarningNotice(warningId: $w, on: "2025-06-03", text: "请整改") { id } }`, { w: b });
    const open = async (code: string, vars = {}) => (await w.station.client.ok(PAGE, { c: code, ...vars })).adminUnit.openWarnings;
    const v1 = await open(w.v1.code);
    expect(v1.totalCount).toBe(2);
    expect(v1.edges.map((e: any) => [e.node.id, e.node.handlerLevel, e.node.notices.map((n: any) => n.text)]))
      .toEqual([[a, 'VILLAGE', []], [b, 'TOWNSHIP', ['请整改']]]);
    expect((await open(w.township.code)).edges.map((e: any) => e.node.id)).toEqual([a, b, c]);
    const first = await open(w.township.code, { first: 2 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect((await open(w.township.code, { first: 2, after: first.pageInfo.endCursor })).edges.map((e: any) => e.node.id)).toEqual([c]);
    await w.station.client.ok(RESOLVE, { id: a });
    expect((await open(w.v1.code)).edges.map((e: any) => e.node.id)).toEqual([b]);
    // a reporter sees only their own village's
    const reporter = await app.user(w.v2, ['REPORTER']);
    expect((await reporter.client.ok(PAGE, { c: w.v2.code })).adminUnit.openWarnings.totalCount).toBe(1);
    expect((await reporter.client.ok(PAGE, { c: w.v1.code })).adminUnit).toBeNull();
    expect((await w.station.client.fails('BAD_USER_INPUT', PAGE, { c: w.v1.code, first: -1 }))).toBeTruthy();
  });

  test('over a list of villages: one statement per list', async ({ app }) => {
    const w = await world(app);
    await w.report(w.v1, 'PB01-01', 'RED');
    await w.report(w.v2, 'SA01-01', 'YELLOW');
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 50) { edges { node { categoryLights { light } openWarnings(first: 5) { totalCount edges { node { id } } } } } } } }`;
    await w.station.client.ok(Q, { c: w.township.code });
    app.sqlCount = 0;
    const r = await w.station.client.ok(Q, { c: w.township.code });
    expect(r.adminUnit.children.edges.map((e: any) => e.node.openWarnings.totalCount)).toEqual([1, 1]);
    // transaction + principal + unit + children + catalogue + indicators + lights + open page + counts (+ begin/commit)
    expect(app.sqlCount).toBeLessThanOrEqual(11);
  });
});
