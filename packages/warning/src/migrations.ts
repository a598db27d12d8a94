import { TENANT_KEYS, configFromAboveSql, configTableSql, fillTenantKeysSql, tenantTableSql, type Migration } from '@jiceng/db';

// Dynamic management "110" (动态管理110, seed 002): an indicator catalogue per region with an effective
// date, a light per village and indicator, warnings raised by reporters and handled up the levels, the
// append-only light history, and a rollup of village lights per unit above the villages.
const warning = `
-- The catalogue (categories → items → indicators) set on a unit for its subtree from a date on.
create table warning_catalog (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  effective_on date not null,
  created_at timestamptz not null default now(),
  unique (unit_id, effective_on)
);
${configTableSql('warning_catalog')}
${fillTenantKeysSql('warning_catalog')}

-- Indicators lie with their catalogue's unit (readable below it, like the catalogue).
create table warning_indicator (
  catalog_id bigint not null references warning_catalog (id),
  ${TENANT_KEYS},
  position smallint not null,
  category_code text not null,
  category_name text not null,
  item_code text not null,
  item_name text not null,
  code text not null check (code ~ '^[A-Z]{2}[0-9]{2}-[0-9]{2}$'),
  name text not null check (length(name) between 1 and 200),
  primary key (catalog_id, code)
);
${configTableSql('warning_indicator')}
${fillTenantKeysSql('warning_indicator')}

-- A warning: one report of a change in one indicator of one village.
create table warning (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  indicator_code text not null,
  level text not null check (level in ('YELLOW', 'RED')),
  severity text not null check (severity in ('MINOR', 'ORDINARY', 'MAJOR')),
  -- who handles it now: 小问题不出村, 一般问题不出乡镇, 重大问题不出县区 (escalation moves it up)
  handler_level text not null check (handler_level in ('VILLAGE', 'TOWNSHIP', 'COUNTY', 'CITY')),
  facts text not null check (length(facts) between 1 and 2000),
  observed_on date not null,
  reported_by bigint not null references app_user (id),
  reported_at timestamptz not null default now(),
  idempotency_key text not null check (length(idempotency_key) between 1 and 100),
  -- reported more than the standard's working days after it was observed
  late boolean not null default false,
  follow_up_due date,
  resolved_on date,
  resolution_note text,
  resolved_by bigint references app_user (id),
  unique (reported_by, idempotency_key)
);
create index warning_open on warning (unit_id, indicator_code) where resolved_on is null;
create index warning_year on warning using gist (unit_path, observed_on);
${tenantTableSql('warning')}
${fillTenantKeysSql('warning')}

-- The light of each indicator of a village that is not GREEN (no row: GREEN).
create table warning_light (
  ${TENANT_KEYS},
  indicator_code text not null,
  light text not null check (light in ('YELLOW', 'RED')),
  primary key (unit_id, indicator_code)
);
${tenantTableSql('warning_light')}
${fillTenantKeysSql('warning_light')}

-- A village's light, its worst indicator; the row is locked while a report changes it.
create table village_light (
  ${TENANT_KEYS},
  light text not null default 'GREEN' check (light in ('GREEN', 'YELLOW', 'RED')),
  changed_at timestamptz not null default now(),
  primary key (unit_id)
);
${tenantTableSql('village_light')}
${fillTenantKeysSql('village_light')}

-- Append-only history of every indicator light change: who, when, from, to, why.
create table light_event (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  indicator_code text not null,
  from_light text not null check (from_light in ('GREEN', 'YELLOW', 'RED')),
  to_light text not null check (to_light in ('GREEN', 'YELLOW', 'RED')),
  village_from text not null check (village_from in ('GREEN', 'YELLOW', 'RED')),
  village_to text not null check (village_to in ('GREEN', 'YELLOW', 'RED')),
  warning_id bigint references warning (id),
  changed_by bigint references app_user (id),
  changed_at timestamptz not null default now(),
  reason text not null
);
${tenantTableSql('light_event')}
${fillTenantKeysSql('light_event')}
create function light_event_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'light_event is append-only';
end $$;
create trigger light_event_append_only before update or delete on light_event
  for each row execute function light_event_append_only();

-- Yellow and red villages per unit above the villages (green = the unit's villages - yellow - red),
-- maintained in the transaction that changes a village's light. Keyed by path: a move carries the rows.
create table warning_rollup (
  unit_path ltree primary key,
  county_id bigint,
  yellow integer not null default 0 check (yellow >= 0),
  red integer not null default 0 check (red >= 0)
);
${tenantTableSql('warning_rollup', 'unit_path', { index: false })}
create index warning_rollup_unit_path_gist on warning_rollup using gist (unit_path);
-- written only by jiceng_warning_roll (as the owner); a unit move rewrites paths and counties
revoke insert, update, delete on warning_rollup from :api_role;
grant update (unit_path, county_id) on warning_rollup to :api_role;
create policy warning_rollup_owner on warning_rollup for all to :owner_role using (true) with check (true);

-- Moves a village's light in the rollup of every unit above it. The caller must see the village; the
-- units above lie outside a reporter's scope, so this runs as the owner.
create function jiceng_warning_roll(p_village ltree, p_from text, p_to text) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  dy integer := (p_to = 'YELLOW')::int - (p_from = 'YELLOW')::int;
  dr integer := (p_to = 'RED')::int - (p_from = 'RED')::int;
begin
  if not (p_village <@ any (jiceng_scopes())) then raise exception 'village outside the scope'; end if;
  if dy = 0 and dr = 0 then return; end if;
  insert into warning_rollup as r (unit_path, yellow, red)
  select subpath(p_village, 0, k), greatest(dy, 0), greatest(dr, 0) from generate_series(2, nlevel(p_village) - 1) k
  on conflict (unit_path) do update set yellow = r.yellow + dy, red = r.red + dr;
end $$;
revoke execute on function jiceng_warning_roll(ltree, text, text) from public;
grant execute on function jiceng_warning_roll(ltree, text, text) to :api_role;

-- The disputes ledger (矛盾纠纷排查).
create table warning_dispute (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  category text not null,
  summary text not null check (length(summary) between 1 and 2000),
  recorded_on date not null,
  resolved_on date,
  explanation text,
  promised_on date,
  recorded_by bigint references app_user (id)
);
create index warning_dispute_year on warning_dispute using gist (unit_path, recorded_on);
${tenantTableSql('warning_dispute')}
${fillTenantKeysSql('warning_dispute')}

-- The villages a dynamic manager (WARNING_MANAGER) is assigned to: their scope (jiceng_principal).
create table warning_manager_village (
  user_id bigint not null references app_user (id),
  ${TENANT_KEYS},
  primary key (user_id, unit_id)
);
${tenantTableSql('warning_manager_village')}
${fillTenantKeysSql('warning_manager_village')}
create policy warning_manager_village_auth on warning_manager_village for select to :auth_role using (true);
grant select on warning_manager_village to :auth_role;
create or replace function jiceng_assigned_scopes(p_user bigint) returns ltree[]
  language sql stable as $$
  select coalesce(array_agg(unit_path), '{}'::ltree[]) from warning_manager_village where user_id = p_user
$$;
`;

import { accountabilitySql } from './accountability.migrations.js';
import { disputeSettlementSql } from './disputes.store.js';
import { escalationHistorySql, escalationKeysSql, lightMoveSql } from './move.migrations.js';
import { departmentNoticesDueSql } from './handling.store.js';
import { subsidySql } from './subsidy.store.js';

// The handling of a warning (handling.store.ts): its append-only history (escalations, notices, ledger).
const handling = `
create table warning_history (
  id bigint generated always as identity primary key,
  warning_id bigint not null references warning (id),
  ${TENANT_KEYS},
  kind text not null check (kind in ('ESCALATED', 'NOTICE_SENT', 'CASE_OPENED')),
  handler_from text check (handler_from in ('VILLAGE', 'TOWNSHIP', 'COUNTY', 'CITY')),
  handler_to text check (handler_to in ('VILLAGE', 'TOWNSHIP', 'COUNTY', 'CITY')),
  follow_up_due date,
  note text not null,
  recorded_by bigint references app_user (id),
  recorded_at timestamptz not null default now()
);
create index warning_history_warning on warning_history (warning_id, id);
${tenantTableSql('warning_history')}
${fillTenantKeysSql('warning_history')}
-- append-only; only the tenancy keys follow a unit move (pairing's jiceng_refuse_change)
create trigger warning_history_append_only before update or delete on warning_history
  for each row execute function jiceng_refuse_change();

-- Every change of a warning's handler level enters its history, whichever path made it: the reason is
-- the transaction's app.escalation_reason (the overdue task sets it), else a worsening indicator.
create function warning_escalated() returns trigger language plpgsql as $$
begin
  insert into warning_history (warning_id, unit_id, kind, handler_from, handler_to, follow_up_due, note)
  values (new.id, new.unit_id, 'ESCALATED', old.handler_level, new.handler_level, new.follow_up_due,
          coalesce(nullif(current_setting('app.escalation_reason', true), ''), 'the indicator worsened'));
  return new;
end $$;
create trigger warning_escalated after update of handler_level on warning
  for each row when (old.handler_level is distinct from new.handler_level) execute function warning_escalated();
`;

// Warning notices (警示通知) the station or centre handling a warning sends to its village; each is also
// an entry of the warning's history (the station ledger reads warnings with their history and notices).
const notices = `
create table warning_notice (
  id bigint generated always as identity primary key,
  warning_id bigint not null references warning (id),
  ${TENANT_KEYS},
  handler_level text not null check (handler_level in ('VILLAGE', 'TOWNSHIP', 'COUNTY', 'CITY')),
  sent_on date not null,
  text text not null check (length(text) between 1 and 2000),
  sent_by bigint not null references app_user (id),
  created_at timestamptz not null default now()
);
create index warning_notice_warning on warning_notice (warning_id, id);
${tenantTableSql('warning_notice')}
${fillTenantKeysSql('warning_notice')}
create trigger warning_notice_append_only before update or delete on warning_notice
  for each row execute function jiceng_refuse_change();
`;

// The county centre's deadline rectification notice (限期整改通知) on a village (or a warning of it), led by
// a department registered in pairing (涉及哪个部门就由哪个部门牵头). The department's accounts read the
// notices addressed to it through jiceng_department_notices (their scope is their paired villages only).
const rectificationNotices = `
create table rectification_notice (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  warning_id bigint references warning (id),
  lead_department_id bigint not null references partner (id),
  deadline date not null,
  text text not null check (length(text) between 1 and 2000),
  issued_on date not null default current_date,
  issued_by bigint not null references app_user (id),
  created_at timestamptz not null default now()
);
create index rectification_notice_department on rectification_notice (lead_department_id, deadline);
${tenantTableSql('rectification_notice')}
${fillTenantKeysSql('rectification_notice')}
create trigger rectification_notice_append_only before update or delete on rectification_notice
  for each row execute function jiceng_refuse_change();
grant select on rectification_notice to :auth_role;
create policy rectification_notice_auth on rectification_notice for select to :auth_role using (true);
create function jiceng_department_notices(p_user bigint) returns setof rectification_notice
  language sql stable security definer set search_path = public, pg_temp as $$
  select n.* from rectification_notice n where n.lead_department_id = jiceng_my_partner(p_user)
$$;
alter function jiceng_department_notices(bigint) owner to :auth_role;
revoke execute on function jiceng_department_notices(bigint) from public;
grant execute on function jiceng_department_notices(bigint) to :api_role;
`;

export const warningMigrations: Migration[] = [
  { id: '0500_warning_lights', sql: warning },
  { id: '0510_warning_history', sql: handling },
  { id: '0511_warning_notice', sql: notices },
  { id: '0512_rectification_notice', sql: rectificationNotices },
  { id: '0513_warning_case', sql: `alter table warning add column case_id bigint references rectification_case (id);` },
  { id: '0530_reporter_accountability', sql: accountabilitySql },
  { id: '0550_dispute_settlement', sql: disputeSettlementSql },
  { id: '0560_warning_rollup_move', sql: lightMoveSql },
  // the catalogue is set through the API from above the region (setIndicatorCatalog), as the database holds too
  { id: '0561_warning_catalog_from_above', sql: `${configFromAboveSql('warning_catalog')}\n${configFromAboveSql('warning_indicator')}` },
  { id: '0562_department_notices_due', sql: departmentNoticesDueSql },
  { id: '0563_escalation_history_per_statement', sql: escalationHistorySql },
  { id: '0564_reporter_subsidy', sql: subsidySql },
  { id: '0590_escalation_history_keys', sql: escalationKeysSql },
];
