import { TENANT_KEYS, configTableSql, fillTenantKeysSql, tenantTableSql, type Migration } from '@jiceng/db';

// The core ledger tables other modules read (pairing: targets and causes; funding: transformed villages).
const core = `
create table assessment (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
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
  ${TENANT_KEYS},
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
  ${TENANT_KEYS},
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


// Standards per region with an effective year; cases in full; problem items, transitions,
// acceptance, complaints and key targets.
const ledger = `
create table rectification_standard (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  effective_year integer not null,
  third_category_max_stars smallint not null default 4 check (third_category_max_stars between 0 and 10),
  first_category_min_stars smallint not null default 8 check (first_category_min_stars between 0 and 10),
  key_target_share numeric(4,3) not null default 0.100 check (key_target_share between 0 and 1),
  working_group_min smallint not null default 3 check (working_group_min >= 1),
  satisfaction_min numeric(4,3) not null default 0.800 check (satisfaction_min between 0 and 1),
  consolidation_months smallint not null default 6 check (consolidation_months >= 0),
  complaint_reply_working_days smallint not null default 3 check (complaint_reply_working_days >= 1),
  problem_types text[] not null default '{LEADERSHIP,PARTY_LIFE,VILLAGE_COMMITTEE,ABUSE_OF_POWER,MEMBER_MANAGEMENT,ASSETS_CHAOS,INTERFERENCE,OTHER}',
  unique (unit_id, effective_year)
);
${configTableSql('rectification_standard')}
${fillTenantKeysSql('rectification_standard')}

-- public holidays and make-up workdays (调休) per region
create table calendar_day (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  day date not null,
  kind text not null check (kind in ('HOLIDAY', 'WORKDAY')),
  unique (unit_id, day)
);
${configTableSql('calendar_day')}
${fillTenantKeysSql('calendar_day')}

alter table rectification_case
  add column facts text,
  add column causes text,
  add column plan text,
  add column publicized_on date,
  add column responsible_leader text,
  add column village_secretary text,
  add column working_group text[] not null default '{}',
  add column deadline date,
  add column transformed_on date;
create index rectification_case_year_state on rectification_case (year, state);

create table case_transition (
  id bigint generated always as identity primary key,
  case_id bigint not null references rectification_case (id),
  ${TENANT_KEYS},
  from_state text not null,
  to_state text not null,
  reason text not null,
  by_user bigint references app_user (id),
  at timestamptz not null default now()
);
create index case_transition_case on case_transition (case_id, at);
${tenantTableSql('case_transition')}
${fillTenantKeysSql('case_transition')}

create table problem_item (
  id bigint generated always as identity primary key,
  case_id bigint not null references rectification_case (id),
  ${TENANT_KEYS},
  problem text not null,
  measure text not null,
  responsible text not null,
  due_on date not null,
  resolved_on date,
  evidence text,
  created_at timestamptz not null default now(),
  check ((resolved_on is null) = (evidence is null))
);
create index problem_item_case on problem_item (case_id);
${tenantTableSql('problem_item')}
${fillTenantKeysSql('problem_item')}

create table acceptance (
  id bigint generated always as identity primary key,
  case_id bigint not null references rectification_case (id),
  ${TENANT_KEYS},
  accepted_on date not null,
  satisfaction_rate numeric(4,3) not null check (satisfaction_rate between 0 and 1),
  note text,
  by_user bigint references app_user (id)
);
create index acceptance_case on acceptance (case_id);
${tenantTableSql('acceptance')}
${fillTenantKeysSql('acceptance')}

create table complaint (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  received_on date not null,
  summary text not null,
  reply_due_on date not null,
  replied_on date,
  result text,
  check ((replied_on is null) = (result is null))
);
${tenantTableSql('complaint')}
${fillTenantKeysSql('complaint')}

create table key_target (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  year integer not null,
  marked_by bigint references app_user (id),
  unique (unit_id, year)
);
${tenantTableSql('key_target')}
${fillTenantKeysSql('key_target')}
`;

// The targets view as a union: filters on path and year reach the tables' indexes (a full join on
// coalesce(...) hid them), same columns and meaning as before.
const targetsUnion = `
create index assessment_third_year on assessment (year) where category = 'THIRD';
create index weak_designation_year on weak_designation (year);
create or replace view rectification_target with (security_invoker = true) as
  select unit_id, unit_path, county_id, year, max(cause) as cause
    from (select unit_id, unit_path, county_id, year, null::text as cause from assessment where category = 'THIRD'
          union all
          select unit_id, unit_path, county_id, year, cause from weak_designation) t
   group by unit_id, unit_path, county_id, year;
`;

// Township accountability thresholds (seed 002) are standards too.
const accountabilityThresholds = `
alter table rectification_standard
  add column criticism_at smallint not null default 1 check (criticism_at >= 1),
  add column one_grade_down_at smallint not null default 2,
  add column two_grades_down_at smallint not null default 3,
  add check (criticism_at <= one_grade_down_at and one_grade_down_at <= two_grades_down_at);
`;

// The day each transition happened (not when it was recorded): a year's figures count each case in the
// state it had at the end of that year (dashboard.service.ts). Existing rows take their recording day.
const transitionDates = `
alter table case_transition add column occurred_on date;
select set_config('app.scopes', '{cn}', true);
update case_transition set occurred_on = at::date;
select set_config('app.scopes', '', true);
alter table case_transition alter column occurred_on set default current_date, alter column occurred_on set not null;
create index case_transition_case_on on case_transition (case_id, occurred_on, id);
`;

export const rectificationMigrations: Migration[] = [
  { id: '0200_rectification_core', sql: core },
  { id: '0201_rectification_ledger', sql: ledger },
  { id: '0202_rectification_targets_union', sql: targetsUnion },
  { id: '0203_rectification_accountability_thresholds', sql: accountabilityThresholds },
  { id: '0240_rectification_transition_dates', sql: transitionDates },
];
