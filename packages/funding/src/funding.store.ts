import { executeBound, type EntityManager } from '@jiceng/db';
import { configUnder, mapUnit, ruralVillagesUnder as tenancyRuralVillages, unitAtPath, type AdminUnitRow } from '@jiceng/tenancy';
import type { AccountKind, Fund, StandardKey, TransferKind } from './enums.js';

// All of the funding module's SQL, through the request's EntityManager (its transaction and scope).
// Values travel as bound parameters ($n; arrays as JS arrays); rows come back as camelCase records.
// The ledger is written only by jiceng_post_transfer (migrations.ts); the services hold the rules.

type Unit = { id: string; path: string; level: string };

// ---------------------------------------------------------------- transfers

export interface TransferRecord {
  id: string;
  kind: TransferKind;
  fund: Fund;
  year: number;
  amount: bigint;
  /** yyyy-mm-dd */
  occurredOn: string;
  voucher: string | null;
  category: string | null;
  receipt: string | null;
  /** the transfer this one reverses */
  reverses: string | null;
  /** the deeper of the transfer's two units (the one it hangs on) */
  unitId: string;
  debitPath: string;
  creditPath: string;
  debitAccount: string;
  creditAccount: string;
}

const TRANSFER_COLUMNS = `t.id::text as "id", t.kind, t.fund, t.year, t.amount::text as "amount", to_char(t.occurred_on, 'YYYY-MM-DD') as "occurredOn",
  t.voucher, t.category, t.receipt, t.reverses::text as "reverses", t.unit_id::text as "unitId", t.debit_path::text as "debitPath",
  t.credit_path::text as "creditPath", t.debit_account::text as "debitAccount", t.credit_account::text as "creditAccount"`;

const toTransfer = (r: Omit<TransferRecord, 'amount'> & { amount: string }): TransferRecord => ({ ...r, amount: BigInt(r.amount) });

export async function transfersByIds(em: EntityManager, ids: readonly string[]): Promise<TransferRecord[]> {
  if (!ids.length) return [];
  const rows = await executeBound<Omit<TransferRecord, 'amount'> & { amount: string }>(em,
    `select ${TRANSFER_COLUMNS} from transfer t where t.id = any ($1::bigint[])`, [ids]);
  return rows.map(toTransfer);
}

export interface TransferFilter {
  year?: number | null;
  kind?: TransferKind | null;
  /** rows per unit */
  limit: number;
  /** keyset: ids below this one */
  beforeId?: string | null;
}

/**
 * Transfers hanging on each unit's subtree, newest first (`limit` per unit), for many units in one
 * statement per level among them: a village reads its own index (unit_id), a county its county index
 * (county_id), other units the subtree's GiST index.
 */
export async function transfersUnder(em: EntityManager, units: readonly Unit[], f: TransferFilter): Promise<Map<string, TransferRecord[]>> {
  const out = new Map<string, TransferRecord[]>(units.map((u) => [u.id, []]));
  const byCondition = new Map<string, Unit[]>();
  for (const u of units) {
    const on = u.level === 'VILLAGE' ? 't.unit_id = u.id' : u.level === 'COUNTY' ? 't.county_id = u.id' : 'true';
    byCondition.set(on, [...(byCondition.get(on) ?? []), u]);
  }
  await Promise.all([...byCondition].map(async ([on, group]) => {
    const rows = await executeBound<Omit<TransferRecord, 'amount'> & { amount: string; parent: string }>(em,
      `select u.id::text as parent, x.* from unnest($1::bigint[], $2::ltree[]) as u(id, path)
        cross join lateral (
          select ${TRANSFER_COLUMNS} from transfer t
           where t.unit_path <@ u.path and ${on} and ($3::int is null or t.year = $3) and ($4::text is null or t.kind = $4)
             and ($5::bigint is null or t.id < $5)
           order by t.id desc limit $6) x
        order by u.id, x.id::bigint desc`,
      [group.map((u) => u.id), group.map((u) => u.path), f.year ?? null, f.kind ?? null, f.beforeId ?? null, f.limit]);
    for (const { parent, ...r } of rows) out.get(parent)!.push(toTransfer(r));
  }));
  return out;
}

/** One transfer to post, as jiceng_post_transfer takes it. */
export interface PostItem {
  key: string;
  hash: string;
  kind: TransferKind;
  fund: Fund;
  year: number;
  debitUnit: string;
  debitKind: AccountKind;
  creditUnit: string;
  creditKind: AccountKind;
  amount: bigint;
  on: string;
  voucher: string | null;
  category: string | null;
  receipt: string | null;
  note: string | null;
  reverses: string | null;
  userId: string | null;
}

export interface PostOutcome {
  outcome: string;
  transferId: string | null;
  available: bigint | null;
  debitAccount: string | null;
  creditAccount: string | null;
}

/**
 * Posts transfers in order in one round trip: one item through jiceng_post_transfer; a list through
 * jiceng_post_transfers (0470), which posts a plain list with one statement per step for all of its items
 * and otherwise calls jiceng_post_transfer per item, each seeing the ones before it. The simple query protocol on purpose: one message (the extended protocol's five each cost a
 * wake-up here); the items travel as one JSON value.
 */
export async function postTransfers(em: EntityManager, items: readonly PostItem[]): Promise<PostOutcome[]> {
  const json = JSON.stringify(items.map(postItemJson));
  // a list: one statement per step for all of its items where they are plain (0470), else item by item inside the function
  const rows = items.length > 1
    ? await em.execute<OutcomeRow[]>(`select * from jiceng_post_transfers(?::jsonb) order by n`, [json])
    : await em.execute<OutcomeRow[]>(
      `select i.n, r.* from rows from (jsonb_to_recordset(?::jsonb) as (${POST_ITEM_COLUMNS})) with ordinality as i(${POST_ITEM_NAMES}, n)
        cross join lateral jiceng_post_transfer(${POST_ITEM_ARGS}) r
       order by i.n`,
      [json]);
  return rows.map(toOutcome);
}

const POST_ITEM_COLUMNS = `key text, hash text, kind text, fund text, year integer, debit_unit bigint, debit_kind text, credit_unit bigint, credit_kind text,
  amount bigint, "on" date, voucher text, category text, receipt text, note text, reverses bigint, user_id bigint`;
const POST_ITEM_NAMES = 'key, hash, kind, fund, year, debit_unit, debit_kind, credit_unit, credit_kind, amount, "on", voucher, category, receipt, note, reverses, user_id';
const POST_ITEM_ARGS = 'i.key, i.hash, i.kind, i.fund, i.year, i.debit_unit, i.debit_kind, i.credit_unit, i.credit_kind, i.amount, i."on", i.voucher, i.category, i.receipt, i.note, i.reverses, i.user_id';

const postItemJson = (i: PostItem) => ({
  key: i.key, hash: i.hash, kind: i.kind, fund: i.fund, year: i.year, debit_unit: i.debitUnit, debit_kind: i.debitKind, credit_unit: i.creditUnit,
  credit_kind: i.creditKind, amount: String(i.amount), on: i.on, voucher: i.voucher, category: i.category, receipt: i.receipt, note: i.note,
  reverses: i.reverses, user_id: i.userId,
});

type OutcomeRow = { outcome: string; transfer_id: string | null; available: string | null; debit_account: string | null; credit_account: string | null };

const toOutcome = (r: OutcomeRow): PostOutcome => ({
  outcome: r.outcome,
  transferId: r.transfer_id == null ? null : String(r.transfer_id),
  available: r.available == null ? null : BigInt(r.available),
  debitAccount: r.debit_account == null ? null : String(r.debit_account),
  creditAccount: r.credit_account == null ? null : String(r.credit_account),
});

/** A village read for a payment, and (when every village was found) the payments' outcomes. */
export interface VillagesAndOutcomes {
  /** per item, the unit asked for as the caller sees it, or null */
  units: (AdminUnitRow | null)[];
  /** per item, when every unit asked for was found and is a village; else null (nothing was posted) */
  outcomes: PostOutcome[] | null;
}

/**
 * Payments to villages (the debit and credit units of each item are its village) in one statement: the
 * villages read in the caller's scope through tenancy's view tenancy_unit (as requireVillages reads them;
 * the rows carry no descendant counts) and, only when every one is there and
 * is a village, the postings (jiceng_post_transfer; a list through jiceng_post_transfers). The read costs no
 * round trip of its own, and the request sends one message fewer. The simple query protocol, as postTransfers.
 */
export async function postToVillages(em: EntityManager, items: readonly PostItem[], scope: readonly string[]): Promise<VillagesAndOutcomes> {
  const json = JSON.stringify(items.map(postItemJson));
  const villages = `select a.* from tenancy_unit a where a.id in (select (x->>'credit_unit')::bigint from x0 cross join jsonb_array_elements(x0.j) x) and a.path <@ any (?::ltree[])`;
  const go = `(select count(*) from v) = (select count(distinct (x->>'credit_unit')) from jsonb_array_elements(x0.j) x) and not exists (select 1 from v where v.level <> 'VILLAGE')`;
  const rows = await em.execute<(Record<string, unknown> & { item: number; outcome: string | null } & OutcomeRow)[]>(items.length > 1
    ? `with x0 as (select ?::jsonb as j), v as (${villages}),
            r as (select p.* from x0 cross join jiceng_post_transfers(x0.j) p where ${go})
       select i.n as item, v.*, r.outcome, r.transfer_id, r.available, r.debit_account, r.credit_account
         from x0 cross join jsonb_array_elements(x0.j) with ordinality as i(x, n)
         left join v on v.id = (i.x->>'credit_unit')::bigint left join r on r.n = i.n
        order by i.n`
    : `with x0 as (select ?::jsonb as j), v as (${villages}),
            r as (select p.* from x0 cross join jsonb_to_recordset(x0.j) as i(${POST_ITEM_COLUMNS})
                  cross join lateral jiceng_post_transfer(${POST_ITEM_ARGS}) p where ${go})
       select 1 as item, v.*, r.outcome, r.transfer_id, r.available, r.debit_account, r.credit_account from x0 left join v on true left join r on true`,
    [json, scope.length ? `{${scope.join(',')}}` : '{}']);
  const units = rows.map((r) => (r.id == null ? null : mapUnit(r)));
  return { units, outcomes: rows.every((r) => r.outcome != null) ? rows.map(toOutcome) : null };
}

/** Drops idempotency claims older than their 30 days; how many went. */
export async function pruneIdempotencyClaimRows(em: EntityManager): Promise<number> {
  const [r] = await executeBound<{ n: number }>(em, `select jiceng_prune_idempotency_claims() as n`, []);
  return Number(r!.n);
}

export interface AccountRecord {
  id: string;
  unitId: string;
  unitPath: string;
  kind: AccountKind;
}

export async function accountsByIds(em: EntityManager, ids: readonly string[]): Promise<AccountRecord[]> {
  return executeBound<AccountRecord>(em,
    `select id::text as "id", unit_id::text as "unitId", unit_path::text as "unitPath", kind from account where id = any ($1::bigint[])`, [ids]);
}

// ---------------------------------------------------------------- units (tenancy's tree, read for the ledger)

export interface VillageForStandard {
  id: string;
  path: string;
  partyMembers: number;
}

/** The rural villages below a unit, by code (the targets of an allocation by standard). */
export function ruralVillagesUnder(em: EntityManager, path: string): Promise<VillageForStandard[]> {
  return tenancyRuralVillages(em, path);
}

/** The unit at a path, if the caller sees it. */
export async function unitIdAtPath(em: EntityManager, path: string): Promise<{ id: string; path: string } | null> {
  return unitAtPath(em, path);
}

// ---------------------------------------------------------------- standards

/** For each path: every standard key set on its ancestor line on a date, the nearest (then latest) value. */
export async function standardsOnPaths(em: EntityManager, paths: readonly string[], on: string): Promise<Map<string, Map<StandardKey, bigint>>> {
  const out = new Map<string, Map<StandardKey, bigint>>(paths.map((p) => [p, new Map()]));
  if (!paths.length) return out;
  const rows = await executeBound<{ path: string; key: StandardKey; value: string }>(em,
    `select distinct on (u.path, s.key) u.path::text as path, s.key, s.value::text as value
       from unnest($1::ltree[]) as u(path) join funding_standard s on s.unit_path @> u.path and s.effective_on <= $2::date
      order by u.path, s.key, nlevel(s.unit_path) desc, s.effective_on desc`,
    [paths, on]);
  for (const r of rows) out.get(r.path)?.set(r.key, BigInt(r.value));
  return out;
}

/** One standard for every unit of a subtree (each unit's nearest setting on a date), or undefined where none is set. */
export async function standardUnder(em: EntityManager, rootPath: string, key: StandardKey, on: string): Promise<(unitPath: string) => bigint | undefined> {
  return configUnder(em, { table: 'funding_standard', since: 'effective_on' }, on, rootPath, (r) => BigInt(r.value), { sql: 'key = ?', params: [key] });
}

/** Sets standards on a unit from a date on, in one statement. */
export async function upsertStandards(em: EntityManager, unitId: string, effectiveOn: string, values: readonly (readonly [StandardKey, bigint])[]): Promise<void> {
  await executeBound(em,
    `insert into funding_standard (unit_id, key, effective_on, value)
     select $1, k, $2::date, v from unnest($3::text[], $4::bigint[]) as x(k, v)
     on conflict (unit_id, key, effective_on) do update set value = excluded.value`,
    [unitId, effectiveOn, values.map(([k]) => k), values.map(([, v]) => String(v))],
  );
}

// ---------------------------------------------------------------- figures

export interface BalanceRow {
  unitId: string;
  fund: Fund;
  year: number;
  kind: AccountKind;
  amount: bigint;
}

/**
 * Balances by fund, year and account kind over each unit's subtree, for many units at any levels in one
 * statement: each unit's rows of the per-unit rollup (fund_unit_rollup), read by unit id (btree; under
 * row-level security ltree operators cannot drive an index), and its pending deltas (a few rows, scanned).
 */
export async function subtreeBalances(em: EntityManager, units: readonly Unit[], year: number | null): Promise<BalanceRow[]> {
  if (!units.length) return [];
  const rows = await executeBound<Omit<BalanceRow, 'amount'> & { amount: string }>(em,
    `select x.unit_id::text as "unitId", x.fund, x.year, x.kind, sum(x.amount)::text as amount
       from (select r.unit_id, r.fund, r.year, r.kind, r.amount from fund_unit_rollup r where r.unit_id = any ($1::bigint[]) and ($2::int is null or r.year = $2) and r.kind <> 'DAYS'
             union all
             select u.id, d.fund, d.year, d.kind, d.amount from fund_unit_delta d join unnest($1::bigint[], $3::ltree[]) as u(id, path) on d.unit_path = u.path
              where ($2::int is null or d.year = $2) and d.kind <> 'DAYS') x
      group by x.unit_id, x.fund, x.year, x.kind`,
    [units.map((u) => u.id), year, units.map((u) => u.path)]);
  return rows.map((r) => ({ ...r, amount: BigInt(r.amount) }));
}

/**
 * For units whose subtree of a past year differs from today's: the balances of the units under each
 * then but not now (`in`, added) and now but not then (`out`, subtracted), in one statement.
 */
export async function balanceCorrections(em: EntityManager, changes: readonly { unitId: string; in: readonly string[]; out: readonly string[] }[], year: number): Promise<BalanceRow[]> {
  const members = changes.flatMap((c) => [...c.in.map((m) => [c.unitId, m, 1] as const), ...c.out.map((m) => [c.unitId, m, -1] as const)]);
  if (!members.length) return [];
  const rows = await executeBound<Omit<BalanceRow, 'amount'> & { amount: string }>(em,
    `select m.unit::text as "unitId", a.fund, a.year, a.kind, sum(m.sign * a.balance)::text as amount
       from unnest($1::bigint[], $2::bigint[], $3::int[]) as m(unit, member, sign) join account a on a.unit_id = m.member and a.year = $4
      group by m.unit, a.fund, a.year, a.kind`,
    [members.map((m) => m[0]), members.map((m) => m[1]), members.map((m) => m[2]), year]);
  return rows.map((r) => ({ ...r, amount: BigInt(r.amount) }));
}

/** Folds pending rollup deltas into the per-county rollup; how many were folded. */
export async function compactRollup(em: EntityManager): Promise<number> {
  const [r] = await executeBound<{ n: number }>(em, `select jiceng_compact_fund_rollup() as n`, []);
  return Number(r!.n);
}

export interface ComplianceRows {
  /** rural villages below the office standard, by id */
  office: string[];
  /** rural villages below the per-member activity standard × members, by id */
  activity: string[];
  counties: { countyId: string; allocated: bigint; disbursed: bigint; days: number | null }[];
}

/**
 * The compliance figures of a subtree for a year in one statement: the database returns the lists and
 * the per-county figures, not a row per village. The per-county figures (what the villages hold, and the
 * days from a village's first allocation to its first payment) are the counties' rows of the per-unit
 * rollup, read by unit id; the lists compare each rural village's holdings with its standard.
 * `defaults` are the DOMAIN standards where none is set. Below a county the one row is the unit's own.
 */
export async function complianceRows(em: EntityManager, unit: { id: string; path: string }, year: number, defaults: { office: bigint; activityPerMember: bigint }): Promise<ComplianceRows> {
  const [r] = await executeBound<{ result: { office: string[] | null; activity: string[] | null; counties: { county_id: string; allocated: string; disbursed: string; days: number | null }[] | null } }>(em,
    `with recursive std as (
       select distinct on (unit_path, key) unit_path, key, value from funding_standard
        where key in ('OFFICE', 'ACTIVITY_PER_MEMBER') and effective_on <= $1::date and (unit_path @> $2::ltree or unit_path <@ $2::ltree)
        order by unit_path, key, effective_on desc),
     -- each rural village's holdings (fund_village: one row per village and year, not its accounts) and its
     -- standards: its own where one is set on it, else its parent's nearest (a few hundred parents, not a look per village)
     village0 as (
       select v.id, v.path, subpath(v.path, 0, nlevel(v.path) - 1) as parent, coalesce(v.party_members, 0) as members,
              coalesce(h.office, 0) as office, coalesce(h.activity, 0) as activity
         from tenancy_unit v left join fund_village h on h.unit_id = v.id and h.year = $3
        where v.path <@ $2::ltree and v.level = 'VILLAGE' and not v.urban),
     parent_std as (
       select p.parent,
              (select value from std where key = 'OFFICE' and std.unit_path @> p.parent order by nlevel(std.unit_path) desc limit 1) as office_std,
              (select value from std where key = 'ACTIVITY_PER_MEMBER' and std.unit_path @> p.parent order by nlevel(std.unit_path) desc limit 1) as member_std
         from (select distinct parent from village0) p where exists (select 1 from std)),
     village as (
       select v.id, v.members, v.office, v.activity,
              coalesce(own_office.value, ps.office_std, $4::bigint) as office_std, coalesce(own_member.value, ps.member_std, $5::bigint) as member_std
         from village0 v left join parent_std ps on ps.parent = v.parent
         left join std own_office on own_office.key = 'OFFICE' and own_office.unit_path = v.path
         left join std own_member on own_member.key = 'ACTIVITY_PER_MEMBER' and own_member.unit_path = v.path),
     -- the counties whose figures are asked for (descending through the units above counties), or the unit itself below a county
     below as (
       select u.id, u.level, u.path from tenancy_unit u where u.id = $6::bigint
       union all
       select a.id, a.level, a.path from tenancy_unit a join below b on a.parent_id = b.id where b.level in ('COUNTRY', 'REGION')),
     figures as (
       select r.unit_id,
              coalesce(sum(r.village_amount) filter (where r.fund <> 'AWARD' and r.kind in ('BUDGET', 'CASH', 'SPENT')), 0) as allocated,
              coalesce(sum(r.village_amount) filter (where r.fund <> 'AWARD' and r.kind in ('CASH', 'SPENT')), 0) as disbursed,
              sum(r.amount) filter (where r.kind = 'DAYS') as days, sum(r.villages) filter (where r.kind = 'DAYS') as villages
         from (select unit_id, fund, kind, amount, village_amount, villages from fund_unit_rollup
                where unit_id in (select id from below where level in ('COUNTY', 'TOWNSHIP', 'VILLAGE')) and year = $3
               union all
               select b.id, d.fund, d.kind, d.amount, d.village_amount, d.villages from fund_unit_delta d
                 join below b on b.path = d.unit_path and b.level in ('COUNTY', 'TOWNSHIP', 'VILLAGE') where d.year = $3) r
        group by r.unit_id),
     county as (
       select unit_id as county_id, allocated::text as allocated, disbursed::text as disbursed,
              case when villages > 0 then (days::numeric / villages)::float8 end as days
         from figures where allocated <> 0 or disbursed <> 0)
     select jsonb_build_object(
       'office', (select jsonb_agg(id::text order by id) from village where office < office_std),
       'activity', (select jsonb_agg(id::text order by id) from village where activity < member_std * members),
       'counties', (select jsonb_agg(county order by county_id) from county)) as result`,
    [`${year}-01-01`, unit.path, year, String(defaults.office), String(defaults.activityPerMember), unit.id],
  );
  const { office, activity, counties } = r!.result;
  return {
    office: office ?? [],
    activity: activity ?? [],
    counties: (counties ?? []).map((c) => ({ countyId: String(c.county_id), allocated: BigInt(c.allocated), disbursed: BigInt(c.disbursed), days: c.days })),
  };
}

// ---------------------------------------------------------------- invariants

export interface RollupDrift {
  path: string;
  fund: string;
  year: number;
  kind: string;
  accounts: string;
  rollup: string;
}

/** The raw findings of the ledger check over everything the scope sees. */
export async function ledgerFindings(em: EntityManager) {
  const [total] = await executeBound<{ s: string | null }>(em, `select sum(amount)::text as s from entry`, []);
  const drift = await executeBound<{ id: string }>(em,
    `select a.id::text as id from account a left join entry e on e.account_id = a.id group by a.id having a.balance <> coalesce(sum(e.amount), 0)`, []);
  const unbalanced = await executeBound<{ id: string }>(em,
    `select transfer_id::text as id from entry group by transfer_id having sum(amount) <> 0 or count(*) <> 2 or count(*) filter (where amount < 0) <> 1`, []);
  const rollup = await executeBound<RollupDrift>(em,
    `with truth as (select jiceng_rollup_path(unit_path) as p, fund, year, kind, sum(balance) as amount from account group by 1, 2, 3, 4),
          rolled as (select unit_path as p, fund, year, kind, sum(amount) as amount
                       from (select unit_path, fund, year, kind, amount from fund_rollup union all
                             select unit_path, fund, year, kind, amount from fund_rollup_delta) r group by 1, 2, 3, 4)
     select p::text as path, fund, year, kind, coalesce(truth.amount, 0)::text as accounts, coalesce(rolled.amount, 0)::text as rollup
       from truth full join rolled using (p, fund, year, kind)
      where coalesce(truth.amount, 0) <> coalesce(rolled.amount, 0)`, []);
  const twice = await executeBound<{ id: string }>(em,
    `select t.unit_id::text as id from transfer t where t.kind = 'AWARD' and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id)
      group by t.unit_id having count(*) > 1 order by t.unit_id`, []);
  return {
    entrySum: total!.s ?? '0',
    driftingAccounts: drift.map((r) => r.id),
    unbalancedTransfers: unbalanced.map((r) => r.id),
    rollupDrift: rollup,
    awardedTwice: twice.map((r) => r.id),
  };
}

// ---------------------------------------------------------------- spreadsheet exports (packages/sheets)

/** A line of the disbursement list (拨付): the village paid, the fund, voucher, amount and date. */
export interface DisbursementRow {
  id: string;
  /** the village (the deeper unit of the transfer) */
  unitId: string;
  unitPath: string;
  fund: Fund;
  voucher: string | null;
  /** fen; a reversal (冲正) is negative, so that a column sum is what the villages were paid */
  amount: bigint;
  occurredOn: string;
  /** the voucher of the disbursement a reversal corrects */
  reversesVoucher: string | null;
  reversed: boolean;
}

/** The disbursements of a subtree in a budget year, reversals included, a page after an id (keyset on id). */
export async function disbursementPage(em: EntityManager, path: string, year: number, afterId: string | null, limit: number): Promise<DisbursementRow[]> {
  const rows = await executeBound<Omit<DisbursementRow, 'amount'> & { amount: string }>(em,
    `select t.id::text as id, t.unit_id::text as "unitId", t.unit_path::text as "unitPath", t.fund, coalesce(t.voucher, o.voucher) as voucher,
            (case when t.reverses is null then t.amount else -t.amount end)::text as amount, to_char(t.occurred_on, 'YYYY-MM-DD') as "occurredOn",
            o.voucher as "reversesVoucher", exists (select 1 from transfer r where r.reverses = t.id) as reversed
       from transfer t left join transfer o on o.id = t.reverses
      where t.unit_path <@ $1::ltree and t.kind = 'DISBURSE' and t.year = $2 and t.id > coalesce($3::bigint, 0)
      order by t.id limit $4`,
    [path, year, afterId, limit]);
  return rows.map((r) => ({ ...r, amount: BigInt(r.amount) }));
}

export interface UnitRollupDrift {
  unitId: string;
  path: string;
  year: number;
  /** the figure: `<fund> <kind> amount|village_amount|villages` (fund ALL, kind DAYS: days to first payment), or `village first_allocate|first_disburse|office|activity` */
  figure: string;
  /** what the ledger gives */
  expected: string;
  /** what the per-unit rollup holds (compacted plus pending) */
  found: string;
}

/** Every per-unit rollup figure that differs from the ledger it sums (over the whole tree the scope sees). */
export async function unitRollupFindings(em: EntityManager): Promise<UnitRollupDrift[]> {
  return executeBound<UnitRollupDrift>(em,
    `with truth as (select * from jiceng_fund_unit_truth()),
          rolled as (select unit_id, max(unit_path::text) as path, fund, year, kind, sum(amount) as amount, sum(village_amount) as village_amount, sum(villages) as villages
                       from (select unit_id, unit_path, fund, year, kind, amount, village_amount, villages from fund_unit_rollup union all
                             select u.id, d.unit_path, d.fund, d.year, d.kind, d.amount, d.village_amount, d.villages
                               from fund_unit_delta d join tenancy_unit u on u.path = d.unit_path) r group by unit_id, fund, year, kind),
          pairs as (select unit_id, coalesce(t.unit_path::text, r.path) as path, fund, year, kind,
                           array[coalesce(t.amount, 0), coalesce(t.village_amount, 0), coalesce(t.villages, 0)] as expected,
                           array[coalesce(r.amount, 0), coalesce(r.village_amount, 0), coalesce(r.villages, 0)] as found
                      from truth t full join rolled r using (unit_id, fund, year, kind))
     select p.unit_id::text as "unitId", p.path, p.year, p.fund || ' ' || p.kind || ' ' || m.name as figure, p.expected[m.k]::text as expected, p.found[m.k]::text as found
       from pairs p cross join (values (1, 'amount'), (2, 'village_amount'), (3, 'villages')) as m(k, name)
      where p.expected[m.k] <> p.found[m.k]
     union all
     -- each village's first dates and holdings (a missing row is an empty one)
     select unit_id::text, coalesce(t.unit_path, f.unit_path)::text, year, 'village ' || m.name,
            coalesce(m.expected, '-'), coalesce(m.found, '-')
       from jiceng_fund_village_truth() t full join fund_village f using (unit_id, year)
      cross join lateral (values
        ('first_allocate', t.first_allocate::text, f.first_allocate::text), ('first_disburse', t.first_disburse::text, f.first_disburse::text),
        ('office', coalesce(t.office, 0)::text, coalesce(f.office, 0)::text), ('activity', coalesce(t.activity, 0)::text, coalesce(f.activity, 0)::text)) as m(name, expected, found)
      where m.expected is distinct from m.found
      order by 2, 3, 4`, []);
}
