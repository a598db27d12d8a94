import { executeBound, inScope } from '@jiceng/db';
import { test, expect, describe, type TestApp, type TestUser } from '@jiceng/testkit';
import { allocateAwardQuota, appropriate, grantAward, reverseTransfer } from '../src/funding.service.js';
import { checkLedgerAfterAll, key, principalOf as principal, UNIT_ID as ID } from './support.js';

const track = checkLedgerAfterAll();

/** Cases in a state that qualifies for the award (transformed or later). */
const transformed = (app: TestApp, villageIds: string[]) =>
  app.asOwner((em) => executeBound(em, `insert into rectification_case (unit_id, year, state) select unnest($1::bigint[]), 2025, 'TRANSFORMED'`, [villageIds]));
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as any)?.extensions?.code ?? String(r.reason) : 'OK');
const AWARD = 10_000_000n; // 100,000.00 yuan, the default standard

async function fundPool(app: TestApp, regionFinance: TestUser, regionId: string, year: number, fen: bigint) {
  await inScope(app.orm, [regionFinance.unit.path], (em) => appropriate(em, principal(regionFinance), { regionId, fund: 'AWARD', year, amount: fen, key: key('pool') }));
}

describe('the award (以奖代补): once per village, ever', () => {
  test('grants for the same village in different years at once: exactly one is paid, and the database refuses a second award however it is written', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const township = await (await region.county()).township();
    const villages = [await township.village(), await township.village(), await township.village(), await township.village(), await township.village()];
    const finance = await app.user(region, ['FINANCE']);
    for (const year of [2038, 2039, 2040]) await fundPool(app, finance, region.id, year, 20n * AWARD);
    await transformed(app, villages.map((v) => v.id));
    // every village: 6 grants at once, for three years under different keys (the pool locks differ by year)
    const results = await Promise.allSettled(villages.flatMap((v) => [2038, 2039, 2040, 2038, 2039, 2040].map((year) =>
      inScope(app.orm, [region.path], (em) => grantAward(em, principal(finance), { villageId: v.id, year, key: key('aw') })))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(villages.length);
    expect(new Set(results.map(codeOf))).toEqual(new Set(['OK', 'CONFLICT']));
    const [paid] = await app.asOwner((em) => executeBound<{ n: number; villages: number }>(em,
      `select count(*)::int as n, count(distinct unit_id)::int as villages from transfer where kind = 'AWARD' and unit_id = any($1::bigint[])`, [villages.map((v) => v.id)]));
    expect(paid).toEqual({ n: villages.length, villages: villages.length });

    // written past the posting function (as the owner), a second award still meets the constraint
    const second = app.asOwner(async (em) => {
      await em.execute(`select set_config('app.scopes', ?, true)`, [`{${region.path}}`]);
      await em.execute(`insert into transfer (idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year, unit_id, unit_path, county_id, occurred_on)
        select 'raw-second-award', 'x', kind, debit_account, credit_account, debit_path, credit_path, amount, fund, 2041, unit_id, unit_path, county_id, occurred_on
          from transfer where kind = 'AWARD' and unit_id = ? limit 1`, [villages[0]!.id]);
    });
    await expect(second).rejects.toThrow(/award_grant_once/);
  });

  test('a reversed award allows a new one; the reversal of a county grant returns the county\'s quota', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const county = await region.county();
    const village = await (await county.township()).village();
    const regionFinance = await app.user(region, ['FINANCE']);
    const countyFinance = await app.user(county, ['FINANCE']);
    await fundPool(app, regionFinance, region.id, 2025, 3n * AWARD);
    await inScope(app.orm, [region.path], (em) => allocateAwardQuota(em, principal(regionFinance), { countyId: county.id, year: 2025, amount: AWARD, key: key('q') }));
    await transformed(app, [village.id]);
    const grant = (year: number) => inScope(app.orm, [county.path], (em) => grantAward(em, principal(countyFinance), { villageId: village.id, year, key: key('aw') }));
    const first = await grant(2025);
    await expect(grant(2026)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    // the county's quota is spent: only the region's pool holds money now
    const pools = () => app.asOwner((em) => em.execute<{ unit_id: string; balance: string }[]>(
      `select unit_id::text, balance::text from account where fund = 'AWARD' and kind = 'POOL' and year = 2025 and unit_id in (?, ?) order by unit_id`, [region.id, county.id]));
    expect(Object.fromEntries((await pools()).map((p) => [p.unit_id, p.balance]))).toEqual({ [region.id]: String(2n * AWARD), [county.id]: '0' });
    await inScope(app.orm, [region.path], (em) => reverseTransfer(em, principal(regionFinance), { transferId: first.id, reason: '误发', key: key('rev') }));
    expect(Object.fromEntries((await pools()).map((p) => [p.unit_id, p.balance]))).toEqual({ [region.id]: String(2n * AWARD), [county.id]: String(AWARD) });
    await grant(2025);
  });

  test('over HTTP: county finance grants from the quota the region gave its county; a second award to the village in any year is CONFLICT; the pool and quotas are never exceeded', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const county = await region.county();
    const other = await region.county();
    const villages = [await (await county.township()).village(), await (await county.township()).village()];
    const regionFinance = await app.user(region, ['FINANCE']);
    const countyFinance = await app.user(county, ['FINANCE']);
    const countyAdmin = await app.user(county, ['ORG_ADMIN']);
    const id = async (u: TestUser, code: string) => (await u.client.ok(ID, { c: code })).adminUnit.id as string;
    const [regionId, countyId, otherId] = [await id(regionFinance, region.code), await id(regionFinance, county.code), await id(regionFinance, other.code)];
    const [v1, v2] = [await id(countyFinance, villages[0]!.code), await id(countyFinance, villages[1]!.code)];
    await transformed(app, villages.map((v) => v.id));
    const GRANT = `mutation($v: ID!, $y: Int!, $k: String!) { grantAward(villageId: $v, year: $y, idempotencyKey: $k) { amount village { code } } }`;
    const QUOTA = `mutation($c: ID!, $a: Money!, $k: String!) { allocateAwardQuota(countyId: $c, year: 2025, amount: $a, idempotencyKey: $k) { amount fund unit { code } village { code } } }`;
    // no quota yet: nothing to draw from (no more "region not found")
    expect((await countyFinance.client.fails('INSUFFICIENT_FUNDS', GRANT, { v: v1, y: 2025, k: key('g') })).extensions).toMatchObject({ available: '0.00' });
    await regionFinance.client.ok(`mutation($r: ID!, $k: String!) { appropriateFunds(regionId: $r, fund: AWARD, year: 2025, amount: "250000.00", idempotencyKey: $k) { id } }`, { r: regionId, k: key('ap') });
    const quota = await regionFinance.client.ok(QUOTA, { c: countyId, a: '100000.00', k: key('q') });
    expect(quota.allocateAwardQuota).toEqual({ amount: '100000.00', fund: 'AWARD', unit: { code: county.code }, village: null });
    // the pool holds 150,000 more: a quota of 200,000 would exceed it
    await regionFinance.client.fails('INSUFFICIENT_FUNDS', QUOTA, { c: otherId, a: '200000.00', k: key('q') });
    // only the region gives quotas; a county user cannot see the region's pool
    await countyFinance.client.fails('NOT_FOUND', QUOTA, { c: countyId, a: '1.00', k: key('q') });
    await regionFinance.client.fails('BAD_USER_INPUT', QUOTA, { c: regionId, a: '1.00', k: key('q') });

    const granted = await countyFinance.client.ok(GRANT, { v: v1, y: 2025, k: key('g') });
    expect(granted.grantAward).toEqual({ amount: '100000.00', village: { code: villages[0]!.code } });
    const again = await countyFinance.client.fails('CONFLICT', GRANT, { v: v1, y: 2026, k: key('g') });
    expect(again.message).toMatch(/once per village/);
    await countyFinance.client.fails('CONFLICT', GRANT, { v: v1, y: 2025, k: key('g') });
    // the county's quota (one award) is used up; the organization department draws on the same quota
    await countyAdmin.client.fails('INSUFFICIENT_FUNDS', GRANT, { v: v2, y: 2025, k: key('g') });
    await regionFinance.client.ok(QUOTA, { c: countyId, a: '100000.00', k: key('q') });
    await countyAdmin.client.ok(GRANT, { v: v2, y: 2025, k: key('g') });
  });

  test('200 grants at once across four counties: each county\'s quota and the region\'s pool hold exactly, one award per village', async ({ app }) => {
    track(app);
    const region = await app.tree.region();
    const regionFinance = await app.user(region, ['FINANCE']);
    const counties = [];
    for (let c = 0; c < 4; c++) {
      const county = await region.county();
      const township = await county.township();
      const villages = [];
      for (let v = 0; v < 10; v++) villages.push(await township.village());
      counties.push({ county, villages, finance: await app.user(county, ['FINANCE']) });
    }
    await transformed(app, counties.flatMap((c) => c.villages.map((v) => v.id)));
    // 2025: a pool of 30 awards, 7 to each county (2 stay with the region); 2026: 4 awards, 1 to each county
    await fundPool(app, regionFinance, region.id, 2025, 30n * AWARD);
    await fundPool(app, regionFinance, region.id, 2026, 4n * AWARD);
    const quota = (countyId: string, year: number, awards: bigint) => inScope(app.orm, [region.path], (em) =>
      allocateAwardQuota(em, principal(regionFinance), { countyId, year, amount: awards * AWARD, key: key('q') }));
    await Promise.all(counties.map((c) => quota(c.county.id, 2025, 7n)));
    // 2 awards are left in the pool: a quota of 3 would exceed it
    await expect(quota(counties[0]!.county.id, 2025, 3n)).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_FUNDS', available: '200000.00' } });
    await Promise.all(counties.map((c) => quota(c.county.id, 2026, 1n)));

    // each village: 5 grants by its county's finance, for 2025 and 2026 in turn
    const attempts = counties.flatMap((c) => c.villages.flatMap((v) => [2025, 2026, 2025, 2026, 2025].map((year) => ({ c, v, year }))));
    expect(attempts).toHaveLength(200);
    const results = await Promise.allSettled(attempts.map(({ c, v, year }) =>
      inScope(app.orm, [c.county.path], (em) => grantAward(em, principal(c.finance), { villageId: v.id, year, key: key('race') }))));
    expect(new Set(results.map(codeOf))).toEqual(new Set(['OK', 'CONFLICT', 'INSUFFICIENT_FUNDS']));

    const rows = await app.asOwner((em) => em.execute<{ county: string; year: number; awards: number; villages: number }[]>(
      `select county_id::text as county, year, count(*)::int as awards, count(distinct unit_id)::int as villages from transfer
        where kind = 'AWARD' and unit_path <@ ?::ltree group by county_id, year`, [region.path]));
    const paid = (countyId: string, year: number) => rows.find((r) => r.county === countyId && r.year === year)?.awards ?? 0;
    for (const c of counties) {
      // every quota is drawn in full (more villages than awards) and never beyond
      expect(paid(c.county.id, 2025)).toBe(7);
      expect(paid(c.county.id, 2026)).toBe(1);
    }
    const [once] = await app.asOwner((em) => em.execute<{ awards: number; villages: number }[]>(
      `select count(*)::int as awards, count(distinct unit_id)::int as villages from transfer where kind = 'AWARD' and unit_path <@ ?::ltree`, [region.path]));
    expect(once).toEqual({ awards: 32, villages: 32 });
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(once!.awards);
    // the pools: what was appropriated, less the quotas given; county pools emptied
    const pools = await app.asOwner((em) => em.execute<{ unit_id: string; year: number; balance: string }[]>(
      `select unit_id::text, year, balance::text from account where fund = 'AWARD' and kind = 'POOL' and unit_path <@ ?::ltree and balance <> 0`, [region.path]));
    expect(pools).toEqual([{ unit_id: region.id, year: 2025, balance: String(2n * AWARD) }]);
  });
});
