import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '../src/index.js';

const uid = (id: string) => toGlobalId('AdminUnit', id);
const usr = (id: string) => toGlobalId('User', id);
const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id late } }`;
const MISSED = `mutation($v: ID!, $r: ID!, $on: LocalDate!) { recordMissedReport(villageId: $v, indicatorCode: "PB01-01", reporterId: $r, on: $on, note: "站上先发现") }`;
const CONCEALED = `mutation($v: ID!, $r: ID!, $on: LocalDate!) { recordConcealment(villageId: $v, indicatorCode: "SA01-01", reporterId: $r, on: $on, note: "检查发现隐瞒") }`;
const ACCOUNT = `query($c: String!, $y: Int!) { adminUnit(code: $c) { reporterAccountability(year: $y) { reporter { id username } village { code } late missed concealed total consequence } stationFailures(year: $y) } }`;
let key = 0;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [v1, v2, v3] = [await township.village(), await township.village(), await township.village()];
  const otherTownship = await county.township();
  await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
  const [r1, r2, r3] = [await app.user(v1, ['REPORTER']), await app.user(v2, ['REPORTER']), await app.user(v3, ['REPORTER'])];
  const station = await app.user(township, ['WARNING_STATION']);
  const inspector = await app.user(county, ['INSPECTOR']);
  const centre = await app.user(county, ['ORG_ADMIN']);
  const [{ d: today }] = await app.asOwner((em) => em.execute<any[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`));
  const report = (client: typeof r1.client, village: { id: string }, observedOn: string) =>
    client.request(REPORT, { i: { villageId: uid(village.id), indicatorCode: 'PB02-01', level: 'YELLOW', severity: 'MINOR', facts: '组织生活不正常', observedOn, idempotencyKey: `a${++key}` } });
  return { region, county, township, v1, v2, v3, otherTownship, r1, r2, r3, station, inspector, centre, today: today as string, report };
}

describe('reporter accountability', () => {
  test('late, missed and concealed reports count per reporter and year: 1, 2, 3+ give their consequences', async ({ app }) => {
    const w = await world(app);
    // r1: one missed report; r2: a late report and a missed one; r3: late, missed, concealed and another missed
    expect((await w.station.client.request(MISSED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2025-03-04' })).errors).toBeUndefined();
    const late = await w.report(w.r2.client, w.v2, '2025-05-06');
    expect(late.data.reportWarning.late).toBe(true);
    await w.station.client.ok(MISSED, { v: uid(w.v2.id), r: usr(w.r2.id), on: '2025-07-01' });
    expect((await w.report(w.r3.client, w.v3, '2025-05-06')).data.reportWarning.late).toBe(true);
    await w.inspector.client.ok(MISSED, { v: uid(w.v3.id), r: usr(w.r3.id), on: '2025-07-01' });
    await w.inspector.client.ok(CONCEALED, { v: uid(w.v3.id), r: usr(w.r3.id), on: '2025-08-01' });
    await w.station.client.ok(MISSED, { v: uid(w.v3.id), r: usr(w.r3.id), on: '2025-09-01' });
    // another year counts apart
    await w.station.client.ok(MISSED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2024-12-31' });

    const { adminUnit } = await w.centre.client.ok(ACCOUNT, { c: w.county.code, y: 2025 });
    expect(adminUnit.reporterAccountability.map((r: any) => [r.reporter.id, r.village.code, r.late, r.missed, r.concealed, r.total, r.consequence])).toEqual([
      [usr(w.r1.id), w.v1.code, 0, 1, 0, 1, 'CRITICISM_MONTH_BONUS_WITHHELD'],
      [usr(w.r2.id), w.v2.code, 1, 1, 0, 2, 'COUNTY_NOTICE_HALF_YEAR_BONUS'],
      [usr(w.r3.id), w.v3.code, 1, 2, 1, 4, 'SUSPENSION_YEAR_BONUS'],
    ]);
    expect((await w.centre.client.ok(ACCOUNT, { c: w.county.code, y: 2024 })).adminUnit.reporterAccountability)
      .toEqual([expect.objectContaining({ total: 1, consequence: 'CRITICISM_MONTH_BONUS_WITHHELD' })]);
    // batched over a list of units: each township lists its own reporters
    const kids = (await w.centre.client.ok(`query($c: String!) { adminUnit(code: $c) { children { edges { node { code reporterAccountability(year: 2025) { total } } } } } }`, { c: w.county.code })).adminUnit.children.edges;
    expect(Object.fromEntries(kids.map(({ node }: any) => [node.code, node.reporterAccountability.map((r: any) => r.total)])))
      .toEqual({ [w.township.code]: [1, 2, 4], [w.otherTownship.code]: [] });
    // the station sees its township's reporters
    expect((await w.station.client.ok(ACCOUNT, { c: w.township.code, y: 2025 })).adminUnit.reporterAccountability).toHaveLength(3);

    // thresholds are a standard set from above: with 2/3/4, r2 (2) is criticised and r3 (4) suspended
    const admin = await app.user(w.region, ['ORG_ADMIN']);
    await admin.client.ok(`mutation($u: ID!) { setReporterAccountabilityStandard(unitId: $u, effectiveOn: "2025-01-01", lateAfterWorkingDays: 2, criticismFrom: 2, countyNoticeFrom: 3, suspensionFrom: 4) }`, { u: uid(w.county.id) });
    const again = (await w.centre.client.ok(ACCOUNT, { c: w.county.code, y: 2025 })).adminUnit.reporterAccountability;
    expect(again.map((r: any) => r.consequence)).toEqual([null, 'CRITICISM_MONTH_BONUS_WITHHELD', 'SUSPENSION_YEAR_BONUS']);
    // the county cannot set its own standard
    await w.centre.client.fails('FORBIDDEN', `mutation($u: ID!) { setReporterAccountabilityStandard(unitId: $u, effectiveOn: "2025-01-01", lateAfterWorkingDays: 2, criticismFrom: 1, countyNoticeFrom: 2, suspensionFrom: 3) }`, { u: uid(w.county.id) });
    await admin.client.fails('BAD_USER_INPUT', `mutation($u: ID!) { setReporterAccountabilityStandard(unitId: $u, effectiveOn: "2025-02-01", lateAfterWorkingDays: 2, criticismFrom: 2, countyNoticeFrom: 2, suspensionFrom: 4) }`, { u: uid(w.county.id) });
  });

  test('the working days before a report is late are a standard per region with an effective date (default 2)', async ({ app }) => {
    const w = await world(app);
    const tenDaysAgo = (await app.asOwner((em) => em.execute<any[]>(`select to_char(current_date - 10, 'YYYY-MM-DD') as d`)))[0].d;
    expect((await w.report(w.r1.client, w.v1, tenDaysAgo)).data.reportWarning.late).toBe(true);
    const admin = await app.user(w.region, ['ORG_ADMIN']);
    await admin.client.ok(`mutation($u: ID!, $on: LocalDate!) { setReporterAccountabilityStandard(unitId: $u, effectiveOn: $on, lateAfterWorkingDays: 20, criticismFrom: 1, countyNoticeFrom: 2, suspensionFrom: 3) }`, { u: uid(w.county.id), on: w.today });
    expect((await w.report(w.r1.client, w.v1, tenDaysAgo)).data.reportWarning.late).toBe(false);
    // another county keeps the default
    const elsewhere = await (await (await w.region.county()).township()).village();
    const r = await app.user(elsewhere, ['REPORTER']);
    expect((await w.report(r.client, elsewhere, tenDaysAgo)).data.reportWarning.late).toBe(true);
  });

  test('who may record lapses and station failures, and on whom', async ({ app }) => {
    const w = await world(app);
    // a reporter may not record; a station of another township does not see the village
    await w.r2.client.fails('FORBIDDEN', MISSED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2025-03-04' });
    const otherStation = await app.user(w.otherTownship, ['WARNING_STATION']);
    await otherStation.client.fails('NOT_FOUND', MISSED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2025-03-04' });
    // concealment is found by an inspection: not the station
    await w.station.client.fails('FORBIDDEN', CONCEALED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2025-03-04' });
    // the reporter must be a REPORTER of that village; the date not in the future
    const err = await w.station.client.fails('BAD_USER_INPUT', MISSED, { v: uid(w.v1.id), r: usr(w.r2.id), on: '2025-03-04' });
    expect(err.extensions?.field).toBe('reporterId');
    await w.station.client.fails('BAD_USER_INPUT', MISSED, { v: uid(w.v1.id), r: usr(w.station.id), on: '2025-03-04' });
    await w.station.client.fails('BAD_USER_INPUT', MISSED, { v: uid(w.v1.id), r: usr(w.r1.id), on: '2999-01-01' });
    const n = await app.asOwner((em) => em.execute<any[]>(`select count(*)::int as n from reporter_lapse where unit_path <@ ?::ltree`, [w.township.path]));
    expect(n[0].n).toBe(0);

    // station failures: recorded by the county centre or an inspector, counted in the township and above
    const FAIL = `mutation($t: ID!, $on: LocalDate!) { recordStationFailure(townshipId: $t, on: $on, note: "未及时上报指标变化") }`;
    await w.inspector.client.ok(FAIL, { t: uid(w.township.id), on: '2025-04-01' });
    await w.centre.client.ok(FAIL, { t: uid(w.township.id), on: '2025-10-01' });
    await w.centre.client.ok(FAIL, { t: uid(w.otherTownship.id), on: '2025-10-01' });
    await w.station.client.fails('FORBIDDEN', FAIL, { t: uid(w.township.id), on: '2025-04-01' });
    await w.centre.client.fails('BAD_USER_INPUT', FAIL, { t: uid(w.v1.id), on: '2025-04-01' });
    const q = `query($c: String!) { adminUnit(code: $c) { stationFailures(year: 2025) children { edges { node { code stationFailures(year: 2025) } } } } }`;
    const { adminUnit } = await w.centre.client.ok(q, { c: w.county.code });
    expect(adminUnit.stationFailures).toBe(3);
    expect(Object.fromEntries(adminUnit.children.edges.map(({ node: c }: any) => [c.code, c.stationFailures]))).toEqual({ [w.township.code]: 2, [w.otherTownship.code]: 1 });
    expect((await w.station.client.ok(`query($c: String!) { adminUnit(code: $c) { stationFailures(year: 2025) } }`, { c: w.township.code })).adminUnit.stationFailures).toBe(2);
  });

  test('no N+1: reporterAccountability and stationFailures under a list of townships cost the same for 2 and 5', async ({ app }) => {
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 5) { edges { node { code
      reporterAccountability(year: 2025) { reporter { username } village { code } total consequence } stationFailures(year: 2025) } } } } }`;
    const counts: number[] = [];
    for (const n of [2, 5]) {
      const region = await app.tree.region();
      const county = await region.county();
      await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
      const admin = await app.user(county, ['ORG_ADMIN']);
      for (let i = 0; i < n; i++) {
        const township = await county.township();
        const v = await township.village();
        const r = await app.user(v, ['REPORTER']);
        await admin.client.ok(MISSED, { v: uid(v.id), r: usr(r.id), on: '2025-03-04' });
        await admin.client.ok(`mutation($t: ID!) { recordStationFailure(townshipId: $t, on: "2025-04-01", note: "未上报") }`, { t: uid(township.id) });
      }
      app.sqlCount = 0;
      const r = await admin.client.ok(Q, { c: county.code });
      counts.push(app.sqlCount);
      expect(r.adminUnit.children.edges).toHaveLength(n);
      for (const { node } of r.adminUnit.children.edges) {
        expect(node.reporterAccountability).toEqual([expect.objectContaining({ total: 1, consequence: 'CRITICISM_MONTH_BONUS_WITHHELD' })]);
        expect(node.stationFailures).toBe(1);
      }
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
