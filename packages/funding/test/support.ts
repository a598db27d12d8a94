import { afterAll, expect, type TestApp } from '@jiceng/testkit';

let seq = 0;
/** A fresh idempotency key. */
export const key = (s: string) => `${s}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`;
export const UNIT_ID = `query($c: String!) { adminUnit(code: $c) { id } }`;

/** Checks the ledger of the file's database after all its tests: call the returned function with the app. */
export function checkLedgerAfterAll(): (app: TestApp) => void {
  let used: TestApp | undefined;
  afterAll(async () => {
    if (used) await expectLedgerConsistent(used);
  });
  return (app) => {
    used = app;
  };
}

/**
 * The ledger's invariants over a whole test database: debits equal credits, each transfer has one
 * debit and one credit entry of the same size, every balance is the sum of its entries, and the
 * per-county rollup (compacted plus pending) equals the accounts it summarises.
 */
export async function expectLedgerConsistent(app: TestApp): Promise<void> {
  await app.asOwner(async (em) => {
    const [total] = await em.execute<{ s: string | null }[]>(`select sum(amount)::text as s from entry`);
    expect(total!.s ?? '0').toBe('0');
    const drift = await em.execute(`select a.id from account a left join entry e on e.account_id = a.id group by a.id having a.balance <> coalesce(sum(e.amount), 0)`);
    expect(drift).toEqual([]);
    const unbalanced = await em.execute(`select transfer_id from entry group by transfer_id having sum(amount) <> 0 or count(*) <> 2`);
    expect(unbalanced).toEqual([]);
    const rollupDrift = await em.execute(
      `with truth as (select jiceng_rollup_path(unit_path) as p, fund, year, kind, sum(balance) as amount from account group by 1, 2, 3, 4),
            rolled as (select unit_path as p, fund, year, kind, sum(amount) as amount
                         from (select unit_path, fund, year, kind, amount from fund_rollup union all
                               select unit_path, fund, year, kind, amount from fund_rollup_delta) r group by 1, 2, 3, 4)
       select * from truth full join rolled using (p, fund, year, kind)
        where coalesce(truth.amount, 0) <> coalesce(rolled.amount, 0)`,
    );
    expect(rollupDrift).toEqual([]);
  });
}
