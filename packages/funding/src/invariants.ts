import type { EntityManager } from '@jiceng/db';

export interface LedgerProblems {
  /** sum of all entries (must be 0: debits equal credits) */
  entrySum: string;
  /** accounts whose balance is not the sum of their entries */
  driftingAccounts: string[];
  /** transfers without exactly one debit and one credit of the same size */
  unbalancedTransfers: string[];
  /** rollup keys whose compacted plus pending amount differs from the accounts they sum up */
  rollupDrift: { path: string; fund: string; year: number; kind: string; accounts: string; rollup: string }[];
  /** villages holding more than one award not reversed (the award is once per village, in any year) */
  awardedTwice: string[];
}

/** The ledger's invariants, checked over everything the scope sees (the whole country for a full check). */
export async function ledgerProblems(em: EntityManager): Promise<LedgerProblems> {
  const [total] = await em.execute<{ s: string | null }[]>(`select sum(amount)::text as s from entry`);
  const drift = await em.execute<{ id: string }[]>(
    `select a.id from account a left join entry e on e.account_id = a.id group by a.id having a.balance <> coalesce(sum(e.amount), 0)`,
  );
  const unbalanced = await em.execute<{ id: string }[]>(
    `select transfer_id as id from entry group by transfer_id having sum(amount) <> 0 or count(*) <> 2 or count(*) filter (where amount < 0) <> 1`,
  );
  const rollup = await em.execute<any[]>(
    `with truth as (select jiceng_rollup_path(unit_path) as p, fund, year, kind, sum(balance) as amount from account group by 1, 2, 3, 4),
          rolled as (select unit_path as p, fund, year, kind, sum(amount) as amount
                       from (select unit_path, fund, year, kind, amount from fund_rollup union all
                             select unit_path, fund, year, kind, amount from fund_rollup_delta) r group by 1, 2, 3, 4)
     select p::text as path, fund, year, kind, coalesce(truth.amount, 0)::text as accounts, coalesce(rolled.amount, 0)::text as rollup
       from truth full join rolled using (p, fund, year, kind)
      where coalesce(truth.amount, 0) <> coalesce(rolled.amount, 0)`,
  );
  const twice = await em.execute<{ id: string }[]>(
    `select t.unit_id as id from transfer t where t.kind = 'AWARD' and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id)
      group by t.unit_id having count(*) > 1 order by t.unit_id`,
  );
  return {
    entrySum: total!.s ?? '0',
    driftingAccounts: drift.map((r) => String(r.id)),
    unbalancedTransfers: unbalanced.map((r) => String(r.id)),
    rollupDrift: rollup,
    awardedTwice: twice.map((r) => String(r.id)),
  };
}
