import { SCOPE_FUNCTIONS_SQL, tenantTableSql, type Migration } from '@jiceng/db';

const adminUnits = `
create extension if not exists ltree;
create extension if not exists pg_trgm;
create extension if not exists btree_gist;
revoke create on schema public from public;
grant usage on schema public to :api_role, :auth_role;
grant create on schema public to :auth_role;
${SCOPE_FUNCTIONS_SQL}
grant execute on function jiceng_scopes() to :api_role;

create table admin_unit (
  id bigint generated always as identity primary key,
  code char(12) not null unique check (code ~ '^[0-9]{12}$'),
  name text not null check (length(name) between 1 and 100),
  level text not null check (level in ('REGION', 'COUNTY', 'TOWNSHIP', 'VILLAGE')),
  parent_id bigint references admin_unit (id),
  -- unique because codes are: each label carries its unit's code
  path ltree not null,
  -- Citus distribution key: the county this unit belongs to (null above county level)
  county_id bigint,
  population integer check (population >= 0),
  households integer check (households >= 0),
  party_members integer check (party_members >= 0),
  economy text check (economy in ('FARMING', 'PASTORAL')),
  urban boolean not null default false,
  check ((parent_id is null) = (nlevel(path) = 2))
);
create index admin_unit_parent on admin_unit (parent_id, name);
create index admin_unit_name_trgm on admin_unit using gin (name gin_trgm_ops);
${tenantTableSql('admin_unit', 'path')}

-- Rows of other tables name their unit; this fills unit_path and county_id from it, as the
-- caller (so a unit outside the caller's scope yields no path and the row is refused).
create function jiceng_fill_tenant_keys() returns trigger language plpgsql as $$
begin
  select u.path, coalesce(u.county_id, u.id) into new.unit_path, new.county_id
    from admin_unit u where u.id = new.unit_id;
  if new.unit_path is null then
    raise exception 'unit % not found', new.unit_id using errcode = 'P0002';
  end if;
  return new;
end $$;
`;

const accounts = `
create table app_user (
  id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name text not null,
  password_hash text not null,
  unit_id bigint not null references admin_unit (id),
  unit_path ltree not null,
  county_id bigint,
  roles text[] not null check (cardinality(roles) > 0),
  disabled boolean not null default false,
  -- bumped on disable or password change: older tokens stop working at once
  token_version integer not null default 1,
  created_by bigint references app_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index app_user_unit on app_user (unit_id);
${tenantTableSql('app_user')}
create trigger app_user_tenant_keys before insert or update of unit_id on app_user
  for each row execute function jiceng_fill_tenant_keys();

-- Only the auth role reads accounts across tenants, and only through the functions below.
grant select on app_user, admin_unit to :auth_role;
create policy app_user_auth on app_user for select to :auth_role using (true);
create policy admin_unit_auth on admin_unit for select to :auth_role using (true);

-- Partner scopes come from pairings (the pairing module replaces this); without pairings, none.
create function jiceng_partner_scopes(p_user bigint) returns ltree[]
  language sql stable as $$ select '{}'::ltree[] $$;
alter function jiceng_partner_scopes(bigint) owner to :auth_role;

create function jiceng_login_candidate(p_username text)
  returns table (id bigint, password_hash text, disabled boolean, token_version integer)
  language sql stable security definer set search_path = public, pg_temp as $$
  select id, password_hash, disabled, token_version from app_user where username = p_username
$$;
alter function jiceng_login_candidate(text) owner to :auth_role;

-- The principal behind a token, with the request's scope, in one round trip.
create function jiceng_principal(p_user bigint)
  returns table (id bigint, username text, display_name text, unit_id bigint, unit_path ltree,
                 roles text[], disabled boolean, token_version integer, scopes ltree[])
  language sql stable security definer set search_path = public, pg_temp as $$
  select u.id, u.username, u.display_name, u.unit_id, u.unit_path, u.roles, u.disabled, u.token_version,
         (case when u.roles && array['PLATFORM_ADMIN','ORG_ADMIN','INSPECTOR','FINANCE','REPORTER']
               then array[case when 'PLATFORM_ADMIN' = any (u.roles) then 'cn'::ltree else u.unit_path end]
               else '{}'::ltree[] end)
         || (case when u.roles && array['ENTERPRISE','DEPARTMENT','LEADER','FIRST_SECRETARY']
               then jiceng_partner_scopes(u.id) else '{}'::ltree[] end)
    from app_user u where u.id = p_user
$$;
alter function jiceng_principal(bigint) owner to :auth_role;
revoke execute on function jiceng_login_candidate(text), jiceng_principal(bigint), jiceng_partner_scopes(bigint) from public;
grant execute on function jiceng_login_candidate(text), jiceng_principal(bigint) to :api_role;

-- Failed logins, per account and per client address; not tenant data (no unit).
create table login_failure (
  id bigint generated always as identity primary key,
  key text not null,
  at timestamptz not null default now()
);
create index login_failure_key_at on login_failure (key, at);
grant select, insert, delete on login_failure to :api_role;
`;

// Descendant counts per level, kept on each unit: the dashboard's per-level counts of a whole region
// become a read of one row. Statement-level triggers recompute the ancestors of changed units; they
// run as the owner with the whole tree in scope (a mover may not see the ancestors above their unit),
// and restore the caller's scope before returning.
const descendantCounts = `
alter table admin_unit add column descendant_counts jsonb not null default '{}';

-- Recounts the units at p_paths and all their ancestors.
create function jiceng_refresh_descendant_counts(p_paths ltree[]) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  caller_scope text := current_setting('app.scopes', true);
begin
  if p_paths is null or cardinality(p_paths) = 0 then
    return;
  end if;
  perform set_config('app.scopes', '{cn}', true);
  -- one grouped pass over the top-level subtrees involved, kept for the affected units only
  with affected as (
    select distinct subpath(p, 0, k) as path
      from unnest(p_paths) p, generate_series(2, nlevel(p)) k
  ), roots as (
    select array_agg(distinct subpath(path, 0, 2)) as paths from affected
  ), counted as (
    select anc as path, jsonb_object_agg(level, n) as counts
      from (select subpath(d.path, 0, k) as anc, d.level, count(*) as n
              from admin_unit d, generate_series(2, nlevel(d.path) - 1) k
             where d.path <@ any ((select paths from roots))
             group by 1, 2) x
     where anc in (select path from affected)
     group by anc
  )
  update admin_unit u set descendant_counts = coalesce(c.counts, '{}')
    from affected a left join counted c on c.path = a.path
   where u.path = a.path and u.descendant_counts is distinct from coalesce(c.counts, '{}');
  perform set_config('app.scopes', coalesce(caller_scope, ''), true);
end $$;
revoke execute on function jiceng_refresh_descendant_counts(ltree[]) from public;
-- the import mutation runs as the API role; recounting is harmless anywhere (derived values only)
grant execute on function jiceng_refresh_descendant_counts(ltree[]) to :api_role;

create function jiceng_admin_unit_counts_changed() returns trigger
  language plpgsql security definer set search_path = public, pg_temp as $$
begin
  -- the refresh itself updates admin_unit: do not recount for that
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  -- a bulk import defers the recount to its end
  if current_setting('app.defer_unit_counts', true) = '1' then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform jiceng_refresh_descendant_counts((select array_agg(distinct subpath(path, 0, nlevel(path) - 1)) from new_units where nlevel(path) > 2));
  elsif tg_op = 'DELETE' then
    perform jiceng_refresh_descendant_counts((select array_agg(distinct subpath(path, 0, nlevel(path) - 1)) from old_units where nlevel(path) > 2));
  else
    perform jiceng_refresh_descendant_counts((select array_agg(distinct subpath(p, 0, nlevel(p) - 1)) from (
      select n.path as p from new_units n join old_units o on o.id = n.id where o.path <> n.path or o.level <> n.level
      union all
      select o.path from new_units n join old_units o on o.id = n.id where o.path <> n.path or o.level <> n.level) changed
      where nlevel(p) > 2));
  end if;
  return null;
end $$;
create trigger admin_unit_counts_insert after insert on admin_unit
  referencing new table as new_units for each statement execute function jiceng_admin_unit_counts_changed();
create trigger admin_unit_counts_update after update on admin_unit
  referencing new table as new_units old table as old_units for each statement execute function jiceng_admin_unit_counts_changed();
create trigger admin_unit_counts_delete after delete on admin_unit
  referencing old table as old_units for each statement execute function jiceng_admin_unit_counts_changed();
`;

// A partner's home unit lies outside their scope (they see only paired villages); `me` still shows
// the caller's own account and home unit through these two narrow lookups.
const self = `
create function jiceng_self(p_user bigint) returns setof app_user
  language sql stable security definer set search_path = public, pg_temp as $$
  select * from app_user where id = p_user
$$;
create function jiceng_self_unit(p_user bigint) returns setof admin_unit
  language sql stable security definer set search_path = public, pg_temp as $$
  select u.* from admin_unit u join app_user a on a.unit_id = u.id where a.id = p_user
$$;
alter function jiceng_self(bigint) owner to :auth_role;
alter function jiceng_self_unit(bigint) owner to :auth_role;
revoke execute on function jiceng_self(bigint), jiceng_self_unit(bigint) from public;
grant execute on function jiceng_self(bigint), jiceng_self_unit(bigint) to :api_role;
`;

export const tenancyMigrations: Migration[] = [
  { id: '0100_tenancy_admin_units', sql: adminUnits },
  { id: '0101_tenancy_accounts', sql: accounts },
  { id: '0102_tenancy_descendant_counts', sql: descendantCounts },
  { id: '0103_tenancy_self', sql: self },
  // a unit's label starts with its level's letter (r15, c150429, t150429100, v150429100200): code that
  // reads the tree from paths alone (the funding rollup finds a path's county this way) relies on it
  { id: '0104_tenancy_path_labels', sql: `alter table admin_unit add constraint admin_unit_label_matches_level
      check (subpath(path, nlevel(path) - 1)::text like lower(left(level, 1)) || '%');` },
  // A temporary table named admin_unit shadowed the real one inside jiceng_fill_tenant_keys (pg_temp is
  // searched first unless named). Functions now carry search_path = public, pg_temp (migrate() pins every
  // function in public after each migration), and no role but the owner may create temporary tables
  // (new databases revoke it too: createDatabase; a database the owner does not own: openDatabase).
  { id: '0130_tenancy_no_temp_tables', sql: `
do $$
begin
  execute format('revoke temporary on database %I from public', current_database());
exception when insufficient_privilege then
  raise notice 'not the owner of the database: TEMPORARY is revoked by openDatabase';
end $$;` },
];
