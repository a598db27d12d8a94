import pg from 'pg';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId, currentYear } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '../src/index.js';

const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id level severity handlerLevel late followUpDue village { code light } } }`;
const RESOLVE = `mutation($id: ID!, $on: LocalDate!, $note: String!) { resolveWarning(id: $id, on: $on, note: $note) { id resolvedOn village { light } } }`;
const COUNTS = `query($c: String!) { adminUnit(code: $c) { light lightCounts { green yellow red } } }`;
const uid = (id: string) => toGlobalId('AdminUnit', id);
let key = 0;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [v1, v2, v3] = [await township.village(), await township.village(), await township.village()];
  const other = await (await county.township()).village();
  await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
  const reporter = await app.user(v1, ['REPORTER']);
  const station = await app.user(township, ['WARNING_STATION']);
  const report = (client: typeof reporter.client, village: { id: string }, extra: Record<string, unknown> = {}) =>
    client.request(REPORT, { i: { villageId: uid(village.id), indicatorCode: 'PB01-01', level: 'YELLOW', severity: 'ORDINARY', facts: '班子成员不团结', observedOn: '2025-06-02', idempotencyKey: `k${++key}`, ...extra } });
  return { region, county, township, v1, v2, v3, other, reporter, station, report };
}

describe('dynamic management 110: catalogue, lights, reports', () => {
  test('the demo catalogue has 5 categories, 30 items and 90 indicators, in force below the region', async ({ app }) => {
    const w = await world(app);
    const { indicatorCatalog: cats } = await w.reporter.client.ok(`query($u: ID) { indicatorCatalog(unitId: $u) { code name items { code name indicators { code name } } } }`, { u: uid(w.v1.id) });
    expect(cats.map((c: any) => [c.code, c.items.length, c.items.reduce((n: number, i: any) => n + i.indicators.length, 0)]))
      .toEqual([['PB', 9, 28], ['NC', 7, 20], ['SA', 4, 13], ['GD', 3, 9], ['PI', 7, 20]]);
    expect(cats[0].items[0]).toMatchObject({ code: 'PB01', name: '班子建设', indicators: [{ code: 'PB01-01' }, {}, {}, {}] });
    // the caller's own unit when omitted; another region has none
    expect((await w.reporter.client.ok(`{ indicatorCatalog { code } }`)).indicatorCatalog).toHaveLength(5);
    const elsewhere = await app.tree.region();
    const admin = await app.user(elsewhere, ['ORG_ADMIN']);
    expect((await admin.client.ok(`{ indicatorCatalog { code } }`)).indicatorCatalog).toEqual([]);
  });

  test('a report lights the village and every unit above at once; resolving returns it to GREEN; events and notifications', async ({ app }) => {
    const w = await world(app);
    const listener = new pg.Client({ connectionString: app.db.ownerUrl });
    await listener.connect();
    const notes: any[] = [];
    listener.on('notification', (n) => notes.push(JSON.parse(n.payload!)));
    await listener.query('listen jiceng_light_changed');
    try {
      const admin = await app.user(w.region, ['ORG_ADMIN']);
      expect((await admin.client.ok(COUNTS, { c: w.township.code })).adminUnit).toEqual({ light: null, lightCounts: { green: 3, yellow: 0, red: 0 } });
      const r1 = await w.report(w.reporter.client, w.v1);
      expect(r1.errors).toBeUndefined();
      expect(r1.data.reportWarning).toMatchObject({ level: 'YELLOW', severity: 'ORDINARY', handlerLevel: 'TOWNSHIP', late: true, village: { code: w.v1.code, light: 'YELLOW' } });
      expect((await admin.client.ok(COUNTS, { c: w.v1.code })).adminUnit).toEqual({ light: 'YELLOW', lightCounts: { green: 0, yellow: 1, red: 0 } });
      for (const unit of [w.township, w.county, w.region]) {
        expect((await admin.client.ok(COUNTS, { c: unit.code })).adminUnit.lightCounts).toEqual({ green: unit === w.township ? 2 : 3, yellow: 1, red: 0 });
      }
      // another indicator goes RED: the village is RED (its worst), counted once
      const r2 = await w.report(w.station.client, w.v1, { indicatorCode: 'SA04-02', level: 'RED', severity: 'MAJOR' });
      expect(r2.data.reportWarning).toMatchObject({ handlerLevel: 'COUNTY', village: { light: 'RED' } });
      expect((await admin.client.ok(COUNTS, { c: w.township.code })).adminUnit.lightCounts).toEqual({ green: 2, yellow: 0, red: 1 });
      // resolving the RED one leaves the YELLOW one
      const done = await w.station.client.ok(RESOLVE, { id: r2.data.reportWarning.id, on: '2025-06-10', note: '已调处' });
      expect(done.resolveWarning).toMatchObject({ resolvedOn: '2025-06-10', village: { light: 'YELLOW' } });
      await w.station.client.ok(RESOLVE, { id: r1.data.reportWarning.id, on: '2025-06-10', note: '已整改' });
      expect((await admin.client.ok(COUNTS, { c: w.region.code })).adminUnit.lightCounts).toEqual({ green: 4, yellow: 0, red: 0 });
      expect((await w.station.client.fails('CONFLICT', RESOLVE, { id: r1.data.reportWarning.id, on: '2025-06-10', note: 'again' }))).toBeTruthy();
      // a later report reopens it
      expect((await w.report(w.reporter.client, w.v1)).data.reportWarning.village.light).toBe('YELLOW');

      const events = await app.asOwner((em) => em.execute<any[]>(`select from_light, to_light, village_from, village_to, reason from light_event where unit_id = ? order by id`, [w.v1.id]));
      expect(events.map((e) => `${e.from_light}>${e.to_light} ${e.village_from}>${e.village_to}`))
        .toEqual(['GREEN>YELLOW GREEN>YELLOW', 'GREEN>RED YELLOW>RED', 'RED>GREEN RED>YELLOW', 'YELLOW>GREEN YELLOW>GREEN', 'GREEN>YELLOW GREEN>YELLOW']);
      await expect(app.asOwner((em) => em.execute(`update light_event set reason = 'x' where unit_id = ?`, [w.v1.id]))).rejects.toThrow(/append-only/);

      const deadline = Date.now() + 5000;
      while (notes.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(notes.map((n) => `${n.from}>${n.to}`)).toEqual(['GREEN>YELLOW', 'YELLOW>RED', 'RED>YELLOW', 'YELLOW>GREEN', 'GREEN>YELLOW']);
      expect(notes[0]).toMatchObject({ villageId: w.v1.id, path: w.v1.path });
      expect(notes[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(notes[0].eventId).toMatch(/^\d+$/);
    } finally {
      await listener.end();
    }
  });

  test('a reporter reports only on their own village; idempotency keys; bad input names the field', async ({ app }) => {
    const w = await world(app);
    expect((await w.report(w.reporter.client, w.v2)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await w.report(w.reporter.client, w.other)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const first = await w.report(w.reporter.client, w.v1, { idempotencyKey: 'same' });
    const again = await w.report(w.reporter.client, w.v1, { idempotencyKey: 'same' });
    expect(again.data.reportWarning.id).toBe(first.data.reportWarning.id);
    expect((await w.report(w.reporter.client, w.v1, { idempotencyKey: 'same', facts: '另一件事' })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    for (const [field, extra] of [['indicatorCode', { indicatorCode: 'ZZ01-01' }], ['observedOn', { observedOn: `${currentYear() + 1}-01-02` }], ['facts', { facts: '  ' }]] as const) {
      const r = await w.report(w.reporter.client, w.v1, extra);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // a station reports anywhere in its township, not in another
    expect((await w.report(w.station.client, w.v3)).errors).toBeUndefined();
    expect((await w.report(w.station.client, w.other)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // a manager sees and reports only on the villages assigned to them
    const manager = await app.user(w.township, ['WARNING_MANAGER']);
    await app.asOwner((em) => em.execute(`insert into warning_manager_village (user_id, unit_id) values (?, ?)`, [manager.id, w.v2.id]));
    expect((await w.report(manager.client, w.v2)).errors).toBeUndefined();
    expect((await w.report(manager.client, w.v3)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await manager.client.ok(`query($c: String!) { adminUnit(code: $c) { code } }`, { c: w.v3.code })).adminUnit).toBeNull();
  });

  test('two reports on one indicator at once: both counted, the light ends right, the rollup once', async ({ app }) => {
    const w = await world(app);
    const other = await app.user(w.township, ['WARNING_STATION']);
    const [a, b] = await Promise.all([
      w.report(w.station.client, w.v2, { level: 'YELLOW' }),
      w.report(other.client, w.v2, { level: 'RED' }),
    ]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const admin = await app.user(w.region, ['ORG_ADMIN']);
    expect((await admin.client.ok(COUNTS, { c: w.v2.code })).adminUnit.light).toBe('RED');
    expect((await admin.client.ok(COUNTS, { c: w.region.code })).adminUnit.lightCounts).toEqual({ green: 3, yellow: 0, red: 1 });
    const stats = await admin.client.ok(`query($c: String!) { adminUnit(code: $c) { warningStats(year: 2025) { yellowRaised redRaised resolved open disputes disputesResolved } } }`, { c: w.county.code });
    expect(stats.adminUnit.warningStats).toEqual({ yellowRaised: 1, redRaised: 1, resolved: 0, open: 2, disputes: 0, disputesResolved: 0 });
  });

  test('lightCounts and light over a list of units cost one statement per level', async ({ app }) => {
    const w = await world(app);
    await w.report(w.station.client, w.v3, { level: 'RED' });
    const admin = await app.user(w.region, ['ORG_ADMIN']);
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 50) { edges { node { light lightCounts { red } warningStats(year: 2025) { redRaised } } } } } }`;
    await admin.client.ok(Q, { c: w.township.code });
    app.sqlCount = 0;
    const r = await admin.client.ok(Q, { c: w.township.code });
    expect(r.adminUnit.children.edges.map((e: any) => e.node.light).sort()).toEqual(['GREEN', 'GREEN', 'RED']);
    // transaction + principal + unit + children + lights + stats (+ begin/commit)
    expect(app.sqlCount).toBeLessThanOrEqual(8);
  });
});
