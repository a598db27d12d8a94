// SQL of the reporters' monthly subsidy (信息员补贴): bound parameters, camelCase typed rows.
import { TENANT_KEYS, executeBound, fillTenantKeysSql, tenantTableSql, type EntityManager } from '@jiceng/db';

/** One row per reporter and month paid: a reporter is paid a month once, whatever the voucher or key. */
export const subsidySql = `
create table reporter_subsidy (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  reporter_id bigint not null references app_user (id),
  month date not null check (extract(day from month) = 1),
  transfer_id bigint not null references transfer (id),
  paid_by bigint not null references app_user (id),
  created_at timestamptz not null default now(),
  unique (reporter_id, month)
);
${tenantTableSql('reporter_subsidy')}
${fillTenantKeysSql('reporter_subsidy')}
create trigger reporter_subsidy_append_only before update or delete on reporter_subsidy
  for each row execute function jiceng_refuse_change();
`;

export interface SubsidyReporterRow {
  id: string; username: string; displayName: string; roles: string[]; disabled: boolean; unitId: string; unitPath: string;
}

/** The active reporters (REPORTER accounts, not disabled) of the villages under a unit, in tree order. */
export async function activeReporters(em: EntityManager, unitPath: string): Promise<SubsidyReporterRow[]> {
  return executeBound(em,
    `select u.id::text, u.username, u.display_name as "displayName", u.roles, u.disabled, u.unit_id::text as "unitId", u.unit_path::text as "unitPath"
       from tenancy_account u join tenancy_unit v on v.id = u.unit_id and v.level = 'VILLAGE'
      where 'REPORTER' = any (u.roles) and not u.disabled and u.unit_path <@ $1::ltree
      order by u.unit_path, u.id`, [unitPath]);
}

/** Each reporter's lapses in a year, by day (late reports by the day observed; missed and concealed ones by the day they happened). */
export async function lapseDays(em: EntityManager, reporterIds: readonly string[], year: number): Promise<{ reporterId: string; days: string[] }[]> {
  return executeBound(em,
    `with y as (select make_date($2, 1, 1) as a, make_date($2 + 1, 1, 1) as b),
     l as (select w.reported_by as uid, w.observed_on as d from warning w, y
            where w.reported_by = any ($1::bigint[]) and w.late and w.observed_on >= y.a and w.observed_on < y.b
           union all
           select r.reporter_id, r.happened_on from reporter_lapse r, y
            where r.reporter_id = any ($1::bigint[]) and r.happened_on >= y.a and r.happened_on < y.b)
     select uid::text as "reporterId", array_agg(to_char(d, 'YYYY-MM-DD') order by d) as days from l group by uid`, [reporterIds, year]);
}

/** The reporters already paid for a month, with the transfer. */
export async function paidFor(em: EntityManager, reporterIds: readonly string[], month: string): Promise<{ reporterId: string; transferId: string }[]> {
  return executeBound(em,
    `select reporter_id::text as "reporterId", transfer_id::text as "transferId" from reporter_subsidy
      where reporter_id = any ($1::bigint[]) and month = $2::date`, [reporterIds, `${month}-01`]);
}

export async function recordPaid(em: EntityManager, rows: readonly { unitId: string; reporterId: string; transferId: string }[], month: string, by: string): Promise<void> {
  await executeBound(em,
    `insert into reporter_subsidy (unit_id, reporter_id, month, transfer_id, paid_by)
     select u, r, $4::date, t, $5 from unnest($1::bigint[], $2::bigint[], $3::bigint[]) x(u, r, t)`,
    [rows.map((r) => r.unitId), rows.map((r) => r.reporterId), rows.map((r) => r.transferId), `${month}-01`, by]);
}
