import { TENANT_KEYS, configFromAboveSql, configTableSql, fillTenantKeysSql, rollupTableSql, tenantTableSql, widenReadSql, type Migration } from '@jiceng/db';
import { COVERAGE_ROLLUP, SUPPORT_ROLLUP } from './rollup.js';

// "Five ones" (五个一): partners registered by a unit, pairings with villages for a term, the accounts of
// partner users, and their append-only support logs. Pairings feed the partner users' scope.
const pairing = `
create table pairing_standard (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  effective_year integer not null,
  min_enterprises smallint not null default 2,
  min_region_enterprises smallint not null default 1,
  min_projects smallint not null default 1,
  target_projects smallint not null default 3,
  unique (unit_id, effective_year)
);
${configTableSql('pairing_standard')}
${fillTenantKeysSql('pairing_standard')}

create table partner (
  id bigint generated always as identity primary key,
  -- the unit that registered (arranged) the partner
  ${TENANT_KEYS},
  kind text not null check (kind in ('ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECT')),
  name text not null check (length(name) between 1 and 200),
  credit_code text check (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
  contact text,
  department_type text check (department_type in ('PARTY_MASS', 'ECONOMIC', 'LEGAL_PETITION')),
  home_org text,
  term_start date,
  term_end date,
  project_kind text,
  budget bigint check (budget >= 0),
  status text,
  created_at timestamptz not null default now(),
  check (kind <> 'ENTERPRISE' or credit_code is not null),
  check (kind <> 'DEPARTMENT' or department_type is not null)
);
create unique index partner_credit_code on partner (credit_code) where credit_code is not null;
${tenantTableSql('partner')}
${fillTenantKeysSql('partner')}

create table pairing (
  id bigint generated always as identity primary key,
  partner_id bigint not null references partner (id),
  ${TENANT_KEYS},
  starts_on date not null,
  -- exclusive: a term ending on a day and the next starting that day do not overlap
  ends_on date check (ends_on > starts_on),
  made_by bigint references app_user (id),
  created_at timestamptz not null default now(),
  exclude using gist (partner_id with =, unit_id with =, daterange(starts_on, ends_on, '[)') with &&)
);
create index pairing_partner on pairing (partner_id);
create index pairing_unit on pairing (unit_id);
${tenantTableSql('pairing')}
${fillTenantKeysSql('pairing')}

create table partner_account (
  id bigint generated always as identity primary key,
  user_id bigint not null unique references app_user (id),
  partner_id bigint not null references partner (id),
  ${TENANT_KEYS}
);
${tenantTableSql('partner_account')}
${fillTenantKeysSql('partner_account')}

create table support_log (
  id bigint generated always as identity primary key,
  partner_id bigint not null references partner (id),
  ${TENANT_KEYS},
  logged_on date not null,
  visits integer not null default 0 check (visits >= 0),
  people_placed integer not null default 0 check (people_placed >= 0),
  materials_value bigint not null default 0 check (materials_value >= 0),
  meetings integer not null default 0 check (meetings >= 0),
  problems_solved integer not null default 0 check (problems_solved >= 0),
  projects_coordinated integer not null default 0 check (projects_coordinated >= 0),
  note text,
  -- a correction replaces the entry it references in every total
  corrects bigint unique references support_log (id),
  logged_by bigint references app_user (id),
  created_at timestamptz not null default now()
);
create index support_log_partner on support_log (partner_id, logged_on);
${tenantTableSql('support_log')}
${fillTenantKeysSql('support_log')}
create function jiceng_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (to_jsonb(new) - '{unit_path,county_id}'::text[]) = (to_jsonb(old) - '{unit_path,county_id}'::text[]) then
    return new;
  end if;
  raise exception '% rows are append-only', tg_table_name using errcode = '42501';
end $$;
create trigger support_log_append_only before update or delete on support_log for each row execute function jiceng_refuse_change();
revoke update, delete on support_log from :api_role;
grant update (unit_path, county_id) on support_log to :api_role;

-- partner users see the villages their partner is paired with today
grant select on partner_account, pairing to :auth_role;
create policy partner_account_auth on partner_account for select to :auth_role using (true);
create policy pairing_auth on pairing for select to :auth_role using (true);
-- the partner a user speaks for (the link row lies with the partner's unit, outside the user's scope)
create function jiceng_my_partner(p_user bigint) returns bigint
  language sql stable security definer set search_path = public, pg_temp as $$
  select partner_id from partner_account where user_id = p_user
$$;
alter function jiceng_my_partner(bigint) owner to :auth_role;
revoke execute on function jiceng_my_partner(bigint) from public;
grant execute on function jiceng_my_partner(bigint) to :api_role;
create or replace function jiceng_partner_scopes(p_user bigint) returns ltree[]
  language sql stable as $$
  select coalesce(array_agg(distinct p.unit_path), '{}'::ltree[])
    from partner_account a join pairing p on p.partner_id = a.partner_id
   where a.user_id = p_user and p.starts_on <= current_date and (p.ends_on is null or p.ends_on > current_date)
$$;
`;

// A partner is also readable where it serves: a region arranges enterprises for villages all over its
// subtree, and the county and township staff of a paired village (and its co-partners) must see who
// that is, or their coverage misses the region's enterprises. Writing stays with the registering unit.
const partnerWhereItServes = widenReadSql('partner',
  'exists (select 1 from pairing p where p.partner_id = partner.id and p.unit_path <@ any ((select jiceng_scopes())))');

// A pairing is ended (or changed) by the unit that arranged it, or a unit above: a township sees the
// pairings of its villages, but the region's enterprise pairing is the region's to end. Existing rows:
// the unit of the account that made them, else the partner's registering unit (who alone could pair it).
const arrangedBy = `
alter table pairing add column arranged_by bigint references admin_unit (id);
select set_config('app.scopes', '{cn}', true);
update pairing p set arranged_by = coalesce((select u.unit_id from app_user u where u.id = p.made_by),
                                            (select pa.unit_id from partner pa where pa.id = p.partner_id));
select set_config('app.scopes', '', true);
`;

// What a partner user (partner roles only) reads, in the database too: its partner's support entries
// only, and no rectification rows of the villages it serves. jiceng_partner_scopes, which computes the
// partner scope for every request (from jiceng_principal), also records the partner such a request
// speaks for in app.partner_view (transaction-local: a pooled connection reads '' afterwards, "staff").
// Restrictive policies then narrow what the scope's own policies let through.
const RECTIFICATION_TABLES = ['assessment', 'weak_designation', 'rectification_case', 'case_transition', 'problem_item', 'acceptance', 'complaint', 'key_target'];
const STAFF_VIEW = `(select nullif(current_setting('app.partner_view', true), '') is null)`;
const partnerView = `
create or replace function jiceng_partner_scopes(p_user bigint) returns ltree[]
  language plpgsql volatile set search_path = public, pg_temp as $$
begin
  if not exists (select 1 from app_user u where u.id = p_user and u.roles && array['PLATFORM_ADMIN','ORG_ADMIN','INSPECTOR','FINANCE','REPORTER']) then
    perform set_config('app.partner_view', coalesce((select a.partner_id::text from partner_account a where a.user_id = p_user), '0'), true);
  end if;
  return (select coalesce(array_agg(distinct p.unit_path), '{}'::ltree[])
            from partner_account a join pairing p on p.partner_id = a.partner_id
           where a.user_id = p_user and p.starts_on <= current_date and (p.ends_on is null or p.ends_on > current_date));
end $$;
create policy support_log_partner_view on support_log as restrictive for select
  using (${STAFF_VIEW} or partner_id = (select nullif(current_setting('app.partner_view', true), '')::bigint));
${RECTIFICATION_TABLES.map((t) => `create policy ${t}_partner_view on ${t} as restrictive for select using (${STAFF_VIEW});`).join('\n')}
`;

// The terms of the caller's partner's pairings with a village, ended ones included: a partner whose
// pairing has ended may still log and correct support dated within its term (its scope no longer
// holds the village, and the pairing row lies outside it).
const myPairingTerms = `
create function jiceng_my_pairing_terms(p_user bigint, p_unit bigint)
  returns table (starts_on text, ends_on text, unit_path text)
  language sql stable security definer set search_path = public, pg_temp as $$
  select to_char(p.starts_on, 'YYYY-MM-DD'), to_char(p.ends_on, 'YYYY-MM-DD'), p.unit_path::text
    from app_user u join partner_account a on a.user_id = u.id join pairing p on p.partner_id = a.partner_id
   where u.id = p_user and p.unit_id = p_unit and not u.disabled
     -- within the reach of whoever gave the account its reach (as jiceng_principal cuts the scope)
     and p.unit_path <@ coalesce((select r.path from admin_unit r where r.id = u.reach_unit_id), 'cn'::ltree)
   order by p.starts_on
$$;
alter function jiceng_my_pairing_terms(bigint, bigint) owner to :auth_role;
revoke execute on function jiceng_my_pairing_terms(bigint, bigint) from public;
grant execute on function jiceng_my_pairing_terms(bigint, bigint) to :api_role;
`;

// me.partner: a partner user reads its own partner even when no pairing of it is in force today (the
// partner row lies with the registering unit, outside the user's scope).
const myPartnerRow = `
grant select on partner to :auth_role;
create policy partner_auth on partner for select to :auth_role using (true);
create function jiceng_my_partner_row(p_user bigint) returns setof partner
  language sql stable security definer set search_path = public, pg_temp as $$
  select pa.* from partner pa join partner_account a on a.partner_id = pa.id where a.user_id = p_user
$$;
alter function jiceng_my_partner_row(bigint) owner to :auth_role;
revoke execute on function jiceng_my_partner_row(bigint) from public;
grant execute on function jiceng_my_partner_row(bigint) to :api_role;
`;

// A project's kind and a partner's status become closed lists (values.ts: PROJECT_KINDS,
// PARTNER_STATUSES). Earlier free text is mapped onto them: a kind not recognised becomes OTHER, a
// status not recognised becomes null (unknown) rather than a guess.
const closedProjectKindAndStatus = `
select set_config('app.scopes', '{cn}', true);
update partner set project_kind = case
    when project_kind is null then null
    when project_kind in ('特色种养', '种养', '种养结合') then 'SPECIALTY_FARMING'
    when project_kind ~ '种植|农业|果|菜|粮' then 'PLANTING'
    when project_kind ~ '养殖|畜|牧|禽' then 'LIVESTOCK'
    when project_kind ~ '加工' then 'PROCESSING'
    when project_kind ~ '旅游' then 'TOURISM'
    when project_kind ~ '电商' then 'ECOMMERCE'
    when project_kind ~ '光伏' then 'PHOTOVOLTAIC'
    when project_kind ~ '基础设施|道路|水利' then 'INFRASTRUCTURE'
    when project_kind ~ '集体经济' then 'COLLECTIVE_ECONOMY'
    else 'OTHER' end
  where project_kind is not null;
update partner set status = case
    when status ~ '实施|在建|进行' then 'IN_PROGRESS'
    when status ~ '规划|拟|计划|筹备' then 'PLANNED'
    when status ~ '完成|建成|竣工|结束' then 'COMPLETED'
    when status ~ '暂停|停工|中止' then 'SUSPENDED'
    end
  where status is not null;
select set_config('app.scopes', '', true);
alter table partner
  add constraint partner_project_kind check (project_kind in ('PLANTING', 'LIVESTOCK', 'SPECIALTY_FARMING', 'PROCESSING', 'TOURISM', 'ECOMMERCE', 'PHOTOVOLTAIC', 'INFRASTRUCTURE', 'COLLECTIVE_ECONOMY', 'OTHER')),
  add constraint partner_status check (status in ('PLANNED', 'IN_PROGRESS', 'COMPLETED', 'SUSPENDED'));
`;

// Support per unit and day over the unit's subtree, kept on write (rollup.ts), built from the entries
// already there. A partner-only request reads neither rollup: the support rollup sums every partner's
// entries, and rectification's rollup is rectification data (as its tables, 0311).
const rollups = `
${rollupTableSql(SUPPORT_ROLLUP)}
select jiceng_support_rollup_rebuild();
create policy support_rollup_partner_view on support_rollup as restrictive for select using (${STAFF_VIEW});
create policy rectification_rollup_partner_view on rectification_rollup as restrictive for select using (${STAFF_VIEW});
`;

// 五个一 coverage per unit and year over the unit's subtree, kept on write (rollup.ts), built from the
// rows already there; rectification data, so a partner-only request reads none of it.
const coverageRollup = `
${rollupTableSql(COVERAGE_ROLLUP)}
select jiceng_coverage_rollup_rebuild();
create policy coverage_rollup_partner_view on coverage_rollup as restrictive for select using (${STAFF_VIEW});
`;

export const pairingMigrations: Migration[] = [
  { id: '0300_pairing', sql: pairing },
  { id: '0301_pairing_partner_where_it_serves', sql: partnerWhereItServes },
  { id: '0310_pairing_arranged_by', sql: arrangedBy },
  { id: '0311_pairing_partner_view', sql: partnerView },
  // pairing standards are set from strictly above the unit they apply to
  { id: '0320_pairing_standard_from_above', sql: configFromAboveSql('pairing_standard') },
  { id: '0321_pairing_my_pairing_terms', sql: myPairingTerms },
  // a partner user reads its own partner (me.partner) even when no pairing of it is in force today
  { id: '0322_pairing_my_partner_row', sql: myPartnerRow },
  { id: '0350_pairing_project_kind_and_status_closed', sql: closedProjectKindAndStatus },
  { id: '0360_pairing_support_rollup', sql: rollups },
  { id: '0361_pairing_coverage_rollup', sql: coverageRollup },
];
