// The service's "today" follows JICENG_TIME_ZONE in JavaScript and in every database session. Here the
// zone is set far east (Pacific/Kiritimati, UTC+14): from 10:00 UTC on, its date is UTC's tomorrow, so a
// service that used UTC's date (JavaScript's toISOString or a session in the server's default zone)
// refuses that zone's today as "in the future" and dates defaulted transfers a day early.
const ZONE = 'Pacific/Kiritimati';
const before = process.env.JICENG_TIME_ZONE;
process.env.JICENG_TIME_ZONE = ZONE; // before the file's app (and its pools) start

import { addDays, toGlobalId, today } from '@jiceng/core';
import { executeBound, inScope, withClient } from '@jiceng/db';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '@jiceng/warning';
import { afterAll, describe, expect, test } from '@jiceng/testkit';

afterAll(() => {
  if (before === undefined) delete process.env.JICENG_TIME_ZONE;
  else process.env.JICENG_TIME_ZONE = before;
});

const SESSION = `select current_setting('TimeZone') as zone, current_date::text as d, to_char(now(), 'YYYY-MM-DD') as "nowDay"`;

describe('JICENG_TIME_ZONE: today is the configured zone\'s date', () => {
  test('every session the service opens runs in the zone: the API pool, the owner pool, single clients', async ({ app }) => {
    const [api] = await inScope(app.orm, ['cn'], (em) => executeBound<{ zone: string; d: string; nowDay: string }>(em, SESSION, []));
    const expected = today(ZONE);
    expect(api).toEqual({ zone: ZONE, d: expect.any(String), nowDay: expect.any(String) });
    // the date may turn between the two reads: the session's date is the helper's, read just before or after
    expect([expected, today(ZONE)]).toContain(api!.d);
    expect(api!.nowDay).toBe(api!.d);
    const [owner] = await app.asOwner((em) => executeBound<{ zone: string; d: string }>(em, SESSION, []));
    expect(owner!.zone).toBe(ZONE);
    const single = await withClient(app.db.ownerUrl, async (c) => (await c.query<{ zone: string }>(SESSION)).rows[0]!);
    expect(single.zone).toBe(ZONE);
  });

  test('a report observed on the zone\'s today is accepted even while UTC\'s date is yesterday; the day after is refused', async ({ app }) => {
    const region = await app.tree.region();
    const village = await (await (await region.county()).township()).village();
    await app.asOwner((em) => insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG)));
    const reporter = await app.user(village, ['REPORTER']);
    const REPORT = `mutation($i: ReportWarningInput!) { reportWarning(input: $i) { id observedOn } }`;
    const report = (observedOn: string, key: string) => reporter.client.request(REPORT, {
      i: { villageId: toGlobalId('AdminUnit', village.id), indicatorCode: 'PB01-01', level: 'YELLOW', severity: 'ORDINARY', facts: '班子成员不团结', observedOn, idempotencyKey: key },
    });
    let day = today(ZONE);
    let accepted = await report(day, 'tz-today');
    // the zone's date may turn between reading it and the API's check: then once more with the new date
    if (accepted.errors && today(ZONE) !== day) {
      day = today(ZONE);
      accepted = await report(day, 'tz-today-again');
    }
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.reportWarning.observedOn).toBe(day);
    const refused = await report(addDays(today(ZONE), 1), 'tz-tomorrow');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'observedOn' });
  });

  test('a transfer given no date is dated the zone\'s today (JavaScript\'s today, not UTC\'s)', async ({ app }) => {
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    const { adminUnit } = await finance.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: region.code });
    const day = today(ZONE);
    const { appropriateFunds: t } = await finance.client.ok(
      `mutation($r: ID!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: ${Number(day.slice(0, 4))}, amount: "100.00", idempotencyKey: $k) { occurredOn } }`,
      { r: adminUnit.id, k: 'tz-appropriate' },
    );
    expect([day, today(ZONE)]).toContain(t.occurredOn);
  });
});
