import { badInput, localDate, notFound, type Fen } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertYear } from '@jiceng/rectification';
import { assertCan, isWithin, requireUnit, requireVillage, requireVillages, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { FUNDS, TRANSFER_KINDS, post, postMany, reverse, transferById, assertKey, type Fund, type TransferKind, type TransferRow, type TransferSpec } from './ledger.service.js';
import { defaultStandard, fundStandardsOn, fundStandardsUnder, setFundStandards, type StandardField } from './standards.js';

const todayIso = () => new Date().toISOString().slice(0, 10);

export function assertFund(fund: string, field = 'fund'): Fund {
  if (!(FUNDS as readonly string[]).includes(fund)) throw badInput(field, `must be one of ${FUNDS.join(', ')}`);
  return fund as Fund;
}
/**
 * A yyyy-mm-dd date, or today when none is given. A transfer of a fund year (`year`) must be dated in
 * that year or the next (year-end settlement, corrections): a date the caller gives outside is refused.
 */
export function assertDate(d: string | null | undefined, field: string, year?: number): string {
  if (d == null) return todayIso();
  return localDate(d, field, year == null ? undefined : fundYearWindow(year));
}

export const fundYearWindow = (year: number) => ({ from: `${year}-01-01`, to: `${year + 1}-12-31` });

/** Money enters at a region: from its appropriation source into its budget (or, for AWARD, its pool). */
export async function appropriate(em: EntityManager, p: Principal, i: { regionId: string; fund: string; year: number; amount: Fen; key: string; on?: string | null }) {
  const fund = assertFund(i.fund);
  assertYear(i.year);
  const region = await requireUnit(em, i.regionId, 'regionId');
  assertCan(p, 'funding:appropriate', { path: region.path, what: 'admin unit' });
  if (region.level !== 'REGION') throw badInput('regionId', 'appropriations are made at a region');
  return post(em, {
    key: i.key, kind: 'APPROPRIATE', fund, year: i.year, amount: i.amount, occurredOn: assertDate(i.on, 'on', i.year), userId: p.userId,
    debit: { unit: region, kind: 'SOURCE' }, credit: { unit: region, kind: fund === 'AWARD' ? 'POOL' : 'BUDGET' },
  });
}

/** Allocates budget from a unit to one below it (region → county → township → village). */
export async function allocate(em: EntityManager, p: Principal, i: { fromId: string; toId: string; fund: string; year: number; amount: Fen; key: string; on?: string | null }) {
  const fund = assertFund(i.fund);
  if (fund === 'AWARD') throw badInput('fund', 'awards are granted with grantAward');
  assertYear(i.year);
  const from = await requireUnit(em, i.fromId, 'fromUnitId');
  const to = await requireUnit(em, i.toId, 'toUnitId');
  assertCan(p, 'funding:allocate', { path: from.path, what: 'admin unit' });
  assertCan(p, 'funding:allocate', { path: to.path, what: 'admin unit' });
  if (!isWithin(to.path, from.path) || to.id === from.id) throw badInput('toUnitId', 'budgets are allocated down the tree, to a unit below');
  return post(em, {
    key: i.key, kind: 'ALLOCATE', fund, year: i.year, amount: i.amount, occurredOn: assertDate(i.on, 'on', i.year), userId: p.userId,
    debit: { unit: from, kind: 'BUDGET' }, credit: { unit: to, kind: 'BUDGET' },
  });
}

/**
 * "Every village in this county gets its office funds per the standard": one transfer per village,
 * from the unit's budget, all or nothing. OFFICE uses the per-village standard, ACTIVITY 300 × members.
 */
export async function allocateByStandard(em: EntityManager, p: Principal, i: { fromId: string; fund: string; year: number; key: string; on?: string | null }) {
  const fund = assertFund(i.fund);
  assertYear(i.year);
  const from = await requireUnit(em, i.fromId, 'fromUnitId');
  assertCan(p, 'funding:allocate', { path: from.path, what: 'admin unit' });
  if (from.level === 'VILLAGE') throw badInput('fromUnitId', 'budgets are allocated by standard from a unit above the villages');
  assertKey(i.key);
  const on = assertDate(i.on, 'on', i.year);
  const villages = await em.execute<{ id: string; path: string; party_members: number | null }[]>(
    `select id, path::text as path, party_members from admin_unit where path <@ ?::ltree and level = 'VILLAGE' and not urban order by code`,
    [from.path],
  );
  if (!villages.length) throw badInput('fromUnitId', 'no villages below this unit');
  const stdKey = fund === 'ACTIVITY' ? 'ACTIVITY_PER_MEMBER' : fund;
  if (fund === 'AWARD') throw badInput('fund', 'awards are granted with grantAward');
  const standardOf = await fundStandardsUnder(em, from.path, stdKey, `${i.year}-01-01`);
  const specs: TransferSpec[] = [];
  for (const v of villages) {
    const per = standardOf(v.path);
    const amount = fund === 'ACTIVITY' ? per * BigInt(v.party_members ?? 0) : per;
    if (amount <= 0n) continue;
    specs.push({
      key: `${i.key}:${v.id}`, kind: 'ALLOCATE', fund, year: i.year, amount, occurredOn: on, userId: p.userId,
      debit: { unit: from, kind: 'BUDGET' }, credit: { unit: { id: String(v.id), path: v.path }, kind: 'BUDGET' },
    });
  }
  return postMany(em, specs);
}

export interface DisbursementInput { villageId: string; fund: string; year: number; amount: Fen; voucher: string; on: string; key: string }

/** 拨付: county finance pays a village's allocated budget, with voucher number and date. */
export async function disburse(em: EntityManager, p: Principal, i: DisbursementInput) {
  return (await disburseMany(em, p, [i], (_k, name) => name))[0]!;
}

export const MAX_BATCH = 1000;

/**
 * A batch of disbursements (a county paying many villages at once): validated together, posted in
 * order in one round trip, all or nothing. Errors name the item: `items[3].voucher`.
 */
export async function disburseMany(em: EntityManager, p: Principal, items: readonly DisbursementInput[],
  field: (k: number, name: string) => string = (k, name) => `items[${k}].${name}`) {
  if (!items.length) throw badInput('items', 'at least one disbursement');
  if (items.length > MAX_BATCH) throw badInput('items', `at most ${MAX_BATCH} disbursements per batch`);
  const checked = items.map((i, k) => {
    const fund = assertFund(i.fund, field(k, 'fund'));
    assertYear(i.year, field(k, 'year'));
    if (!i.voucher?.trim()) throw badInput(field(k, 'voucher'), 'the voucher number is required');
    return { ...i, fund, voucher: i.voucher.trim(), on: assertDate(i.on, field(k, 'on'), i.year) };
  });
  const villages = await requireVillages(em, items.map((i) => i.villageId), (k) => field(k, 'villageId'));
  for (const v of villages) assertCan(p, 'funding:disburse', { path: v.path, what: 'village' });
  return postMany(em, checked.map((i, k) => ({
    key: i.key, kind: 'DISBURSE' as const, fund: i.fund, year: i.year, amount: i.amount, occurredOn: i.on, voucher: i.voucher, userId: p.userId,
    debit: { unit: villages[k]!, kind: 'BUDGET' as const }, credit: { unit: villages[k]!, kind: 'CASH' as const },
  })));
}

/** 村财乡管: the township records what a village spent, by category, with a receipt reference. */
export async function spend(em: EntityManager, p: Principal, i: { villageId: string; fund: string; year: number; amount: Fen; category: string; receipt: string; on: string; key: string }) {
  const fund = assertFund(i.fund);
  assertYear(i.year);
  if (!i.category?.trim()) throw badInput('category', 'required');
  if (!i.receipt?.trim()) throw badInput('receipt', 'the receipt reference is required');
  const village = await requireVillage(em, i.villageId);
  assertCan(p, 'funding:spend', { path: village.path, what: 'village' });
  return post(em, {
    key: i.key, kind: 'SPEND', fund, year: i.year, amount: i.amount, occurredOn: assertDate(i.on, 'on', i.year), category: i.category.trim(),
    receipt: i.receipt.trim(), userId: p.userId, debit: { unit: village, kind: 'CASH' }, credit: { unit: village, kind: 'SPENT' },
  });
}

/**
 * 以奖代补: the one-time award, only for a village whose case is transformed or later, drawn from the
 * region's pool (never exceeded). A second award is refused.
 */
export async function grantAward(em: EntityManager, p: Principal, i: { villageId: string; year: number; key: string; on?: string | null }) {
  assertYear(i.year);
  const village = await requireVillage(em, i.villageId);
  assertCan(p, 'funding:award', { path: village.path, what: 'village' });
  const [transformed] = await em.execute(
    `select 1 from rectification_case where unit_id = ? and state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED') limit 1`,
    [village.id],
  );
  if (!transformed) throw badInput('villageId', 'the award goes only to a village whose case is transformed or later');
  const regionPath = village.path.split('.').slice(0, 2).join('.');
  const [region] = await em.execute<{ id: string }[]>(`select id from admin_unit where path = ?::ltree`, [regionPath]);
  if (!region) throw notFound('region');
  const on = assertDate(i.on, 'on', i.year);
  const { award: amount } = await fundStandardsOn(em, village.path, on);
  return post(em, {
    key: i.key, kind: 'AWARD', fund: 'AWARD', year: i.year, amount, occurredOn: on, userId: p.userId,
    debit: { unit: { id: String(region.id), path: regionPath }, kind: 'POOL' }, credit: { unit: village, kind: 'CASH' },
  });
}

/** A region's funding standards from a date on (those given; the others keep theirs); returns those in force that day. */
export async function setRegionStandards(em: EntityManager, p: Principal, i: { regionId: string; effectiveOn: string; values: Partial<Record<StandardField, bigint | null>> }) {
  const region = await requireUnit(em, i.regionId, 'regionId');
  assertCan(p, 'funding:configure', { path: region.path, what: 'admin unit' });
  if (region.level !== 'REGION') throw badInput('regionId', 'funding standards are set per region');
  const effectiveOn = assertDate(i.effectiveOn, 'effectiveOn');
  for (const f of ['venueFarmingM2', 'venuePastoralM2'] as const) {
    const m2 = i.values[f];
    if (m2 != null && (m2 < 1n || m2 > 100_000n)) throw badInput(f, 'must be a whole number of m² from 1 to 100,000');
  }
  await setFundStandards(em, region, effectiveOn, i.values);
  return fundStandardsOn(em, region.path, effectiveOn);
}

export async function reverseTransfer(em: EntityManager, p: Principal, i: { transferId: string; reason: string; key: string; on?: string | null }) {
  if (!i.reason?.trim()) throw badInput('reason', 'say why');
  const t = /^\d{1,18}$/.test(i.transferId) ? await transferById(em, i.transferId) : null;
  if (!t) throw notFound('transfer');
  assertCan(p, 'funding:reverse', { path: t.debit_path, what: 'transfer' });
  assertCan(p, 'funding:reverse', { path: t.credit_path, what: 'transfer' });
  return reverse(em, t, i.key, i.reason.trim(), p.userId, assertDate(i.on, 'on', t.year));
}

export interface FundsFigures {
  fund: string;
  year: number;
  allocated: bigint;
  disbursed: bigint;
  spent: bigint;
  balance: bigint;
}

/**
 * Allocated into, disbursed, spent and held in a subtree, by fund and year, from account balances:
 * money only moves down the tree (reversals net out), so what was allocated into a subtree is what
 * its non-SOURCE accounts hold; village CASH plus SPENT is what was paid to villages. At county level
 * and above it reads the per-county rollup (compacted rows plus pending deltas), not every account.
 */
export async function fundsSummary(em: EntityManager, unit: Pick<AdminUnitRow, 'path' | 'level'>, year: number | null): Promise<FundsFigures[]> {
  const rolledUp = unit.level === 'COUNTRY' || unit.level === 'REGION' || unit.level === 'COUNTY';
  const rows = await em.execute<{ fund: string; year: number; kind: string; amount: string }[]>(
    rolledUp
      ? `select fund, year, kind, sum(amount)::text as amount from (
           select fund, year, kind, amount from fund_rollup where unit_path <@ ?::ltree and (?::int is null or year = ?)
           union all
           select fund, year, kind, amount from fund_rollup_delta where unit_path <@ ?::ltree and (?::int is null or year = ?)) r
         group by fund, year, kind`
      : `select fund, year, kind, sum(balance)::text as amount from account
          where unit_path <@ ?::ltree and (?::int is null or year = ?) group by fund, year, kind`,
    rolledUp ? [unit.path, year, year, unit.path, year, year] : [unit.path, year, year],
  );
  const out = new Map<string, FundsFigures>();
  for (const r of rows) {
    const key = `${r.fund}:${r.year}`;
    if (!out.has(key)) out.set(key, { fund: r.fund, year: r.year, allocated: 0n, disbursed: 0n, spent: 0n, balance: 0n });
    const f = out.get(key)!;
    const amount = BigInt(r.amount);
    if (r.kind !== 'SOURCE') f.allocated += amount;
    if (r.kind === 'CASH' || r.kind === 'SPENT') f.disbursed += amount;
    if (r.kind === 'SPENT') f.spent += amount;
    if (r.kind === 'BUDGET' || r.kind === 'CASH' || r.kind === 'POOL') f.balance += amount;
  }
  return [...out.values()].sort((a, b) => a.year - b.year || a.fund.localeCompare(b.fund));
}

/** Folds pending rollup deltas into the per-county rollup (a background task of the service). */
export async function compactFundRollup(em: EntityManager): Promise<number> {
  const [r] = await em.execute<{ n: number }[]>(`select jiceng_compact_fund_rollup() as n`);
  return Number(r!.n);
}

/**
 * Rural villages below the office standard and below the per-member activity standard × Party
 * members, each against its own region's standards (the deepest standard on its ancestor line), and
 * per county the disbursement rate and the average days from a village's first allocation to its
 * first payment. Amounts come from balances, so reversals are netted: a village holds what was
 * allocated to it (BUDGET + CASH + SPENT) and was paid CASH + SPENT; awards are not budget and are
 * left out. One statement: the database returns the lists and the per-county figures, not a row per village.
 */
export async function compliance(em: EntityManager, unit: Pick<AdminUnitRow, 'id' | 'path' | 'level'>, year: number) {
  const { path } = unit;
  const on = `${year}-01-01`;
  const [r] = await em.execute<{ result: { office: string[] | null; activity: string[] | null; counties: { county_id: string; allocated: string; disbursed: string; days: number | null }[] | null } }[]>(
    `with std as (
       select distinct on (unit_path, key) unit_path, key, value from funding_standard
        where key in ('OFFICE', 'ACTIVITY_PER_MEMBER') and effective_on <= ?::date and (unit_path @> ?::ltree or unit_path <@ ?::ltree)
        order by unit_path, key, effective_on desc),
     held as (
       select unit_id,
              coalesce(sum(balance) filter (where fund = 'OFFICE'), 0) as office,
              coalesce(sum(balance) filter (where fund = 'ACTIVITY'), 0) as activity,
              coalesce(sum(balance) filter (where fund <> 'AWARD'), 0) as allocated,
              coalesce(sum(balance) filter (where fund <> 'AWARD' and kind in ('CASH', 'SPENT')), 0) as disbursed
         from account where unit_path <@ ?::ltree and year = ? and kind in ('BUDGET', 'CASH', 'SPENT') group by unit_id),
     village as (
       select v.id, v.county_id, v.urban, coalesce(v.party_members, 0) as members,
              coalesce(h.office, 0) as office, coalesce(h.activity, 0) as activity, coalesce(h.allocated, 0) as allocated, coalesce(h.disbursed, 0) as disbursed,
              coalesce((select value from std where key = 'OFFICE' and std.unit_path @> v.path order by nlevel(std.unit_path) desc limit 1), ?::bigint) as office_std,
              coalesce((select value from std where key = 'ACTIVITY_PER_MEMBER' and std.unit_path @> v.path order by nlevel(std.unit_path) desc limit 1), ?::bigint) as member_std
         from admin_unit v left join held h on h.unit_id = v.id
        where v.path <@ ?::ltree and v.level = 'VILLAGE'),
     -- days from the first allocation to the first payment (neither reversed), for each village that has both
     days as (
       select unit_id, min(occurred_on) filter (where kind = 'DISBURSE') - min(occurred_on) filter (where kind = 'ALLOCATE') as days
         from transfer t where kind in ('ALLOCATE', 'DISBURSE') and year = ? and fund <> 'AWARD' and reverses is null and unit_path <@ ?::ltree
          and (?::bigint is null or county_id = ?) and not exists (select 1 from transfer r where r.reverses = t.id)
        group by unit_id having count(*) filter (where kind = 'DISBURSE') > 0 and count(*) filter (where kind = 'ALLOCATE') > 0),
     county as (
       select v.county_id, sum(v.allocated)::text as allocated, sum(v.disbursed)::text as disbursed, avg(d.days)::float8 as days
         from village v left join days d on d.unit_id = v.id
        where v.county_id is not null and (v.allocated <> 0 or v.disbursed <> 0)
        group by v.county_id)
     select jsonb_build_object(
       'office', (select jsonb_agg(id::text order by id) from village where not urban and office < office_std),
       'activity', (select jsonb_agg(id::text order by id) from village where not urban and activity < member_std * members),
       'counties', (select jsonb_agg(county order by county_id) from county)) as result`,
    // a county's own index (transfer_county) instead of every transfer of the year
    [on, path, path, path, year, String(defaultStandard('OFFICE', on)), String(defaultStandard('ACTIVITY_PER_MEMBER', on)), path,
      year, path, unit.level === 'COUNTY' ? unit.id : null, unit.level === 'COUNTY' ? unit.id : null],
  );
  const { office, activity, counties } = r!.result;
  return {
    officeBelowStandard: office ?? [],
    activityBelowStandard: activity ?? [],
    counties: (counties ?? []).map((c) => {
      const [allocated, disbursed] = [BigInt(c.allocated), BigInt(c.disbursed)];
      return {
        countyId: String(c.county_id), allocated, disbursed,
        rate: allocated ? Number(disbursed) / Number(allocated) : 0,
        averageDaysToDisburse: c.days,
      };
    }),
  };
}

/** Transfers hanging on a subtree, newest first, by keyset on id; optionally one year and kind. */
export async function transfersIn(em: EntityManager, unit: Pick<AdminUnitRow, 'id' | 'path' | 'level'>, o: { year?: number | null; kind?: string | null; size: number; beforeId: string | null }) {
  if (o.kind != null && !TRANSFER_KINDS.includes(o.kind as TransferKind)) throw badInput('kind', `must be one of ${TRANSFER_KINDS.join(', ')}`);
  if (o.beforeId != null && !/^\d{1,18}$/.test(o.beforeId)) throw badInput('after', 'not a cursor from this API');
  // the subtree condition holds for all; a village or county also names its index (unit_id, county_id)
  const where: string[] = [];
  const params: unknown[] = [];
  const and = (condition: string, value: unknown) => {
    where.push(condition);
    params.push(value);
  };
  and('unit_path <@ ?::ltree', unit.path);
  if (unit.level === 'VILLAGE') and('unit_id = ?', unit.id);
  if (unit.level === 'COUNTY') and('county_id = ?', unit.id);
  if (o.year != null) and('year = ?', o.year);
  if (o.kind != null) and('kind = ?', o.kind);
  if (o.beforeId != null) and('id < ?', o.beforeId);
  const rows = await em.execute<TransferRow[]>(
    `select *, to_char(occurred_on, 'YYYY-MM-DD') as occurred_on from transfer where ${where.join(' and ')} order by id desc limit ?`,
    [...params, o.size + 1],
  );
  return rows.map((t) => ({ ...t, id: String(t.id), amount: String(t.amount) }));
}
