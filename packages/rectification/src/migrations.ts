import { fillTenantKeysSql, tenantTableSql, type Migration } from '@jiceng/db';

// The core ledger tables other modules read (pairing: targets and causes; funding: transformed villages).
const core = `
create table assessment (
  id bigint generated always as identity primary key,
  unit_id bigint not null references admin_unit (id),
  unit_path ltree not null,
  county_id bigint,
  year integer not null check (year between 2000 and 2100),
  stars smallint not null check (stars between 0 and 10),
  -- derived from the configured thresholds when recorded, kept so history does not shift
  category text not null check (category in ('FIRST', 'SECOND', 'THIRD')),
  assessed_by bigint references app_user (id),
  assessed_at timestamptz not null default now(),
  unique (unit_id, year)
);
${tenantTableSql('assessment')}
${fillTenantKeysSql('assessment')}

create table weak_designation (
  id bigint generated always as identity primary key,
  unit_id bigint not null references admin_unit (id),
  unit_path ltree not null,
  county_id bigint,
  year integer not null check (year between 2000 and 2100),
  cause text not null check (cause in ('WEAK_LAX', 'FINANCIAL_CHAOS', 'BACKWARD_ECONOMY', 'ACUTE_CONFLICTS')),
  problem_types text[] not null default '{}',
  designated_by bigint references app_user (id),
  designated_at timestamptz not null default now(),
  unique (unit_id, year)
);
${tenantTableSql('weak_designation')}
${fillTenantKeysSql('weak_designation')}

create table rectification_case (
  id bigint generated always as identity primary key,
  unit_id bigint not null references admin_unit (id),
  unit_path ltree not null,
  county_id bigint,
  year integer not null check (year between 2000 and 2100),
  state text not null default 'IDENTIFIED'
    check (state in ('IDENTIFIED', 'RECTIFYING', 'TRANSFORMED', 'CONSOLIDATED', 'CLOSED', 'RELAPSED')),
  previous_case_id bigint references rectification_case (id),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (unit_id, year)
);
${tenantTableSql('rectification_case')}
${fillTenantKeysSql('rectification_case')}

-- Rectification targets of a year: third-category villages and villages designated weak, with the
-- cause when designated. security_invoker: the caller's RLS applies through the view.
create view rectification_target with (security_invoker = true) as
  select coalesce(a.unit_id, d.unit_id) as unit_id,
         coalesce(a.unit_path, d.unit_path) as unit_path,
         coalesce(a.county_id, d.county_id) as county_id,
         coalesce(a.year, d.year) as year,
         d.cause
    from (select * from assessment where category = 'THIRD') a
    full join weak_designation d on d.unit_id = a.unit_id and d.year = a.year;
grant select on rectification_target to :api_role;
`;

export const rectificationMigrations: Migration[] = [{ id: '0200_rectification_core', sql: core }];
