import { TENANT_KEYS, configFromAboveSql, configTableSql, fillTenantKeysSql, tenantTableSql } from '@jiceng/db';

// Reporter accountability (信息员责任追究, seed 002) and station failures.
export const accountabilitySql = `
-- The accountability standard, set on a unit for its subtree from a date on: a report is late when it
-- arrives more than late_after_working_days after it was observed; a reporter's lapses in a year
-- (late + missed + concealed) reach a consequence at each threshold (seed 002, Cao county: 1, 2, 3).
create table warning_accountability_standard (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  effective_on date not null,
  late_after_working_days integer not null check (late_after_working_days between 0 and 60),
  criticism_from integer not null check (criticism_from >= 1),
  county_notice_from integer not null,
  suspension_from integer not null,
  check (criticism_from < county_notice_from and county_notice_from < suspension_from),
  unique (unit_id, effective_on)
);
${configTableSql('warning_accountability_standard')}
${fillTenantKeysSql('warning_accountability_standard')}
${configFromAboveSql('warning_accountability_standard')}

-- A reporter's missed (a station or inspector recorded the matter first) or concealed (an inspection
-- found it hidden) report, on the reporter's village. Late reports are the warnings flagged late.
create table reporter_lapse (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  reporter_id bigint not null references app_user (id),
  kind text not null check (kind in ('MISSED', 'CONCEALED')),
  indicator_code text not null,
  happened_on date not null,
  note text not null check (length(note) between 1 and 2000),
  recorded_by bigint not null references app_user (id),
  recorded_at timestamptz not null default now()
);
create index reporter_lapse_reporter on reporter_lapse (reporter_id, happened_on);
${tenantTableSql('reporter_lapse')}
${fillTenantKeysSql('reporter_lapse')}

-- A township station that failed to report indicator changes (counts in the township's assessment).
create table station_failure (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  happened_on date not null,
  note text not null check (length(note) between 1 and 2000),
  recorded_by bigint not null references app_user (id),
  recorded_at timestamptz not null default now()
);
${tenantTableSql('station_failure')}
${fillTenantKeysSql('station_failure')}
`;
