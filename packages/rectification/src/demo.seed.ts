import { executeBound, inScope } from '@jiceng/db';
import type { SeedContext } from '@jiceng/tenancy';
import { DEFAULT_STANDARD } from './standards.js';

export const DEMO_YEARS = [2021, 2022, 2023, 2024, 2025] as const;

/**
 * Synthetic ledger over the real Inner Mongolia villages (rural ones; 社区 stay unassessed), shaped
 * like seed 003: 10.1% third category each year, causes 28/8/50/14 %, 87.4% of 2025 cases transformed
 * or later. A village's weakness persists across years with yearly noise, so the relapse patterns of
 * seed 004 appear. Deterministic (hashes of codes), set-based, and skipped when already loaded.
 */
export async function seedRectificationDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [done] = await em.execute(`select 1 from assessment where year = 2025 and unit_path <@ 'cn.r15' limit 1`);
    if (done) return;
    // loaded in bulk: the rollups are built once at the end (a set-based statement each), not per statement
    await em.execute(`select set_config('app.defer_rollups', '1', true)`);
    // h(x) is a deterministic number in [0, 1)
    const h = (expr: string) => `((hashtext(${expr}) & 2147483647)::float8 / 2147483648)`;
    const { thirdCategoryMaxStars: third, firstCategoryMinStars: first } = DEFAULT_STANDARD;
    await executeBound(em, `
      insert into assessment (unit_id, year, stars, category, assessed_at)
      -- the category follows the stars by the rule the demo ships (DOMAIN §2: ≤ 4 third, ≥ 8 first)
      select id, year, stars,
             case when stars <= ${third} then 'THIRD' when stars >= ${first} then 'FIRST' else 'SECOND' end,
             make_date(year, 4, 20)
        from (select id, year,
                     case when third then ${third - 2} + floor(${h("code || 's' || year")} * 3)::int
                          else ${third + 1} + floor(${h("code || 's' || year")} * ${10 - third})::int end as stars
                from (select v.id, v.code, y.year,
                             percent_rank() over (partition by y.year order by 0.7 * ${h('v.code')} + 0.3 * ${h("v.code || y.year")} desc) < 0.101 as third
                        from admin_unit v cross join unnest($1::int[]) as y(year)
                       where v.path <@ 'cn.r15' and v.level = 'VILLAGE' and not v.urban) s) r`,
      [DEMO_YEARS],
    );
    await em.execute(`
      insert into weak_designation (unit_id, year, cause, problem_types, designated_at, paralysed)
      select a.unit_id, a.year,
             case when r < 0.28 then 'WEAK_LAX' when r < 0.36 then 'FINANCIAL_CHAOS' when r < 0.86 then 'BACKWARD_ECONOMY' else 'ACUTE_CONFLICTS' end,
             case when r < 0.28 then '{LEADERSHIP,PARTY_LIFE}' when r < 0.36 then '{ASSETS_CHAOS}' when r < 0.86 then '{ASSETS_CHAOS,OTHER}' else '{INTERFERENCE}' end::text[],
             make_date(a.year, 4, 30),
             -- a few weak/lax teams are paralysed outright (瘫痪班子, seed 002)
             r < 0.02
        from (select a.*, ${h("u.code || 'cause' || a.year")} as r from assessment a join admin_unit u on u.id = a.unit_id
               where a.category = 'THIRD' and a.unit_path <@ 'cn.r15') a`);
    // cases: earlier years mostly ran their course; 2025: 87.4% transformed or later
    await em.execute(`
      insert into rectification_case (unit_id, year, state, plan, publicized_on, responsible_leader, village_secretary, working_group, deadline, transformed_on)
      select t.unit_id, t.year,
             -- a village still weak the next year often never transformed (seed 004: "weak throughout")
             case when t.year < 2025 then case when r < 0.6 and exists (select 1 from rectification_target n where n.unit_id = t.unit_id and n.year = t.year + 1)
                                                then 'RECTIFYING' when r < 0.93 then 'CLOSED' else 'RECTIFYING' end
                  when r < 0.400 then 'TRANSFORMED' when r < 0.700 then 'CONSOLIDATED' when r < 0.874 then 'CLOSED'
                  when r < 0.974 then 'RECTIFYING' else 'IDENTIFIED' end,
             '一村一策（示例）', make_date(t.year, 5, 15), '包保领导（示例）', '村党组织书记（示例）',
             '{工作队员甲,工作队员乙,工作队员丙}', make_date(t.year, 11, 30),
             case when t.year < 2025 or r < 0.874 then make_date(t.year, 7, 1) + (floor(r * 60))::int end
        from (select t.*, ${h("u.code || 'state' || t.year")} as r from rectification_target t join admin_unit u on u.id = t.unit_id
               where t.unit_path <@ 'cn.r15') t`);
    // a later case of a village that had transformed is a relapse of the earlier one
    await em.execute(`
      with linked as (
        select c.id, (select p.id from rectification_case p where p.unit_id = c.unit_id and p.year < c.year order by p.year desc limit 1) as prev
          from rectification_case c where c.unit_path <@ 'cn.r15')
      update rectification_case c set previous_case_id = l.prev from linked l, rectification_case p
       where l.id = c.id and p.id = l.prev and p.state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED')`);
    // the year's course (transformed on transformed_on, otherwise where it stood on 30 November), then
    // the relapse when the village is a target again (its next assessment, 20 April): past years keep
    // their year-end states (dashboard.service.ts)
    await em.execute(`
      insert into case_transition (case_id, unit_id, from_state, to_state, reason, at, happened_on)
      select id, unit_id, 'IDENTIFIED', state, '示例数据', d, d
        from (select c.*, coalesce(c.transformed_on, make_date(c.year, 11, 30)) as d from rectification_case c where c.unit_path <@ 'cn.r15') c`);
    await em.execute(`
      with relapsing as (
        select p.id, p.unit_id, p.state, make_date(c.year, 4, 20) as d from rectification_case p join rectification_case c on c.previous_case_id = p.id
         where p.unit_path <@ 'cn.r15' and p.state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED')),
      relapsed as (update rectification_case p set state = 'RELAPSED' from relapsing r where p.id = r.id)
      insert into case_transition (case_id, unit_id, from_state, to_state, reason, at, happened_on)
      select id, unit_id, state, 'RELAPSED', '示例数据：再次列为整顿对象', d, d from relapsing`);
    await em.execute(`
      insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on, resolved_on, evidence)
      select c.id, c.unit_id, p.problem, p.measure, '包保领导（示例）', make_date(c.year, p.month, 30),
             case when c.state <> 'IDENTIFIED' and (c.state <> 'RECTIFYING' or p.month = 6) then make_date(c.year, p.month, 20) end,
             case when c.state <> 'IDENTIFIED' and (c.state <> 'RECTIFYING' or p.month = 6) then '整改材料已归档（示例）' end
        from rectification_case c
        cross join (values ('班子配备不齐', '选优配强村党组织书记', 6), ('三会一课不规范', '建立组织生活台账', 9)) as p(problem, measure, month)
       where c.unit_path <@ 'cn.r15' and c.year = 2025`);
    await em.execute(`insert into key_target (unit_id, year) select unit_id, year from rectification_target where year = 2025 and unit_path <@ 'cn.r15'`);
    await em.execute(`
      insert into complaint (unit_id, received_on, summary, reply_working_days, reply_due_on, replied_on, result)
      select unit_id, d, '群众来信（示例）', 3, d + case extract(isodow from d)::int when 4 then 5 when 5 then 5 when 6 then 4 else 3 end,
             case when r < 0.9 then d + 2 end, case when r < 0.9 then '已核查处理（示例）' end
        from (select c.unit_id, make_date(2025, 3, 1) + (floor(${h("u.code || 'complaint'")} * 240))::int as d, ${h("u.code || 'reply'")} as r
                from rectification_case c join admin_unit u on u.id = c.unit_id
               where c.year = 2025 and c.unit_path <@ 'cn.r15' and ${h("u.code || 'has-complaint'")} < 0.3) x`);
    await em.execute(`select set_config('app.defer_rollups', '', true), jiceng_rebuild_rollups()`);
    log.info('rectification demo loaded', { years: DEMO_YEARS.length });
  });
}
