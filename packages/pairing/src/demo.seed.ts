import { executeBound, inScope } from '@jiceng/db';
import { hashPassword, type SeedContext } from '@jiceng/tenancy';
import { creditCodeCheckChar } from './credit-code.js';

const h = (expr: string) => `((hashtext(${expr}) & 2147483647)::float8 / 2147483648)`;
const creditCode = (prefix: string, n: number) => {
  const first17 = `91${prefix}${String(n).padStart(9, '0')}`;
  return first17 + creditCodeCheckChar(first17);
};

/**
 * Synthetic partners and pairings over the 2025 targets of the demo region, with realistic gaps
 * (each slot filled with a probability below 1), a few support logs, and `demo-enterprise`, an
 * ENTERPRISE account linked to a region-arranged enterprise paired with a handful of villages.
 */
export async function seedPairingDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [region] = await em.execute<{ id: string }[]>(`select id from admin_unit where code = '150000000000'`);
    if (!region) return;
    const [done] = await em.execute(`select 1 from partner where name = '内蒙古示例企业001'`);
    if (done) return;
    // loaded in bulk: the rollups are built once at the end (a set-based statement each)
    await em.execute(`select set_config('app.defer_rollups', '1', true)`);
    const regionEnterprises = Array.from({ length: 60 }, (_, i) => [`内蒙古示例企业${String(i + 1).padStart(3, '0')}`, creditCode('150000', i + 1)]);
    await executeBound(em,
      `insert into partner (unit_id, kind, name, credit_code, contact)
       select $1, 'ENTERPRISE', n, c, '联系人（示例）' from unnest($2::text[], $3::text[]) as x(n, c)`,
      [region.id, regionEnterprises.map((e) => e[0]), regionEnterprises.map((e) => e[1])],
    );
    const counties = await em.execute<{ id: string; code: string; name: string }[]>(`select id, code, name from admin_unit where path <@ 'cn.r15' and level = 'COUNTY' order by code`);
    await executeBound(em,
      `insert into partner (unit_id, kind, name, credit_code, contact)
       select id, 'ENTERPRISE', n, c, '联系人（示例）' from unnest($1::bigint[], $2::text[], $3::text[]) as x(id, n, c)`,
      [counties.map((c) => c.id), counties.map((c) => `${c.name}示例企业`), counties.map((c, i) => creditCode(c.code.slice(0, 6), 500 + i))],
    );
    await em.execute(`
      insert into partner (unit_id, kind, name, department_type)
      select ?, 'DEPARTMENT', '自治区' || t.label || '示例部门' || g, t.type
        from (values ('PARTY_MASS', '党群'), ('ECONOMIC', '经济'), ('LEGAL_PETITION', '政法信访')) as t(type, label), generate_series(1, 40) g`, [region.id]);
    await em.execute(`insert into partner (unit_id, kind, name) select id, 'LEADER', name || '县级领导（示例）' from admin_unit where path <@ 'cn.r15' and level = 'COUNTY'`);
    await em.execute(`
      insert into partner (unit_id, kind, name, home_org, term_start, term_end)
      select v.county_id, 'FIRST_SECRETARY', v.name || '第一书记（示例）', '选派单位（示例）', date '2024-03-01', date '2027-03-01'
        from rectification_target t join admin_unit v on v.id = t.unit_id where t.year = 2025 and t.unit_path <@ 'cn.r15' and ${h("v.code || 'fs'")} < 0.97`);
    await em.execute(`
      insert into partner (unit_id, kind, name, project_kind, budget, status, home_org)
      select v.county_id, 'PROJECT', v.name || '发展项目' || g || '（示例）', 'SPECIALTY_FARMING', 50000000, 'IN_PROGRESS', v.id::text
        from rectification_target t join admin_unit v on v.id = t.unit_id, generate_series(1, 3) g
       where t.year = 2025 and t.unit_path <@ 'cn.r15' and g <= 1 + floor(${h("v.code || 'pj'")} * 3) and ${h("v.code || 'pjx'")} < 0.9`);
    // pairings from 2025-01-01
    await em.execute(`
      with t as (select t.unit_id, t.cause, v.code, v.name, v.county_id, row_number() over (order by v.code) as n
                   from rectification_target t join admin_unit v on v.id = t.unit_id where t.year = 2025 and t.unit_path <@ 'cn.r15'),
           re as (select id, row_number() over (order by name) - 1 as k from partner where kind = 'ENTERPRISE' and unit_id = ?),
           dept as (select id, department_type, row_number() over (partition by department_type order by name) - 1 as k from partner where kind = 'DEPARTMENT')
      insert into pairing (partner_id, unit_id, starts_on)
      select re.id, t.unit_id, date '2025-01-01' from t join re on re.k = t.n % 60 where ${h("t.code || 're'")} < 0.9
      union all
      select ce.id, t.unit_id, date '2025-01-01' from t join partner ce on ce.kind = 'ENTERPRISE' and ce.unit_id = t.county_id where ${h("t.code || 'ce'")} < 0.85
      union all
      select dept.id, t.unit_id, date '2025-01-01' from t join dept on dept.department_type =
             case t.cause when 'WEAK_LAX' then 'PARTY_MASS' when 'BACKWARD_ECONOMY' then 'ECONOMIC' else 'LEGAL_PETITION' end
             and dept.k = floor(${h("t.code || 'dk'")} * 40) where ${h("t.code || 'de'")} < 0.92
      union all
      select l.id, t.unit_id, date '2025-01-01' from t join partner l on l.kind = 'LEADER' and l.unit_id = t.county_id where ${h("t.code || 'le'")} < 0.95
      union all
      select f.id, t.unit_id, date '2025-01-01' from t join partner f on f.kind = 'FIRST_SECRETARY' and f.name = t.name || '第一书记（示例）' and f.unit_id = t.county_id
      union all
      select p.id, t.unit_id, date '2025-01-01' from t join partner p on p.kind = 'PROJECT' and p.home_org = t.unit_id::text`, [region.id]);
    await em.execute(`
      insert into support_log (partner_id, unit_id, logged_on, visits, people_placed, materials_value, meetings, problems_solved, projects_coordinated, note)
      select p.partner_id, p.unit_id, date '2025-03-01' + g * 60, 1 + floor(${h("p.id || 'v' || g")} * 4)::int, floor(${h("p.id || 'j' || g")} * 12)::int,
             (floor(${h("p.id || 'm' || g")} * 2000000))::bigint, floor(${h("p.id || 'c' || g")} * 2)::int, floor(${h("p.id || 's' || g")} * 3)::int, 0, '示例数据'
        from pairing p join partner pa on pa.id = p.partner_id, generate_series(0, 2) g
       where pa.kind in ('ENTERPRISE', 'LEADER') and p.unit_path <@ 'cn.r15'`);
    const hash = await hashPassword('jiceng-demo');
    await em.execute(
      `with u as (insert into app_user (username, display_name, password_hash, unit_id, roles)
                  values ('demo-enterprise', '内蒙古示例企业001 (demo)', ?, ?, '{ENTERPRISE}') on conflict (username) do nothing returning id)
       insert into partner_account (user_id, partner_id, unit_id)
       select u.id, p.id, p.unit_id from u, partner p where p.name = '内蒙古示例企业001'`,
      [hash, region.id],
    );
    await em.execute(`select set_config('app.defer_rollups', '', true), jiceng_rebuild_rollups()`);
    log.info('pairing demo loaded');
  });
}
