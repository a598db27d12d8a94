import { createHash } from 'node:crypto';
import { AppError, ErrorCode, badInput, conflict, formatYuan, notFound, type Fen } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import type { AdminUnitRow } from '@jiceng/tenancy';
import type { AccountKind, Fund, TransferKind } from './enums.js';
import {
  accountsByIds, postTransfers, pruneIdempotencyClaimRows, transfersByIds,
  type PostItem, type PostOutcome, type TransferRecord,
} from './funding.store.js';

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

/** A transfer as the services return it (camelCase, amount in fen). */
export type TransferRow = TransferRecord;

export function assertKey(key: string, field = 'idempotencyKey') {
  if (typeof key !== 'string' || key.length < 8 || key.length > 200) throw badInput(field, 'must be 8 to 200 characters, unique per request');
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
export async function postMany(em: EntityManager, specs: readonly TransferSpec[], field: ItemField = (_k, name) => name,
  send: (items: PostItem[]) => Promise<PostOutcome[]> = (items) => postTransfers(em, items)): Promise<TransferRow[]> {
  if (!specs.length) return [];
  for (const [k, s] of specs.entries()) {
    assertKey(s.key, field(k, 'idempotencyKey'));
    if (s.amount <= 0n) throw badInput(field(k, 'amount'), 'must be greater than zero');
  }
  const items = specs.map((s) => ({
    key: s.key, hash: requestHash(s), kind: s.kind, fund: s.fund, year: s.year, debitUnit: s.debit.unit.id, debitKind: s.debit.kind,
    creditUnit: s.credit.unit.id, creditKind: s.credit.kind, amount: s.amount, on: s.occurredOn, voucher: s.voucher ?? null,
    category: s.category ?? null, receipt: s.receipt ?? null, note: s.note ?? null, reverses: s.reverses ?? null, userId: s.userId,
  }));
  // a list that loses a voucher to a concurrent request is told which item (jiceng_post_transfers: `item <n>`)
  const rows = await send(items).catch((e) => refusedByDatabase(e, specs, field, raceItem(e)));
  // retried requests return their originals, loaded together
  const replays = rows.filter((r) => r.outcome === 'REPLAY').map((r) => r.transferId!);
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

/** The item (0-based) a list's voucher race names in the error's detail (`item <n>`, 1-based); 0 otherwise. */
function raceItem(e: unknown): number {
  const m = /^item (\d+)$/.exec(String((e as { detail?: unknown })?.detail ?? ''));
  return m ? Number(m[1]) - 1 : 0;
}

/** Turns a posting's outcome into its transfer, or the error the caller sees. */
function settle(s: TransferSpec, r: PostOutcome, originals: Map<string, TransferRow>, field: (name: string) => string): TransferRow {
  switch (r.outcome) {
    case 'POSTED':
      return {
        id: r.transferId!, kind: s.kind, amount: s.amount, fund: s.fund, year: s.year, occurredOn: s.occurredOn,
        voucher: s.voucher ?? null, category: s.category ?? null, receipt: s.receipt ?? null, reverses: s.reverses ?? null, unitId: deeper(s.debit, s.credit).unit.id,
        debitPath: s.debit.unit.path, creditPath: s.credit.unit.path, debitAccount: r.debitAccount!, creditAccount: r.creditAccount!,
      };
    case 'REPLAY': {
      // the original is read under RLS: one the caller can no longer see is not found
      const original = originals.get(r.transferId!);
      if (!original) throw notFound('transfer');
      return original;
    }
    case 'CONFLICT':
      throw conflict('that idempotency key was used for a different request', { field: field('idempotencyKey') });
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
        field: field('amount'),
      });
    default:
      throw new Error(`unexpected posting outcome ${r.outcome}`);
  }
}

/** Drops idempotency claims older than their 30 days (a maintenance task; postings ignore them already). */
export async function pruneIdempotencyClaims(em: EntityManager): Promise<number> {
  return pruneIdempotencyClaimRows(em);
}

/** A correction: the reverse transfer of an original, referencing it; each transfer is reversed at most once. */
export async function reverse(em: EntityManager, original: TransferRow, key: string, reason: string, userId: string, on: string): Promise<TransferRow> {
  if (original.reverses) throw badInput('transferId', 'a reversal cannot itself be reversed; post a new transfer');
  const accounts = await accountsByIds(em, [original.debitAccount, original.creditAccount]);
  const side = (id: string): Side => {
    const a = accounts.find((x) => x.id === id);
    if (!a) throw notFound('transfer');
    return { unit: { id: a.unitId, path: a.unitPath }, kind: a.kind };
  };
  return post(em, {
    key, kind: original.kind, fund: original.fund, year: original.year, debit: side(original.creditAccount), credit: side(original.debitAccount),
    amount: original.amount, occurredOn: on, note: reason, reverses: original.id, userId,
  });
}
