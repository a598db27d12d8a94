import { inScope } from '@jiceng/db';
import type { SeedContext } from '@jiceng/tenancy';

/**
 * A year (2025) of synthetic funding over the demo region: appropriations, office and activity funds
 * allocated to every rural village, most of them paid, some spending, and the award for transformed
 * villages. Written through the same ledger tables (transfers with both entries and balances), set-based.
 */
export async function seedFundingDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [region] = await em.execute<{ id: string }[]>(`select id from admin_unit where code = '150000000000'`);
    if (!region) return;
    const [done] = await em.execute(`select 1 from transfer where idempotency_key like 'demo-2025:%' limit 1`);
    if (done) return;
    await em.execute(`
      create temporary table demo_flow on commit drop as
      with v as (
        select id, path, party_members, ((hashtext(code || 'pay') & 2147483647)::float8 / 2147483648) as r
          from admin_unit where path <@ 'cn.r15' and level = 'VILLAGE' and not urban)
      select f.* from (
        select 'OFFICE' as fund, v.id as village, 5000000::bigint as amount, v.r from v
        union all select 'ACTIVITY', v.id, 30000::bigint * coalesce(v.party_members, 0), v.r from v where coalesce(v.party_members, 0) > 0
      ) f`);
    // every flow: (key, kind, fund, debit unit/kind, credit unit/kind, amount, date, voucher/category/receipt)
    await em.execute(`
      create temporary table demo_transfer on commit drop as
      select 'demo-2025:appropriate:' || fund as key, 'APPROPRIATE' as kind, fund, ?::bigint as debit_unit, 'SOURCE' as debit_kind,
             ?::bigint as credit_unit, 'BUDGET' as credit_kind, sum(amount) as amount, date '2025-02-15' as on_date, null as voucher, null as category, null as receipt
        from demo_flow group by fund
      union all
      select 'demo-2025:award-pool', 'APPROPRIATE', 'AWARD', ?, 'SOURCE', ?, 'POOL', 11300000000, date '2025-02-15', null, null, null
      union all
      select 'demo-2025:allocate:' || fund || ':' || village, 'ALLOCATE', fund, ?, 'BUDGET', village, 'BUDGET', amount,
             date '2025-03-01' + (floor(r * 20))::int, null, null, null from demo_flow
      union all
      select 'demo-2025:disburse:' || fund || ':' || village, 'DISBURSE', fund, village, 'BUDGET', village, 'CASH', amount,
             date '2025-03-25' + (floor(r * 60))::int, 'PZ-2025-' || left(fund, 1) || village, null, null from demo_flow where r < 0.85
      union all
      select 'demo-2025:spend:' || fund || ':' || village, 'SPEND', fund, village, 'CASH', village, 'SPENT', amount * 6 / 10,
             date '2025-07-01' + (floor(r * 90))::int, null, '办公用品及活动场所维护', 'SJ-' || village from demo_flow where r < 0.4
      union all
      -- once per village, whatever its cases (award_grant_once); vouchers once per county and year (voucher_use_once)
      select distinct on (c.unit_id) 'demo-2025:award:' || c.unit_id, 'AWARD', 'AWARD', ?::bigint, 'POOL', c.unit_id, 'CASH', 10000000::bigint, date '2025-12-10', null, null, null
        from rectification_case c where c.year = 2025 and c.state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED') and c.unit_path <@ 'cn.r15'`,
      [region.id, region.id, region.id, region.id, region.id, region.id]);
    // accounts are created with their final balances (the sum of the entries written below)
    await em.execute(`
      insert into account (unit_id, fund, year, kind, balance)
      select unit, fund, 2025, kind, sum(amount) from (
        select debit_unit as unit, fund, debit_kind as kind, -amount as amount from demo_transfer
        union all select credit_unit, fund, credit_kind, amount from demo_transfer) a
      group by unit, fund, kind`);
    await em.execute(`
      insert into transfer (idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year,
                            unit_id, unit_path, county_id, occurred_on, voucher, category, receipt, note)
      select t.key, 'demo', t.kind, da.id, ca.id, da.unit_path, ca.unit_path, t.amount, t.fund, 2025,
             s.unit_id, s.unit_path, s.county_id, t.on_date, t.voucher, t.category, t.receipt, '示例数据'
        from demo_transfer t
        join account da on da.unit_id = t.debit_unit and da.fund = t.fund and da.year = 2025 and da.kind = t.debit_kind
        join account ca on ca.unit_id = t.credit_unit and ca.fund = t.fund and ca.year = 2025 and ca.kind = t.credit_kind
        -- the transfer hangs on the deeper of its two accounts' units
        join account s on s.id = case when nlevel(ca.unit_path) >= nlevel(da.unit_path) then ca.id else da.id end`);
    await em.execute(`
      insert into entry (transfer_id, account_id, amount, unit_id, unit_path, county_id)
      select t.id, t.debit_account, -t.amount, a.unit_id, a.unit_path, a.county_id from transfer t join account a on a.id = t.debit_account where t.idempotency_key like 'demo-2025:%'
      union all
      select t.id, t.credit_account, t.amount, a.unit_id, a.unit_path, a.county_id from transfer t join account a on a.id = t.credit_account where t.idempotency_key like 'demo-2025:%'`);
    await em.execute(`select jiceng_rebuild_fund_rollup()`);
    // fresh statistics, so the first dashboards plan with real row counts
    await em.execute(`analyze account, transfer, entry, fund_rollup`);
    log.info('funding demo loaded');
  });
}
