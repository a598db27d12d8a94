import { badInput, localDate, notFound, today, type Fen } from '@jiceng/core';
import { requestScope, type EntityManager } from '@jiceng/db';
import { assertYear, transformedVillagesForFunding } from '@jiceng/rectification';
import { assertCan, assertCanFromAbove, can, isPastYear, isWithin, placementChanges, requireUnit, yearEnd, requireVillage, requireVillages, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { FUNDS, TRANSFER_KINDS, type Fund, type TransferKind } from './enums.js';
import { balanceCorrections, compactRollup, complianceRows, postToVillages, ruralVillagesUnder, subtreeBalances, transfersUnder, unitIdAtPath, type TransferRecord } from './funding.store.js';
import { post, postMany, reverse, transferById, assertKey, type TransferSpec } from './ledger.service.js';
import { defaultStandard, fundStandardsOnMany, fundStandardsOn, fundStandardsUnder, setFundStandards, type StandardField } from './standards.js';

export function assertFund(fund: string, field = 'fund'): Fund {
  if (!(FUNDS as readonly string[]).includes(fund)) throw badInput(field, `must be one of ${FUNDS.join(', ')}`);
  return fund as Fund;
}
/**
 * A yyyy-mm-dd date, or today when none is given. A transfer of a fund year (`year`) must be dated in
 * that year or the next (year-end settlement, corrections): a date the caller gives outside is refused.
 */
export function assertDate(d: string | null | undefined, field: string, year?: number): string {
  if (d == null) return today();
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
  const villages = await ruralVillagesUnder(em, from.path);
  if (!villages.length) throw badInput('fromUnitId', 'no villages below this unit');
  if (fund === 'AWARD') throw badInput('fund', 'awards are granted with grantAward');
  if (fund === 'REPORTER_SUBSIDY') throw badInput('fund', 'the reporters\' subsidy has no per-village standard: allocate it, and pay it with payReporterSubsidies');
  const stdKey = fund === 'ACTIVITY' ? 'ACTIVITY_PER_MEMBER' : fund;
  const standardOf = await fundStandardsUnder(em, from.path, stdKey, `${i.year}-01-01`);
  const specs: TransferSpec[] = [];
  for (const v of villages) {
    const per = standardOf(v.path);
    const amount = fund === 'ACTIVITY' ? per * BigInt(v.partyMembers) : per;
    if (amount <= 0n) continue;
    specs.push({
      key: `${i.key}:${v.id}`, kind: 'ALLOCATE', fund, year: i.year, amount, occurredOn: on, userId: p.userId,
      debit: { unit: from, kind: 'BUDGET' }, credit: { unit: v, kind: 'BUDGET' },
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
  if (!can(p, 'funding:disburse')) {
    // FORBIDDEN, or NOT_FOUND first for a village out of scope (assertCan's order)
    for (const v of await requireVillages(em, items.map((i) => i.villageId), (k) => field(k, 'villageId'))) assertCan(p, 'funding:disburse', { path: v.path, what: 'village' });
  }
  for (const [k, i] of items.entries()) if (!/^\d{1,18}$/.test(i.villageId)) throw badInput(field(k, 'villageId'), 'not a valid unit id');
  // the villages are read in the posting's statement (postToVillages), which posts only when all are there
  const specs = checked.map((i) => {
    const village = { id: i.villageId, path: '' };
    return {
      key: i.key, kind: 'DISBURSE' as const, fund: i.fund, year: i.year, amount: i.amount, occurredOn: i.on, voucher: i.voucher, userId: p.userId,
      debit: { unit: village, kind: 'BUDGET' as const }, credit: { unit: village, kind: 'CASH' as const },
    };
  });
  return postMany(em, specs, field, async (posting) => {
    const { units, outcomes } = await postToVillages(em, posting, requestScope(em));
    // as requireVillages: the first village missing (or out of scope) is NOT_FOUND, then another level is BAD_USER_INPUT
    if (units.some((u) => !u)) throw notFound('admin unit');
    for (const [k, u] of units.entries()) if (u!.level !== 'VILLAGE') throw badInput(field(k, 'villageId'), 'must be a village');
    for (const [k, u] of units.entries()) {
      // the principal's own scope (the request's scope is the same; a difference rolls the request back)
      assertCan(p, 'funding:disburse', { path: u!.path, what: 'village' });
      specs[k]!.debit.unit.path = u!.path;
    }
    return outcomes!;
  });
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

/** The top region of a path (the one holding the award pool): `cn.r15` for `cn.r15.r1504.c150429…`. */
const poolRegionPath = (path: string) => path.split('.').slice(0, 2).join('.');
/** A unit's county on its path (the label starting with `c`), if it lies in one. */
const countyPathOf = (path: string) => {
  const labels = path.split('.');
  const k = labels.findIndex((l, n) => n > 0 && l.startsWith('c'));
  return k < 0 ? null : labels.slice(0, k + 1).join('.');
};

/**
 * The region gives a county an award quota (名额) for a year: a transfer from the region's award pool
 * into the county's (ALLOCATE, fund AWARD). The county then grants awards from it, the pool never
 * goes below zero, and a reversal returns the quota.
 */
export async function allocateAwardQuota(em: EntityManager, p: Principal, i: { countyId: string; year: number; amount: Fen; key: string; on?: string | null }) {
  assertYear(i.year);
  const county = await requireUnit(em, i.countyId, 'countyId');
  if (county.level !== 'COUNTY') throw badInput('countyId', 'award quotas are given to counties');
  const regionPath = poolRegionPath(county.path);
  assertCan(p, 'funding:award', { path: regionPath, what: 'admin unit' });
  const region = await unitAt(em, regionPath);
  return post(em, {
    key: i.key, kind: 'ALLOCATE', fund: 'AWARD', year: i.year, amount: i.amount, occurredOn: assertDate(i.on, 'on', i.year), userId: p.userId,
    debit: { unit: region, kind: 'POOL' }, credit: { unit: county, kind: 'POOL' },
  });
}

async function unitAt(em: EntityManager, path: string) {
  const unit = await unitIdAtPath(em, path);
  if (!unit) throw notFound('admin unit');
  return unit;
}

/**
 * 以奖代补: the one-time award, only for a village whose case is transformed or later, once per
 * village in any year (a reversed award allows a new one). A user who holds the region grants from
 * the region's pool; a county's user (county finance, the county's organization department) grants
 * from the quota the region gave the county. Neither is ever exceeded.
 */
export async function grantAward(em: EntityManager, p: Principal, i: { villageId: string; year: number; key: string; on?: string | null }) {
  assertYear(i.year);
  const village = await requireVillage(em, i.villageId);
  assertCan(p, 'funding:award', { path: village.path, what: 'village' });
  if (!(await transformedVillagesForFunding(em, [village.id])).has(village.id)) throw badInput('villageId', 'the award goes only to a village whose case is transformed or later');
  const regionPath = poolRegionPath(village.path);
  const countyPath = countyPathOf(village.path);
  const fromRegion = p.scopes.some((scope) => isWithin(regionPath, scope)) || !countyPath;
  const pool = await unitAt(em, fromRegion ? regionPath : countyPath!);
  const on = assertDate(i.on, 'on', i.year);
  const { award: amount } = await fundStandardsOn(em, village.path, on);
  return post(em, {
    key: i.key, kind: 'AWARD', fund: 'AWARD', year: i.year, amount, occurredOn: on, userId: p.userId,
    debit: { unit: pool, kind: 'POOL' }, credit: { unit: village, kind: 'CASH' },
  });
}

/** A region's funding standards from a date on (those given, checked by validateFundingStandardsInput; the others keep theirs); returns those in force that day. */
export async function setRegionStandards(em: EntityManager, p: Principal, i: { regionId: string; effectiveOn: string; values: Partial<Record<StandardField, bigint | null>> }) {
  const region = await requireUnit(em, i.regionId, 'regionId');
  assertCan(p, 'funding:configure', { path: region.path, what: 'admin unit' });
  if (region.level !== 'REGION') throw badInput('regionId', 'funding standards are set per region');
  assertCanFromAbove(p, 'funding:configure', { path: region.path, what: 'admin unit' });
  const effectiveOn = assertDate(i.effectiveOn, 'effectiveOn');
  await setFundStandards(em, region, effectiveOn, i.values);
  return fundStandardsOn(em, region.path, effectiveOn);
}

export async function reverseTransfer(em: EntityManager, p: Principal, i: { transferId: string; reason: string; key: string; on?: string | null }) {
  if (!i.reason?.trim()) throw badInput('reason', 'say why');
  const t = /^\d{1,18}$/.test(i.transferId) ? await transferById(em, i.transferId) : null;
  if (!t) throw notFound('transfer');
  assertCan(p, 'funding:reverse', { path: t.debitPath, what: 'transfer' });
  assertCan(p, 'funding:reverse', { path: t.creditPath, what: 'transfer' });
  return reverse(em, t, i.key, i.reason.trim(), p.userId, assertDate(i.on, 'on', t.year));
}

export interface FundsFigures {
  fund: Fund;
  year: number;
  allocated: bigint;
  disbursed: bigint;
  spent: bigint;
  balance: bigint;
}

type UnitRef = Pick<AdminUnitRow, 'id' | 'path' | 'level'>;

/** A read of funding figures: the role may read funds, and each unit lies in the caller's scope. */
function assertCanRead(p: Principal | null | undefined, units: readonly UnitRef[]) {
  assertCan(p, 'funding:read');
  for (const u of units) assertCan(p, 'funding:read', { path: u.path, what: 'admin unit' });
}

/**
 * Allocated into, disbursed, spent and held in each unit's subtree, by fund and year, from account
 * balances: money only moves down the tree (reversals net out), so what was allocated into a subtree is
 * what its non-SOURCE accounts hold; village CASH plus SPENT is what was paid to villages. Every unit,
 * at any level, reads its own rows of the per-unit rollup (compacted rows plus pending deltas) by unit
 * id, not the accounts below it: any number of units cost one statement (a list of villages is one read).
 */
export async function fundsSummaries(em: EntityManager, p: Principal | null | undefined, units: readonly UnitRef[], year: number | null): Promise<FundsFigures[][]> {
  assertCanRead(p, units);
  // a year that ended before a move: the accounts of the units under each one then, not now
  const changes = year != null && isPastYear(year) ? await placementChanges(em, units, yearEnd(year)) : new Map();
  const corrections = changes.size
    ? await balanceCorrections(em, [...changes].map(([unitId, c]) => ({ unitId, in: c.in, out: c.out })), year!)
    : [];
  const rows = corrections.concat(await subtreeBalances(em, units, year));
  const byUnit = new Map<string, Map<string, FundsFigures>>(units.map((u) => [String(u.id), new Map()]));
  for (const r of rows) {
    const figures = byUnit.get(r.unitId)!;
    const key = `${r.fund}:${r.year}`;
    if (!figures.has(key)) figures.set(key, { fund: r.fund, year: r.year, allocated: 0n, disbursed: 0n, spent: 0n, balance: 0n });
    const f = figures.get(key)!;
    if (r.kind !== 'SOURCE') f.allocated += r.amount;
    if (r.kind === 'CASH' || r.kind === 'SPENT') f.disbursed += r.amount;
    if (r.kind === 'SPENT') f.spent += r.amount;
    if (r.kind === 'BUDGET' || r.kind === 'CASH' || r.kind === 'POOL') f.balance += r.amount;
  }
  return units.map((u) => [...byUnit.get(String(u.id))!.values()].sort((a, b) => a.year - b.year || a.fund.localeCompare(b.fund)));
}

/** Funds over one unit's subtree (fundsSummaries for one). */
export async function fundsSummary(em: EntityManager, p: Principal | null | undefined, unit: UnitRef, year: number | null): Promise<FundsFigures[]> {
  return (await fundsSummaries(em, p, [unit], year))[0]!;
}

/** Folds pending rollup deltas into the per-county and per-unit rollups (a background task of the service). */
export async function compactFundRollup(em: EntityManager): Promise<number> {
  return compactRollup(em);
}

/** The funding standards in force on a date for each unit (one statement for all); today when no date is given. */
export async function standardsFor(em: EntityManager, p: Principal | null | undefined, units: readonly UnitRef[], on: string | null | undefined) {
  assertCanRead(p, units);
  return fundStandardsOnMany(em, units.map((u) => u.path), assertDate(on, 'on'));
}

export interface CountyFigures {
  /** the county the figures cover whole; null when they cover only the unit asked about, below a county */
  countyId: string | null;
  unitId: string;
  allocated: bigint;
  disbursed: bigint;
  rate: number;
  averageDaysToDisburse: number | null;
}

/**
 * Rural villages below the office standard and below the per-member activity standard × Party
 * members, each against its own region's standards (the deepest standard on its ancestor line), and
 * per county the disbursement rate and the average days from a village's first allocation to its
 * first payment. Amounts come from balances, so reversals are netted: a village holds what was
 * allocated to it (BUDGET + CASH + SPENT) and was paid CASH + SPENT; awards are not budget and are
 * left out. One statement: the database returns the lists and the per-county figures, not a row per village.
 */
export async function compliance(em: EntityManager, p: Principal | null | undefined, unit: UnitRef, year: number) {
  assertCanRead(p, [unit]);
  const on = `${year}-01-01`;
  const r = await complianceRows(em, { id: String(unit.id), path: unit.path }, year,
    { office: defaultStandard('OFFICE', on), activityPerMember: defaultStandard('ACTIVITY_PER_MEMBER', on) });
  // below a county the figures cover only the unit asked about: the row is labelled with it, not its county
  const wholeCounties = unit.level === 'COUNTRY' || unit.level === 'REGION' || unit.level === 'COUNTY';
  return {
    officeBelowStandard: r.office,
    activityBelowStandard: r.activity,
    counties: r.counties.map((c): CountyFigures => ({
      countyId: wholeCounties ? c.countyId : null, unitId: wholeCounties ? c.countyId : String(unit.id), allocated: c.allocated, disbursed: c.disbursed,
      rate: c.allocated ? Number(c.disbursed) / Number(c.allocated) : 0,
      averageDaysToDisburse: c.days,
    })),
  };
}

/** Transfers hanging on each unit's subtree, newest first, by keyset on id; optionally one year and kind. */
export async function transfersIn(em: EntityManager, p: Principal | null | undefined, units: readonly UnitRef[],
  o: { year?: number | null; kind?: string | null; size: number; beforeId: string | null }): Promise<TransferRecord[][]> {
  assertCanRead(p, units);
  if (o.kind != null && !TRANSFER_KINDS.includes(o.kind as TransferKind)) throw badInput('kind', `must be one of ${TRANSFER_KINDS.join(', ')}`);
  if (o.beforeId != null && !/^\d{1,18}$/.test(o.beforeId)) throw badInput('after', 'not a cursor from this API');
  const found = await transfersUnder(em, units.map((u) => ({ id: String(u.id), path: u.path, level: u.level })),
    { year: o.year, kind: o.kind as TransferKind | null | undefined, limit: o.size + 1, beforeId: o.beforeId });
  return units.map((u) => found.get(String(u.id)) ?? []);
}
