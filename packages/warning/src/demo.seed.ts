import { executeBound, inScope, type EntityManager } from '@jiceng/db';
import { DEMO_PASSWORD, hashPassword, type SeedContext } from '@jiceng/tenancy';
import { SEED_002_CATALOG, catalogRows } from './catalog.js';
import { insertCatalog } from './warning.store.js';
import { DISPUTE_CATEGORIES } from './disputes.store.js';

const h = (expr: string) => `((hashtext(${expr}) & 2147483647)::float8 / 2147483648)`;
/** Seed 002's figures (菏泽, "近年来"), taken as one year over about 5,000 villages, scaled to the region. */
const SEED = { villages: 5000, yellow: 1867, red: 326, disputes: 2193, disputesResolved: 2011 };
const TOWNSHIP = '150429100000'; // 天义镇, 宁城县

/**
 * Seed 002's catalogue on the demo region; the accounts demo-reporter (a village of 天义镇), demo-manager
 * (its dynamic manager) and demo-station (天义镇's station); a year (2025) of warnings and disputes in the
 * seed's proportions, almost all resolved, so that most villages are green now with some yellow and red.
 * Set-based SQL: lights, rollup and events are derived from the warnings in a few statements.
 */
export async function seedWarningDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [region] = await em.execute<{ id: string; villages: number }[]>(
      `select id::text, coalesce((descendant_counts->>'VILLAGE')::int, 0) as villages from admin_unit where code = '150000000000'`);
    if (!region) return;
    const [done] = await em.execute(`select 1 from warning_catalog where unit_id = ?`, [region.id]);
    if (done) return;
    await insertCatalog(em, region.id, '2025-01-01', catalogRows(SEED_002_CATALOG));
    const ids = await accounts(em);
    if (!ids) return;
    const scale = region.villages / SEED.villages;
    await warnings(em, ids, Math.round(SEED.yellow * scale), Math.round(SEED.red * scale));
    await disputes(em, Math.round(SEED.disputes * scale), Math.round(SEED.disputesResolved * scale));
    log.info('warning demo loaded');
  });
}

async function accounts(em: EntityManager): Promise<{ reporter: string; station: string; village: string } | null> {
  const [village] = await em.execute<{ id: string; name: string }[]>(
    `select v.id::text, v.name from admin_unit v join admin_unit t on v.parent_id = t.id where t.code = ? and v.level = 'VILLAGE' order by v.code limit 1`, [TOWNSHIP]);
  if (!village) return null;
  const hash = await hashPassword(DEMO_PASSWORD);
  const users = await executeBound<{ username: string; id: string }>(em,
    `insert into app_user (username, display_name, password_hash, unit_id, roles)
     select x.u, x.d, $1, x.unit, array[x.r] from (values
       ('demo-reporter', $2 || '信息员 (demo)', $3::bigint, 'REPORTER'),
       ('demo-manager', '天义镇包村干部 · 动态管理员 (demo)', (select id from admin_unit where code = $4), 'WARNING_MANAGER'),
       ('demo-station', '天义镇动态管理站 (demo)', (select id from admin_unit where code = $4), 'WARNING_STATION')) as x(u, d, unit, r)
     on conflict (username) do update set username = excluded.username
     returning username, id::text`, [hash, village.name, village.id, TOWNSHIP]);
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  // the manager is assigned the reporter's village and the next four of the township
  await executeBound(em,
    `insert into warning_manager_village (user_id, unit_id)
     select $1, v.id from admin_unit v join admin_unit t on v.parent_id = t.id where t.code = $2 and v.level = 'VILLAGE'
      order by v.code limit 5 on conflict do nothing`, [id('demo-manager'), TOWNSHIP]);
  return { reporter: id('demo-reporter'), station: id('demo-station'), village: village.id };
}

async function warnings(em: EntityManager, ids: { reporter: string; station: string; village: string }, yellow: number, red: number) {
  // villages drawn by hash; the date, indicator and severity too; ~3% still open (most villages green)
  await executeBound(em,
    `with v as (select id, path, row_number() over (order by ${h("code || 'w'")}) as n, count(*) over () as total
                  from admin_unit where path <@ 'cn.r15' and level = 'VILLAGE'),
          ind as (select code, row_number() over (order by position) - 1 as k from warning_indicator
                   where catalog_id = (select id from warning_catalog where unit_path = 'cn.r15' limit 1)),
          g as (select g, case when g <= $1::int then 'YELLOW' else 'RED' end as level from generate_series(1, $1::int + $2::int) g)
     insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, late,
                          follow_up_due, resolved_on, resolution_note, resolved_by, reported_at)
     select v.id, ind.code, g.level, s.severity, case s.severity when 'MINOR' then 'VILLAGE' when 'ORDINARY' then 'TOWNSHIP' else 'COUNTY' end,
            '示例警示（' || g.level || '）', d.observed, $3, 'demo-' || g.g, false,
            case when s.severity <> 'MINOR' then d.observed + 7 end,
            case when ${h("g.g || 'open'")} >= 0.03 then least(d.observed + 3 + floor(${h("g.g || 'r'")} * 20)::int, date '2025-12-31') end,
            '已处理（示例）', $4, d.observed + interval '10 hours'
       from g
       join v on v.n = 1 + floor(${h("g.g || 'v'")} * (select max(total) from v))::int
       join ind on ind.k = floor(${h("g.g || 'i'")} * 90)::int
       cross join lateral (select date '2025-01-01' + floor(${h("g.g || 'd'")} * 340)::int as observed) d
       cross join lateral (select case when ${h("g.g || 's'")} < 0.5 then 'ORDINARY' when ${h("g.g || 's'")} < 0.8 then 'MINOR' else 'MAJOR' end as severity) s`,
    [yellow, red, ids.station, ids.station]);
  // demo-reporter: three late reports in 2025 (1 / 2 / 3+ accountability), one of them still open
  await executeBound(em,
    `insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, late, follow_up_due, resolved_on, resolution_note, resolved_by, reported_at)
     select $1, c, 'YELLOW', 'ORDINARY', 'TOWNSHIP', '迟报示例', o, $2, 'demo-late-' || k, true, o + 14, case when k < 3 then o + 20 end,
            case when k < 3 then '已处理（示例）' end, case when k < 3 then $3::bigint end, o + interval '8 days'
       from (values (1, 'PB01-02', date '2025-03-03'), (2, 'GD02-01', date '2025-07-07'), (3, 'SA02-02', date '2025-11-03')) as x(k, c, o)`,
    [ids.village, ids.reporter, ids.station]);
  // lights, village lights, rollup and events from the warnings
  await em.execute(`
    insert into warning_light (unit_id, indicator_code, light)
    select unit_id, indicator_code, case when bool_or(level = 'RED') then 'RED' else 'YELLOW' end
      from warning where resolved_on is null and unit_path <@ 'cn.r15' group by 1, 2`);
  await em.execute(`
    insert into village_light (unit_id, light)
    select unit_id, case when bool_or(light = 'RED') then 'RED' else 'YELLOW' end from warning_light where unit_path <@ 'cn.r15' group by 1`);
  await em.execute(`
    insert into warning_rollup (unit_path, yellow, red)
    select subpath(l.unit_path, 0, k), count(*) filter (where light = 'YELLOW'), count(*) filter (where light = 'RED')
      from village_light l, generate_series(2, nlevel(l.unit_path) - 1) k where l.unit_path <@ 'cn.r15' group by 1
    on conflict (unit_path) do update set yellow = excluded.yellow, red = excluded.red`);
  await em.execute(`
    insert into light_event (unit_id, indicator_code, from_light, to_light, village_from, village_to, warning_id, changed_by, changed_at, reason)
    select unit_id, indicator_code, 'GREEN', level, 'GREEN', level, id, reported_by, reported_at, 'report (demo history)' from warning where unit_path <@ 'cn.r15'
    union all
    select unit_id, indicator_code, level, 'GREEN', level, 'GREEN', id, resolved_by, resolved_on + interval '17 hours', 'resolved (demo history)'
      from warning where resolved_on is not null and unit_path <@ 'cn.r15'`);
}

async function disputes(em: EntityManager, total: number, resolved: number) {
  await executeBound(em,
    `with v as (select id, row_number() over (order by ${h("code || 'd'")}) as n, count(*) over () as total from admin_unit where path <@ 'cn.r15' and level = 'VILLAGE'),
          cat as (select c, row_number() over () - 1 as k from unnest($3::text[]) c)
     insert into warning_dispute (unit_id, category, summary, recorded_on, resolved_on, explanation, promised_on)
     select v.id, cat.c, '示例纠纷', d.rec, case when g <= $2::int then d.rec + 5 end,
            case when g > $2::int then '涉及多方，正在协调（示例）' end, case when g > $2::int then date '2026-03-31' end
       from generate_series(1, $1::int) g
       join v on v.n = 1 + floor(${h("g || 'dv'")} * (select max(total) from v))::int
       join cat on cat.k = floor(${h("g || 'dc'")} * cardinality($3::text[]))::int
       cross join lateral (select date '2025-01-01' + floor(${h("g || 'dd'")} * 350)::int as rec) d`,
    [total, resolved, DISPUTE_CATEGORIES]);
}
