import { test, expect, describe, type TestApp } from '@jiceng/testkit';
import { toGlobalId } from '@jiceng/core';
import { ledgerProblems } from '@jiceng/funding';
import { withheldMonths } from '../src/index.js';

const uid = (id: string) => toGlobalId('AdminUnit', id);
const PAY = `mutation($u: ID!, $m: String!, $v: String!, $k: String!, $on: LocalDate) {
  payReporterSubsidies(unitId: $u, month: $m, voucher: $v, idempotencyKey: $k, on: $on) { reporter { username } village { code } month status amount consequence transferId } }`;
let seq = 0;
const key = (p: string) => `${p}-${++seq}-subsidy`;

async function world(app: TestApp, allocation = '3000.00') {
  const region = await app.tree.region();
  const county = await region.county();
  const [t1, t2] = [await county.township(), await county.township()];
  const [v1, v2, v3] = [await t1.village(), await t1.village(), await t2.village()];
  const user = async (unit: { id: string }, username: string) => app.user(unit as any, ['REPORTER'], username);
  const reporters = { clean: await user(v1, `clean${seq}`), once: await user(v1, `once${seq}`), twice: await user(v2, `twice${seq}`), thrice: await user(v2, `thrice${seq}`), other: await user(v3, `other${seq}`), gone: await user(v1, `gone${seq}`) };
  await app.asOwner(async (em) => {
    await em.execute(`update app_user set disabled = true where id = ?`, [reporters.gone.id]);
    const lapse = (r: { id: string }, unit: { id: string }, day: string) => em.execute(
      `insert into reporter_lapse (unit_id, reporter_id, kind, indicator_code, happened_on, note, recorded_by) values (?, ?, 'MISSED', 'PB01-01', ?, 'x', ?)`, [unit.id, r.id, day, r.id]);
    await lapse(reporters.once, v1, '2025-03-15');
    // a late report counts by the day it was observed
    await em.execute(`insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, late)
      values (?, 'PB01-01', 'YELLOW', 'MINOR', 'VILLAGE', 'x', '2025-01-10', ?, 'late-1', true)`, [v2.id, reporters.twice.id]);
    await lapse(reporters.twice, v2, '2025-04-05');
    for (const day of ['2025-02-01', '2025-06-01', '2025-11-20']) await lapse(reporters.thrice, v2, day);
  });
  const regionFinance = await app.user(region, ['FINANCE']);
  const finance = await app.user(county, ['FINANCE']);
  await regionFinance.client.ok(`mutation($r: ID!, $k: String!) { appropriateFunds(regionId: $r, fund: REPORTER_SUBSIDY, year: 2025, amount: "10000.00", idempotencyKey: $k) { id } }`, { r: uid(region.id), k: key('ap') });
  await regionFinance.client.ok(`mutation($f: ID!, $t: ID!, $k: String!, $a: Money!) { allocateFunds(fromUnitId: $f, toUnitId: $t, fund: REPORTER_SUBSIDY, year: 2025, amount: $a, idempotencyKey: $k) { id } }`,
    { f: uid(region.id), t: uid(county.id), k: key('al'), a: allocation });
  const budget = async () => (await app.asOwner((em) => em.execute<{ b: string }[]>(
    `select balance::text as b from account where unit_id = ? and fund = 'REPORTER_SUBSIDY' and year = 2025 and kind = 'BUDGET'`, [county.id])))[0]!.b;
  return { region, county, t1, t2, v1, v2, v3, reporters, finance, regionFinance, budget };
}

const statuses = (lines: any[]) => Object.fromEntries(lines.map((l) => [l.reporter.username.replace(/[0-9]+$/, ''), [l.status, l.amount, l.consequence]]));

describe('the reporters\' monthly subsidy (信息员补贴) through the funding ledger', () => {
  test('withheld months: the month of the first lapse, half a year from the second, the whole year from the third', () => {
    const s = { lateAfterWorkingDays: 2, criticismFrom: 1, countyNoticeFrom: 2, suspensionFrom: 3 };
    expect([...withheldMonths([], s)]).toEqual([]);
    expect([...withheldMonths(['2025-03-15'], s)]).toEqual([3]);
    expect([...withheldMonths(['2025-01-10', '2025-04-05'], s)].sort((a, b) => a - b)).toEqual([1, 4, 5, 6, 7, 8, 9]);
    expect([...withheldMonths(['2025-01-10', '2025-10-05'], s)].sort((a, b) => a - b)).toEqual([1, 10, 11, 12]);
    expect(withheldMonths(['2025-02-01', '2025-06-01', '2025-11-20'], s).size).toBe(12);
  });

  test('county finance pays a township\'s active reporters 180.00 each, less the withheld months, exact to the fen; once per reporter and month', async ({ app }) => {
    const w = await world(app);
    expect(await w.budget()).toBe('300000');
    const march = (await w.finance.client.ok(PAY, { u: uid(w.t1.id), m: '2025-03', v: 'PZ2025-03', k: key('pay'), on: '2025-04-10' })).payReporterSubsidies;
    // the disabled reporter is not listed; the other township's neither
    expect(statuses(march)).toEqual({
      clean: ['PAID', '180.00', null],
      once: ['WITHHELD', '0.00', 'CRITICISM_MONTH_BONUS_WITHHELD'],
      twice: ['PAID', '180.00', 'COUNTY_NOTICE_HALF_YEAR_BONUS'],
      thrice: ['WITHHELD', '0.00', 'SUSPENSION_YEAR_BONUS'],
    });
    expect(await w.budget()).toBe(String(300000 - 2 * 18000));
    // the transfers are the ledger's: DISBURSE of REPORTER_SUBSIDY from the county's budget, with a voucher per reporter
    const t = await app.asOwner((em) => em.execute<any[]>(
      `select t.kind, t.fund, t.amount::text as amount, t.voucher, t.occurred_on::text as on from transfer t where t.fund = 'REPORTER_SUBSIDY' and t.kind = 'DISBURSE' order by t.id`));
    expect(t).toHaveLength(2);
    expect(t[0]).toMatchObject({ kind: 'DISBURSE', fund: 'REPORTER_SUBSIDY', amount: '18000', on: '2025-04-10' });
    expect(t.map((x) => x.voucher)).toEqual(['PZ2025-03/1', 'PZ2025-03/2']);
    // a second run for the month pays nobody twice, whatever its key and voucher
    const again = (await w.finance.client.ok(PAY, { u: uid(w.county.id), m: '2025-03', v: 'PZ2025-03b', k: key('pay'), on: '2025-04-11' })).payReporterSubsidies;
    expect(statuses(again)).toEqual({ ...statuses(march), clean: ['PAID_BEFORE', '0.00', null], twice: ['PAID_BEFORE', '0.00', 'COUNTY_NOTICE_HALF_YEAR_BONUS'], other: ['PAID', '180.00', null] });
    expect(again.find((l: any) => l.reporter.username.startsWith('clean')).transferId).toBe(march.find((l: any) => l.reporter.username.startsWith('clean')).transferId);
    expect(await w.budget()).toBe(String(300000 - 3 * 18000));
    // April: half a year withheld for the second lapse (April–September); the criticism month was March only
    const april = (await w.finance.client.ok(PAY, { u: uid(w.county.id), m: '2025-04', v: 'PZ2025-04', k: key('pay'), on: '2025-05-10' })).payReporterSubsidies;
    expect(statuses(april)).toMatchObject({ clean: ['PAID', '180.00', null], once: ['PAID', '180.00', 'CRITICISM_MONTH_BONUS_WITHHELD'], twice: ['WITHHELD', '0.00', 'COUNTY_NOTICE_HALF_YEAR_BONUS'], thrice: ['WITHHELD', '0.00', 'SUSPENSION_YEAR_BONUS'] });
    expect(await w.budget()).toBe(String(300000 - 6 * 18000));
    // October: the second reporter's half year is over
    const october = (await w.finance.client.ok(PAY, { u: uid(w.t1.id), m: '2025-10', v: 'PZ2025-10', k: key('pay'), on: '2025-11-10' })).payReporterSubsidies;
    expect(statuses(october).twice).toEqual(['PAID', '180.00', 'COUNTY_NOTICE_HALF_YEAR_BONUS']);
    expect(await app.asOwner(ledgerProblems)).toEqual({ entrySum: '0', driftingAccounts: [], unbalancedTransfers: [], rollupDrift: [], awardedTwice: [] });
  });

  test('all or nothing: an empty budget, a used voucher, bad input; the same key again answers as paid before; only county finance in scope', async ({ app }) => {
    const w = await world(app);
    const pay = (client: typeof w.finance.client, vars: Record<string, unknown>) => client.request(PAY, { u: uid(w.t1.id), m: '2025-05', v: 'PZ2025-05', k: key('pay'), on: '2025-06-01', ...vars });
    for (const [field, vars] of [['month', { m: '2025-13' }], ['month', { m: '2099-01' }], ['unitId', { u: uid(w.v1.id) }], ['voucher', { v: ' ' }],
      ['idempotencyKey', { k: 'short' }], ['on', { on: '2025-04-30' }], ['on', { on: '2027-01-01' }]] as const) {
      expect((await pay(w.finance.client, vars)).errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    await app.user(w.county, ['ORG_ADMIN']).then((u) => u.client.fails('FORBIDDEN', PAY, { u: uid(w.t1.id), m: '2025-05', v: 'x', k: key('pay') }));
    const otherCounty = await app.user(await w.region.county(), ['FINANCE']);
    expect((await pay(otherCounty.client, {})).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // the same key again: paid before, nothing posted
    const k = key('pay');
    const first = await pay(w.finance.client, { k });
    expect(first.errors).toBeUndefined();
    const paid = first.data.payReporterSubsidies.filter((l: any) => l.status === 'PAID').map((l: any) => l.transferId);
    const retried = await pay(w.finance.client, { k });
    expect(retried.data.payReporterSubsidies.filter((l: any) => l.status === 'PAID_BEFORE').map((l: any) => l.transferId)).toEqual(paid);
    // the voucher served that run: another run with it is CONFLICT, nothing paid
    const before = await w.budget();
    const clash = await pay(w.finance.client, { u: uid(w.t2.id), m: '2025-06', v: 'PZ2025-05' , on: '2025-07-01' });
    expect(clash.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'voucher' });
    expect(await w.budget()).toBe(before);
    expect((await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from reporter_subsidy where month = '2025-06-01'`)))[0]!.n).toBe(0);
    // more than the budget holds (two reporters due in May, 200.00 left): INSUFFICIENT_FUNDS, nothing paid
    const poor = await world(app, '200.00');
    const short = await poor.finance.client.request(PAY, { u: uid(poor.t1.id), m: '2025-05', v: 'PZ2025-05', k: key('pay'), on: '2025-06-01' });
    expect(short.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect(await poor.budget()).toBe('20000');
    expect((await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from reporter_subsidy where unit_path <@ ?::ltree`, [poor.region.path])))[0]!.n).toBe(0);
  });
});
