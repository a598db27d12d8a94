import { inScope } from '@jiceng/db';
import { currentYear } from '@jiceng/core';
import type { Principal } from '@jiceng/tenancy';
import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { allocate, appropriate, compactFundRollup, disburse, grantAward, spend } from '../src/funding.service.js';
import { expectLedgerConsistent, key } from './support.js';


async function world(app: TestApp) {
  const region = await app.tree.region();
  const countyA = await region.county();
  const countyB = await region.county();
  const township = await countyA.township();
  const village = await township.village();
  const villageB = await (await countyB.township()).village();
  const admin = await app.user(region, ['ORG_ADMIN', 'FINANCE']);
  const p: Principal = { userId: admin.id, username: admin.username, displayName: admin.username, unitId: region.id, unitPath: region.path, roles: admin.roles, scopes: [region.path] };
  return { region, countyA, countyB, township, village, villageB, admin, p };
}

const SUMMARY = `query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } } } }`;

describe('fundsSummary', () => {
  test('region, county, township and village figures follow allocations, payments, spending, awards and a cross-county move', async ({ app }) => {
    const w = await world(app);
    const as = <T>(fn: (em: any) => Promise<T>) => inScope(app.orm, [w.region.path], fn);
    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year: 2025, amount: 1_000_000n, key: key('ap') }));
    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: w.countyA.id, fund: 'OFFICE', year: 2025, amount: 300_000n, key: key('al') }));
    await as((em) => allocate(em, w.p, { fromId: w.countyA.id, toId: w.village.id, fund: 'OFFICE', year: 2025, amount: 200_000n, key: key('al') }));
    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: w.villageB.id, fund: 'OFFICE', year: 2025, amount: 50_000n, key: key('al') }));
    await as((em) => disburse(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount: 120_000n, voucher: 'PZ-1', on: '2025-04-01', key: key('d') }));
    await as((em) => spend(em, w.p, { villageId: w.village.id, fund: 'OFFICE', year: 2025, amount: 20_000n, category: '办公', receipt: 'SJ-1', on: '2025-05-01', key: key('s') }));
    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'AWARD', year: 2025, amount: 10_000_000n, key: key('pool') }));
    await app.asOwner((em) => em.execute(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED')`, [w.village.id]));
    await as((em) => grantAward(em, w.p, { villageId: w.village.id, year: 2025, key: key('aw') }));

    const summary = async (code: string) => (await w.admin.client.ok(SUMMARY, { c: code })).adminUnit.fundsSummary;
    const office = (s: any) => s.byFund.find((f: any) => f.fund === 'OFFICE');
    // the region: everything appropriated; paid 1,200 + the award; 200 spent
    expect(office(await summary(w.region.code))).toEqual({ fund: 'OFFICE', allocated: '10000.00', disbursed: '1200.00', spent: '200.00', balance: '9800.00' });
    expect(await summary(w.region.code)).toMatchObject({ allocated: '110000.00', disbursed: '101200.00', spent: '200.00', balance: '109800.00' });
    // county A: 3,000 came in (the region's 2,000 to the village passed through it) plus the award
    expect(await summary(w.countyA.code)).toMatchObject({ allocated: '103000.00', disbursed: '101200.00', spent: '200.00', balance: '102800.00' });
    expect(await summary(w.countyB.code)).toMatchObject({ allocated: '500.00', disbursed: '0.00', spent: '0.00', balance: '500.00' });
    expect(await summary(w.township.code)).toMatchObject({ allocated: '102000.00', disbursed: '101200.00', spent: '200.00', balance: '101800.00' });
    expect(await summary(w.village.code)).toMatchObject({ allocated: '102000.00', disbursed: '101200.00', spent: '200.00', balance: '101800.00' });

    // compaction folds the pending deltas and changes no figure
    const folded = await inScope(app.orm, ['cn'], compactFundRollup);
    expect(folded).toBeGreaterThan(0);
    expect(await summary(w.countyA.code)).toMatchObject({ allocated: '103000.00', balance: '102800.00' });

    // 撤乡并镇 across counties: the township and its village now belong to county B, but 2025 ended
    // before the move: its figures stay with county A, where they were (issue 11, "history stays true")
    await w.admin.client.ok(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`, {
      u: (await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: w.township.code })).adminUnit.id,
      p: (await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: w.countyB.code })).adminUnit.id,
    });
    const countyA2025 = { allocated: '103000.00', disbursed: '101200.00', spent: '200.00', balance: '102800.00' };
    expect(await summary(w.countyA.code)).toMatchObject(countyA2025);
    expect(await summary(w.countyB.code)).toMatchObject({ allocated: '500.00', disbursed: '0.00', spent: '0.00', balance: '500.00' });
    expect(await summary(w.township.code)).toMatchObject({ allocated: '102000.00', balance: '101800.00' });
    expect(await summary(w.region.code)).toMatchObject({ allocated: '110000.00', balance: '109800.00' });
    await inScope(app.orm, ['cn'], compactFundRollup);
    expect(await summary(w.countyA.code)).toMatchObject(countyA2025);
    expect(await summary(w.countyB.code)).toMatchObject({ allocated: '500.00', balance: '500.00' });
    // this year is counted on today's tree: money the moved village gets now counts in county B
    const year = currentYear();
    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year, amount: 100_000n, key: key('ap') }));
    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: w.village.id, fund: 'OFFICE', year, amount: 7_000n, key: key('al') }));
    const NOW = `query($c: String!, $y: Int!) { adminUnit(code: $c) { fundsSummary(year: $y) { allocated } } }`;
    const now = async (code: string) => (await w.admin.client.ok(NOW, { c: code, y: year })).adminUnit.fundsSummary.allocated;
    expect([await now(w.countyA.code), await now(w.countyB.code)]).toEqual(['0.00', '70.00']);
    await expectLedgerConsistent(app);
  });

  test('a village moved to another township: its 2025 funds stay with the township it belonged to in 2025', async ({ app }) => {
    const w = await world(app);
    const as = <T>(fn: (em: any) => Promise<T>) => inScope(app.orm, [w.region.path], fn);
    const other = await w.countyA.township();
    const stays = await w.township.village();
    await as((em) => appropriate(em, w.p, { regionId: w.region.id, fund: 'OFFICE', year: 2025, amount: 1_000_000n, key: key('ap') }));
    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: w.village.id, fund: 'OFFICE', year: 2025, amount: 5_480_000n / 100n, key: key('al') }));
    await as((em) => allocate(em, w.p, { fromId: w.region.id, toId: stays.id, fund: 'OFFICE', year: 2025, amount: 20_000n, key: key('al') }));
    const summary = async (code: string) => (await w.admin.client.ok(SUMMARY, { c: code })).adminUnit.fundsSummary.allocated;
    expect([await summary(w.township.code), await summary(other.code)]).toEqual(['748.00', '0.00']);
    const id = async (code: string) => (await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: code })).adminUnit.id;
    await w.admin.client.ok(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`, { u: await id(w.village.code), p: await id(other.code) });
    expect([await summary(w.township.code), await summary(other.code), await summary(w.countyA.code)]).toEqual(['748.00', '0.00', '748.00']);
    expect(await summary(w.village.code)).toBe('548.00');
  });

  test('a county sees its own figures; a unit outside the caller\'s scope has no summary', async ({ app }) => {
    const w = await world(app);
    const countyUser = await app.user(w.countyB, ['FINANCE']);
    expect((await countyUser.client.ok(SUMMARY, { c: w.countyB.code })).adminUnit.fundsSummary).toMatchObject({ allocated: '0.00', balance: '0.00' });
    expect((await countyUser.client.ok(SUMMARY, { c: w.countyA.code })).adminUnit).toBeNull();
    const reporter = await app.user(w.countyB, ['REPORTER']);
    await reporter.client.fails('FORBIDDEN', SUMMARY, { c: w.countyB.code });
  });
});
