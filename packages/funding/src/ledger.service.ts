import { createHash } from 'node:crypto';
import { AppError, ErrorCode, badInput, conflict, formatYuan, notFound, type Fen } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import type { AdminUnitRow } from '@jiceng/tenancy';

export const FUNDS = ['OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD'] as const;
export type Fund = (typeof FUNDS)[number];
export type AccountKind = 'SOURCE' | 'BUDGET' | 'CASH' | 'SPENT' | 'POOL';
export const TRANSFER_KINDS = ['APPROPRIATE', 'ALLOCATE', 'DISBURSE', 'SPEND', 'AWARD'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export interface Side {
  unit: Pick<AdminUnitRow, 'id' | 'path'>;
  kind: AccountKind;
}

export interface TransferSpec {
  key: string;
  kind: TransferKind;
  fund: Fund;
  year: number;
  debit: Side;
  credit: Side;
  amount: Fen;
  occurredOn: string;
  voucher?: string | null;
  category?: string | null;
  receipt?: string | null;
  note?: string | null;
  reverses?: string | null;
  userId: string | null;
}

export interface TransferRow {
  id: string;
  kind: TransferKind;
  amount: string;
  fund: Fund;
  year: number;
  occurred_on: string;
  voucher: string | null;
  category: string | null;
  receipt: string | null;
  reverses: string | null;
  unit_id: string;
  debit_path: string;
  credit_path: string;
  debit_account: string;
  credit_account: string;
}

export function assertKey(key: string) {
  if (typeof key !== 'string' || key.length < 8 || key.length > 200) throw badInput('idempotencyKey', 'must be 8 to 200 characters, unique per request');
}

const deeper = (a: Side, b: Side) => (a.unit.path.split('.').length >= b.unit.path.split('.').length ? a : b);

function requestHash(s: TransferSpec): string {
  const { key: _k, userId: _u, ...content } = s;
  return createHash('sha256')
    .update(JSON.stringify({ ...content, amount: String(s.amount), debit: [s.debit.unit.id, s.debit.kind], credit: [s.credit.unit.id, s.credit.kind] }))
    .digest('hex');
}

export async function transferById(em: EntityManager, id: string): Promise<TransferRow | null> {
  return (await transfersByIds(em, [id]))[0] ?? null;
}

async function transfersByIds(em: EntityManager, ids: readonly string[]): Promise<TransferRow[]> {
  const rows = await executeBound<TransferRow>(em, `select *, to_char(occurred_on, 'YYYY-MM-DD') as occurred_on from transfer where id = any ($1::bigint[])`, [ids]);
  return rows.map((t) => ({ ...t, id: String(t.id), amount: String(t.amount) }));
}

interface PostOutcome {
  outcome: string;
  transfer_id: string | null;
  available: string | null;
  debit_account: string | null;
  credit_account: string | null;
}

/**
 * Posts one transfer in one round trip (jiceng_post_transfer): claims the idempotency key, debits
 * (refusing an overdraw with the available balance), credits and writes both entries, or writes
 * nothing. Keys belong to the caller's account and live 30 days: a retry with the same key and content
 * returns the original; the same key with other content is CONFLICT; the same key in another account,
 * or after 30 days, is a new request.
 */
export async function post(em: EntityManager, s: TransferSpec): Promise<TransferRow> {
  return (await postMany(em, [s]))[0]!;
}

/**
 * Posts transfers in order, in one round trip for the whole list: each is checked and applied as
 * post() would, seeing the ones before it. The first refusal throws; the caller's transaction then
 * rolls back (a failed mutation request does, and so does inScope), so a list is all or nothing.
 */
export async function postMany(em: EntityManager, specs: readonly TransferSpec[], field: ItemField = (_k, name) => name): Promise<TransferRow[]> {
  if (!specs.length) return [];
  for (const s of specs) {
    assertKey(s.key);
    if (s.amount <= 0n) throw badInput('amount', 'must be greater than zero');
  }
  const items = specs.map((s) => ({
    key: s.key, hash: requestHash(s), kind: s.kind, fund: s.fund, year: s.year, debit_unit: s.debit.unit.id, debit_kind: s.debit.kind,
    credit_unit: s.credit.unit.id, credit_kind: s.credit.kind, amount: String(s.amount), on: s.occurredOn, voucher: s.voucher ?? null,
    category: s.category ?? null, receipt: s.receipt ?? null, note: s.note ?? null, reverses: s.reverses ?? null, user_id: s.userId,
  }));
  // a batch with vouchers can lose a voucher to a concurrent request: a savepoint lets it say which item
  const locate = specs.length > 1 && specs.some((s) => s.voucher != null);
  if (locate) await em.execute('savepoint jiceng_post_many');
  // the simple query protocol: one message (the extended protocol's five each cost a wake-up here)
  const rows = await em.execute<(PostOutcome & { n: string })[]>(
    `select i.n, r.* from rows from (jsonb_to_recordset(?::jsonb) as (key text, hash text, kind text, fund text, year integer, debit_unit bigint,
            debit_kind text, credit_unit bigint, credit_kind text, amount bigint, "on" date, voucher text, category text, receipt text,
            note text, reverses bigint, user_id bigint)) with ordinality as i(key, hash, kind, fund, year, debit_unit, debit_kind, credit_unit,
            credit_kind, amount, "on", voucher, category, receipt, note, reverses, user_id, n)
       cross join lateral jiceng_post_transfer(i.key, i.hash, i.kind, i.fund, i.year, i.debit_unit, i.debit_kind, i.credit_unit, i.credit_kind,
            i.amount, i."on", i.voucher, i.category, i.receipt, i.note, i.reverses, i.user_id) r
      order by i.n`,
    [JSON.stringify(items)],
  ).catch(async (e) => refusedByDatabase(e, specs, field, locate && isRace(e, 'voucher_use_once') ? await voucherTaken(em, specs) : 0));
  // retried requests return their originals, loaded together
  const replays = rows.filter((r) => r.outcome === 'REPLAY').map((r) => String(r.transfer_id));
  const originals = new Map((replays.length ? await transfersByIds(em, replays) : []).map((t) => [t.id, t]));
  return specs.map((s, k) => settle(s, rows[k]!, originals, (name) => field(k, name)));
}

/** How an item's field is named in errors: `voucher` for a single posting, `items[3].voucher` in a batch. */
export type ItemField = (k: number, name: string) => string;

const awardedAlready = () => conflict('this village has had its award already (the award is once per village, in any year)');
const voucherUsed = (voucher: string, field: string) =>
  conflict(`voucher ${voucher} was used for another disbursement of this county and year`, { field });

/**
 * What the database refused as a whole statement: a balance or total beyond bigint (22003) is the
 * caller's amount at fault; a register's unique index (23505) is a race the posting function's own
 * look could not see yet (a concurrent award to the same village, or the same voucher, committed first).
 */
function refusedByDatabase(e: unknown, specs: readonly TransferSpec[], field: ItemField, voucherItem: number): never {
  if ((e as { code?: unknown })?.code === '22003') throw badInput('amount', 'the amount would take an account balance out of range');
  if (isRace(e, 'award_grant_once')) throw awardedAlready();
  if (isRace(e, 'voucher_use_once')) throw voucherUsed(specs[voucherItem]?.voucher ?? '', field(voucherItem, 'voucher'));
  throw e;
}

/** A unique index of the registers refused the posting (its key values are not told: the tables have RLS). */
function isRace(e: unknown, index: string): boolean {
  const err = e as { code?: unknown; constraint?: unknown; message?: unknown };
  return err?.code === '23505' && (err.constraint === index || String(err.message ?? '').includes(`"${index}"`));
}

/** After a lost voucher race: back to the savepoint, the first item whose voucher is now taken (the winner has committed). */
async function voucherTaken(em: EntityManager, specs: readonly TransferSpec[]): Promise<number> {
  await em.execute('rollback to savepoint jiceng_post_many');
  const [hit] = await executeBound<{ n: string }>(em,
    `select i.n from rows from (jsonb_to_recordset($1::jsonb) as (unit bigint, year integer, voucher text)) with ordinality as i(unit, year, voucher, n)
       join admin_unit a on a.id = i.unit
      where exists (select 1 from voucher_use v where v.issuer = jiceng_voucher_issuer(a.county_id, a.path) and v.year = i.year
                       and v.voucher = i.voucher and v.released_by is null)
      order by i.n limit 1`,
    [JSON.stringify(specs.map((s) => ({ unit: s.credit.unit.id, year: s.year, voucher: s.voucher ?? null })))]);
  return hit ? Number(hit.n) - 1 : 0;
}

/** Turns a posting's outcome into its transfer, or the error the caller sees. */
function settle(s: TransferSpec, r: PostOutcome, originals: Map<string, TransferRow>, field: (name: string) => string): TransferRow {
  switch (r.outcome) {
    case 'POSTED':
      return {
        id: String(r.transfer_id), kind: s.kind, amount: String(s.amount), fund: s.fund, year: s.year, occurred_on: s.occurredOn,
        voucher: s.voucher ?? null, category: s.category ?? null, receipt: s.receipt ?? null, reverses: s.reverses ?? null, unit_id: deeper(s.debit, s.credit).unit.id,
        debit_path: s.debit.unit.path, credit_path: s.credit.unit.path, debit_account: String(r.debit_account), credit_account: String(r.credit_account),
      };
    case 'REPLAY': {
      // the original is read under RLS: one the caller can no longer see is not found
      const original = originals.get(String(r.transfer_id));
      if (!original) throw notFound('transfer');
      return original;
    }
    case 'CONFLICT':
      throw conflict('that idempotency key was used for a different request', { field: 'idempotencyKey' });
    case 'NOT_FOUND':
      throw notFound('account');
    case 'AWARDED_ALREADY':
      throw awardedAlready();
    case 'VOUCHER_USED':
      throw voucherUsed(s.voucher ?? '', field('voucher'));
    case 'REVERSED_ALREADY':
      throw conflict('the transfer has been reversed already');
    case 'INSUFFICIENT_FUNDS':
      throw new AppError(ErrorCode.INSUFFICIENT_FUNDS, `only ${formatYuan(r.available!)} yuan is available`, {
        available: formatYuan(r.available!),
        requested: formatYuan(s.amount),
      });
    default:
      throw new Error(`unexpected posting outcome ${r.outcome}`);
  }
}

/** Drops idempotency claims older than their 30 days (a maintenance task; postings ignore them already). */
export async function pruneIdempotencyClaims(em: EntityManager): Promise<number> {
  const [r] = await em.execute<{ n: number }[]>(`select jiceng_prune_idempotency_claims() as n`);
  return Number(r!.n);
}

/** A correction: the reverse transfer of an original, referencing it; each transfer is reversed at most once. */
export async function reverse(em: EntityManager, original: TransferRow, key: string, reason: string, userId: string, on: string): Promise<TransferRow> {
  if (original.reverses) throw badInput('transferId', 'a reversal cannot itself be reversed; post a new transfer');
  const accounts = await em.execute<{ id: string; unit_id: string; path: string; kind: AccountKind }[]>(
    `select id, unit_id, unit_path::text as path, kind from account where id in (?, ?)`,
    [original.debit_account, original.credit_account],
  );
  const side = (id: string): Side => {
    const a = accounts.find((x) => String(x.id) === String(id));
    if (!a) throw notFound('transfer');
    return { unit: { id: String(a.unit_id), path: a.path }, kind: a.kind };
  };
  return post(em, {
    key, kind: original.kind, fund: original.fund, year: original.year, debit: side(original.credit_account), credit: side(original.debit_account),
    amount: BigInt(original.amount), occurredOn: on, note: reason, reverses: original.id, userId,
  });
}
