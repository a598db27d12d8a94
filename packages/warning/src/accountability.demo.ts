// Demo reporter accountability (seed 002): beside demo-reporter's three late reports (3+ → suspension),
// two more reporters of 天义镇 with one missed report (criticism) and a missed and a concealed one
// (county-wide notice), and five station failures in 宁城县's townships in 2025.
import { executeBound, inScope } from '@jiceng/db';
import { DEMO_PASSWORD, hashPassword, type SeedContext } from '@jiceng/tenancy';

const TIANYI = '150429100000'; // 天义镇, 宁城县 (demo-reporter, demo-manager, demo-station)

export async function seedAccountabilityDemo({ orm, log }: SeedContext, township = TIANYI): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [done] = await em.execute(`select 1 from reporter_lapse limit 1`);
    const [station] = await executeBound<{ id: string; county: string }>(em,
      `select coalesce((select id from app_user where username = 'demo-county'), u.id)::text as id, t.parent_id::text as county
         from app_user u join admin_unit t on t.id = u.unit_id where u.username = 'demo-station'`, []);
    if (done || !station) return;
    // the second and third villages of the township (the first is demo-reporter's)
    const villages = await executeBound<{ id: string; name: string }>(em,
      `select v.id::text, v.name from admin_unit v join admin_unit t on v.parent_id = t.id where t.code = $1 and v.level = 'VILLAGE' order by v.code offset 1 limit 2`, [township]);
    if (villages.length < 2) return;
    const hash = await hashPassword(DEMO_PASSWORD);
    const users = await executeBound<{ id: string }>(em,
      `insert into app_user (username, display_name, password_hash, unit_id, roles)
       values ('demo-reporter-2', $2 || '信息员 (demo)', $1, $3, array['REPORTER']), ('demo-reporter-3', $4 || '信息员 (demo)', $1, $5, array['REPORTER'])
       on conflict (username) do update set username = excluded.username returning id::text`,
      [hash, villages[0]!.name, villages[0]!.id, villages[1]!.name, villages[1]!.id]);
    await executeBound(em,
      `insert into reporter_lapse (unit_id, reporter_id, kind, indicator_code, happened_on, note, recorded_by) values
         ($1, $2, 'MISSED', 'NC03-01', '2025-04-16', '乡站先行发现并记录', $5),
         ($3, $4, 'MISSED', 'SA01-02', '2025-05-20', '乡站先行发现并记录', $5),
         ($3, $4, 'CONCEALED', 'PI02-01', '2025-09-08', '县中心抽查发现隐瞒不报', $5)`,
      [villages[0]!.id, users[0]!.id, villages[1]!.id, users[1]!.id, station.id]);
    await executeBound(em,
      `insert into station_failure (unit_id, happened_on, note, recorded_by)
       select t.id, date '2025-03-01' + (row_number() over (order by t.code))::int * 40, '动态管理站未及时上报指标变化', $2
         from admin_unit t where t.parent_id = $1 and t.level = 'TOWNSHIP' order by t.code limit 5`, [station.county, station.id]);
    log.info('warning accountability demo loaded');
  });
}
