import { TENANT_KEYS, configFromAboveSql, configTableSql, fillTenantKeysSql, rollupTableSql, tenantTableSql, type Migration } from '@jiceng/db';
import { RECTIFICATION_ROLLUP } from './rollup.js';

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

// Standards and calendar days are set from strictly above the unit they apply to (a township never sets
// its own, a county never its own); public holidays and make-up workdays belong to a region.
const fromAbove = `
${configFromAboveSql('rectification_standard')}
${configFromAboveSql('calendar_day')}
create function jiceng_calendar_day_on_region() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from admin_unit u where u.id = new.unit_id and u.level = 'REGION') then
    raise exception 'calendar days are set on a region' using errcode = '23514';
  end if;
  return new;
end $$;
create trigger calendar_day_on_region before insert or update of unit_id on calendar_day
  for each row execute function jiceng_calendar_day_on_region();
`;

// The lifecycle as it happened (issue 11): each transition carries the date it happened, not the day it
// was typed in; WITHDRAWN for an untouched case whose village was re-rated out of the third category;
// closedOn; the consolidation default fitted to seed 000's timeline (consolidation July–October).
const lifecycleDates = `
alter table case_transition add column happened_on date;
-- rows written before (and by code that does not name the date) take the day they were recorded
create function case_transition_happened_on() returns trigger language plpgsql as $$
begin
  if new.happened_on is null then new.happened_on := new.at::date; end if;
  return new;
end $$;
create trigger case_transition_happened_on before insert or update on case_transition
  for each row execute function case_transition_happened_on();
select set_config('app.scopes', '{cn}', true);
update case_transition set happened_on = at::date;
select set_config('app.scopes', '', true);
alter table case_transition alter column happened_on set not null;
create index case_transition_case_on on case_transition (case_id, happened_on);

alter table rectification_case drop constraint rectification_case_state_check;
alter table rectification_case add constraint rectification_case_state_check
  check (state in ('IDENTIFIED', 'RECTIFYING', 'TRANSFORMED', 'CONSOLIDATED', 'CLOSED', 'RELAPSED', 'WITHDRAWN'));
alter table rectification_case add column closed_on date;
alter table rectification_standard alter column consolidation_months set default 4;
`;

// 瘫痪班子: a paralysed village team is recorded on its designation (a narrower, more severe state
// than the WEAK_LAX cause), and township accountability counts it.
const paralysed = `
alter table weak_designation add column paralysed boolean not null default false,
  add constraint weak_designation_paralysed_weak_lax check (not paralysed or cause = 'WEAK_LAX');
create index weak_designation_paralysed on weak_designation (year) where paralysed;
`;

// A complaint's reply is due N working days after receipt on the calendar as it stands: the number of
// days is kept from receipt, and the due date of every open complaint follows holidays and make-up
// workdays declared later (a trigger on calendar_day).
const complaintDue = `
create function jiceng_add_working_days(p ltree, d date, n integer) returns date
  language plpgsql stable as $$
declare
  remaining integer := n;
  x date := d;
  k text;
begin
  if n is null or n < 0 or n > 366 then raise exception 'working days out of range: %', n; end if;
  while remaining > 0 loop
    x := x + 1;
    -- a make-up workday on any ancestor wins over a holiday, as in WorkingDayCalendar
    select kind into k from calendar_day where unit_path @> p and day = x order by (kind = 'WORKDAY') desc limit 1;
    if k = 'WORKDAY' or (k is null and extract(isodow from x) < 6) then remaining := remaining - 1; end if;
  end loop;
  return x;
end $$;

alter table complaint add column reply_working_days smallint check (reply_working_days between 1 and 366);
select set_config('app.scopes', '{cn}', true);
update complaint c set reply_working_days = greatest(1, (
  select count(*) from generate_series(c.received_on + 1, c.reply_due_on, interval '1 day') g(day)
   where coalesce((select kind = 'WORKDAY' from calendar_day k where k.unit_path @> c.unit_path and k.day = g.day::date
                    order by (kind = 'WORKDAY') desc limit 1), extract(isodow from g.day) < 6)));
select set_config('app.scopes', '', true);
alter table complaint alter column reply_working_days set not null, alter column reply_working_days set default 3;
create index complaint_open on complaint using gist (unit_path) where replied_on is null;

create function calendar_day_moves_complaints() returns trigger language plpgsql as $$
declare
  p ltree := coalesce(new.unit_path, old.unit_path);
  lo date := least(coalesce(new.day, old.day), coalesce(old.day, new.day));
  hi date := greatest(coalesce(new.day, old.day), coalesce(old.day, new.day));
begin
  update complaint c set reply_due_on = jiceng_add_working_days(c.unit_path, c.received_on, c.reply_working_days)
   where c.replied_on is null and c.unit_path <@ p and c.received_on < hi and c.reply_due_on >= lo;
  return null;
end $$;
create trigger calendar_day_moves_complaints after insert or update or delete on calendar_day
  for each row execute function calendar_day_moves_complaints();
`;

// A year's figures count each case in the state it had at the end of that year (dashboard.service.ts),
// from case_transition.happened_on (0220): the index serves "the last transition on or before a day".
const transitionDates = `
drop index case_transition_case_on;
create index case_transition_case_on on case_transition (case_id, happened_on, id);
`;

// Per unit and year, the dashboards' figures over the unit's subtree, kept on write (rollup.ts), and
// built once from the rows already there.
const rollup = `
${rollupTableSql(RECTIFICATION_ROLLUP)}
select jiceng_rectification_rollup_rebuild();
`;

export const rectificationMigrations: Migration[] = [
  { id: '0200_rectification_core', sql: core },
  { id: '0201_rectification_ledger', sql: ledger },
  { id: '0202_rectification_targets_union', sql: targetsUnion },
  { id: '0203_rectification_accountability_thresholds', sql: accountabilityThresholds },
  { id: '0220_rectification_lifecycle_dates', sql: lifecycleDates },
  { id: '0221_rectification_paralysed_teams', sql: paralysed },
  { id: '0222_rectification_complaint_due_follows_calendar', sql: complaintDue },
  { id: '0230_rectification_standards_from_above', sql: fromAbove },
  { id: '0240_rectification_transition_dates', sql: transitionDates },
  { id: '0250_rectification_rollup', sql: rollup },
];
