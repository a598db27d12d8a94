import { createHash } from 'node:crypto';
import { AppError, ErrorCode, badInput, conflict, formatYuan, notFound, type Fen } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import type { AdminUnitRow } from '@jiceng/tenancy';

export const FUNDS = ['OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD'] as const;
export type Fund = (typeof FUNDS)[number];
export type AccountKind = 'SOURCE' | 'BUDGET' | 'CASH' | 'SPENT' | 'POOL';
export type TransferKind = 'APPROPRIATE' | 'ALLOCATE' | 'DISBURSE' | 'SPEND' | 'AWARD';

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
  const [t] = await em.execute<TransferRow[]>(`select *, to_char(occurred_on, 'YYYY-MM-DD') as occurred_on from transfer where id = ?`, [id]);
  return t ? { ...t, id: String(t.id), amount: String(t.amount) } : null;
}

/**
 * Posts one transfer: claims the idempotency key, debits (refusing an overdraw with the available
 * balance), credits and writes both entries. A retry with the same key and content returns the
 * original; the same key with other content is CONFLICT. Runs in a savepoint: all or nothing.
 */
export async function post(em: EntityManager, s: TransferSpec): Promise<TransferRow> {
  assertKey(s.key);
  if (s.amount <= 0n) throw badInput('amount', 'must be greater than zero');
  const hash = requestHash(s);
  return em.transactional(async (tx) => {
    // accounts usually exist: look them up, create only the missing ones (no write on the hot path)
    const lookup = () =>
      tx.execute<{ id: string; unit_id: string; kind: string }[]>(
        `select id, unit_id, kind from account where fund = ? and year = ? and ((unit_id = ? and kind = ?) or (unit_id = ? and kind = ?))`,
        [s.fund, s.year, s.debit.unit.id, s.debit.kind, s.credit.unit.id, s.credit.kind],
      );
    let accounts = await lookup();
    if (accounts.length < 2) {
      await tx.execute(`insert into account (unit_id, fund, year, kind) values (?, ?, ?, ?), (?, ?, ?, ?) on conflict do nothing`, [
        s.debit.unit.id, s.fund, s.year, s.debit.kind, s.credit.unit.id, s.fund, s.year, s.credit.kind,
      ]);
      accounts = await lookup();
    }
    const find = (side: Side) => String(accounts.find((a) => String(a.unit_id) === side.unit.id && a.kind === side.kind)!.id);
    const debit = find(s.debit);
    const credit = find(s.credit);
    const subject = deeper(s.debit, s.credit);
    const [claimed] = await tx.execute<TransferRow[]>(
      `insert into transfer (idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year,
                             unit_id, occurred_on, voucher, category, receipt, note, reverses, created_by)
       values (?, ?, ?, ?, ?, ?::ltree, ?::ltree, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (idempotency_key) do nothing returning *, to_char(occurred_on, 'YYYY-MM-DD') as occurred_on`,
      [s.key, hash, s.kind, debit, credit, s.debit.unit.path, s.credit.unit.path, String(s.amount), s.fund, s.year, subject.unit.id,
       s.occurredOn, s.voucher ?? null, s.category ?? null, s.receipt ?? null, s.note ?? null, s.reverses ?? null, s.userId],
    );
    if (!claimed) {
      const [prior] = await tx.execute<{ id: string; request_hash: string }[]>(`select id, request_hash from transfer where idempotency_key = ?`, [s.key]);
      if (!prior) throw conflict('that idempotency key belongs to another tenant\'s request', { field: 'idempotencyKey' });
      if (prior.request_hash !== hash) throw conflict('that idempotency key was used for a different request', { field: 'idempotencyKey' });
      return (await transferById(tx, String(prior.id)))!;
    }
    const [moved] = await tx.execute<{ ok: string }[]>(
      `with d as (update account set balance = balance - ? where id = ? and (kind = 'SOURCE' or balance >= ?) returning id, unit_id),
            c as (update account set balance = balance + ? where id = ? and exists (select 1 from d) returning id, unit_id),
            e as (insert into entry (transfer_id, account_id, amount, unit_id)
                  select ?::bigint, d.id, -?::bigint, d.unit_id from d union all select ?::bigint, c.id, ?::bigint, c.unit_id from c returning 1)
       select (select count(*) from e) as ok`,
      [String(s.amount), debit, String(s.amount), String(s.amount), credit, claimed.id, String(s.amount), claimed.id, String(s.amount)],
    );
    if (Number(moved!.ok) !== 2) {
      const [acc] = await tx.execute<{ balance: string }[]>(`select balance from account where id = ?`, [debit]);
      throw new AppError(ErrorCode.INSUFFICIENT_FUNDS, `only ${formatYuan(acc!.balance)} yuan is available`, {
        available: formatYuan(acc!.balance),
        requested: formatYuan(s.amount),
      });
    }
    return { ...claimed, id: String(claimed.id), amount: String(claimed.amount) };
  });
}

/** A correction: the reverse transfer of an original, referencing it; each transfer is reversed at most once. */
export async function reverse(em: EntityManager, original: TransferRow, key: string, reason: string, userId: string, on: string): Promise<TransferRow> {
  if (original.reverses) throw badInput('transferId', 'a reversal cannot itself be reversed; post a new transfer');
  const [done] = await em.execute(`select 1 from transfer where reverses = ? and idempotency_key <> ?`, [original.id, key]);
  if (done) throw conflict('the transfer has been reversed already');
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
