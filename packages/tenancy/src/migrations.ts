import { SCOPE_FUNCTIONS_SQL, TENANT_KEYS, fillTenantKeysSql, tenantTableSql, widenReadSql, type Migration } from '@jiceng/db';

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

// Planner statistics right after bulk loads (imports, seeds, large moves), instead of waiting for
// autovacuum: a fresh table without them was planned so badly that one dashboard ran for minutes.
const analyze = `
create function jiceng_analyze(p_tables text[]) returns setof text language plpgsql security definer
set search_path = public, pg_temp as $$
declare t text;
begin
  for t in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any(p_tables)
              and pg_get_userbyid(c.relowner) = current_user
  loop
    execute format('analyze %I', t);
    return next t;
  end loop;
end $$;
create function jiceng_analyze_stale() returns setof text language sql security definer
set search_path = public, pg_temp as $$
  select * from jiceng_analyze(array(select s.relname::text from pg_stat_user_tables s
   where s.schemaname = 'public'
     and (s.n_mod_since_analyze > 50 + 0.1 * greatest(s.n_live_tup, 0)
          or (s.last_analyze is null and s.last_autoanalyze is null and s.n_live_tup > 0))))
$$;
revoke execute on function jiceng_analyze(text[]), jiceng_analyze_stale() from public;
grant execute on function jiceng_analyze(text[]), jiceng_analyze_stale() to :api_role;
`;

// Login throttling (docs/architecture.md, "Login throttling"). The failure records (usernames and
// client addresses) and the addresses accounts signed in from are reachable only through the
// SECURITY DEFINER functions below: RLS is forced with a policy for the auth role alone, and the API
// role holds no privilege on the tables. The database clock decides every window and delay.
const loginThrottle = `
drop table login_failure;
create table login_failure (
  id bigint generated always as identity primary key,
  username text not null check (length(username) <= 64),
  address text not null check (length(address) <= 100),
  at timestamptz not null default now()
);
create index login_failure_username on login_failure (username, at);
create index login_failure_address on login_failure (address, at);

-- an address an account signed in from with its password: its owner's, not blocked by guesses elsewhere
create table login_known_address (
  username text not null check (length(username) <= 64),
  address text not null check (length(address) <= 100),
  last_at timestamptz not null default now(),
  primary key (username, address)
);

alter table login_failure enable row level security;
alter table login_failure force row level security;
alter table login_known_address enable row level security;
alter table login_known_address force row level security;
create policy login_failure_auth on login_failure to :auth_role using (true) with check (true);
create policy login_known_address_auth on login_known_address to :auth_role using (true) with check (true);
revoke all on login_failure, login_known_address from public, :api_role;
grant select, insert, delete on login_failure to :auth_role;
grant select, insert, update, delete on login_known_address to :auth_role;

-- Seconds the caller must wait before this attempt may be checked (0: go ahead). Takes the account's
-- lock for the rest of the transaction, so guesses arriving at once are counted one after another.
create function jiceng_login_throttle(p_username text, p_address text, p_limits jsonb) returns integer
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  free int := (p_limits->>'freeAttempts')::int;
  pair_n int;
  pair_last timestamptz;
  oldest timestamptz;
  wait double precision := 0;
begin
  perform pg_advisory_xact_lock(7423010, hashtext(p_username));
  -- per (account, address): growing delays after the free attempts
  select count(*), max(at) into pair_n, pair_last from login_failure
   where username = p_username and address = p_address
     and at > now() - make_interval(secs => (p_limits->>'pairWindowSeconds')::int);
  if pair_n >= free then
    wait := extract(epoch from pair_last - now())
          + least((p_limits->>'maxDelaySeconds')::double precision,
                  (p_limits->>'baseDelaySeconds')::double precision * 2::float8 ^ least(pair_n - free, 30));
  end if;
  -- an address this account signed in from before is not held back by guesses from elsewhere
  if not exists (select 1 from login_known_address where username = p_username and address = p_address
                    and last_at > now() - make_interval(secs => (p_limits->>'knownAddressSeconds')::int)) then
    -- per address over all accounts (softer), and per account over all addresses
    select at into oldest from login_failure
     where address = p_address and at > now() - make_interval(secs => (p_limits->>'addressWindowSeconds')::int)
     order by at desc offset (p_limits->>'perAddress')::int - 1 limit 1;
    if found then
      wait := greatest(wait, extract(epoch from oldest - now()) + (p_limits->>'addressWindowSeconds')::int);
    end if;
    select at into oldest from login_failure
     where username = p_username and at > now() - make_interval(secs => (p_limits->>'accountWindowSeconds')::int)
     order by at desc offset (p_limits->>'perAccount')::int - 1 limit 1;
    if found then
      wait := greatest(wait, extract(epoch from oldest - now()) + (p_limits->>'accountWindowSeconds')::int);
    end if;
  end if;
  return greatest(0, ceil(wait))::int;
end $$;

create function jiceng_record_login_failure(p_username text, p_address text, p_keep_seconds integer) returns void
  language sql volatile security definer set search_path = public, pg_temp as $$
  delete from login_failure where (username = p_username or address = p_address) and at < now() - make_interval(secs => p_keep_seconds);
  insert into login_failure (username, address) values (p_username, p_address);
$$;

-- The password was right: that address is now known good for the account, its failures there forgotten.
create function jiceng_login_succeeded(p_username text, p_address text) returns void
  language sql volatile security definer set search_path = public, pg_temp as $$
  delete from login_failure where username = p_username and address = p_address;
  insert into login_known_address (username, address) values (p_username, p_address)
    on conflict (username, address) do update set last_at = now();
$$;

-- The owner's recovery: an administrator above the account clears its failures from every address.
create function jiceng_clear_login_failures(p_username text) returns void
  language sql volatile security definer set search_path = public, pg_temp as $$
  delete from login_failure where username = p_username;
$$;

alter function jiceng_login_throttle(text, text, jsonb) owner to :auth_role;
alter function jiceng_record_login_failure(text, text, integer) owner to :auth_role;
alter function jiceng_login_succeeded(text, text) owner to :auth_role;
alter function jiceng_clear_login_failures(text) owner to :auth_role;
revoke execute on function jiceng_login_throttle(text, text, jsonb), jiceng_record_login_failure(text, text, integer),
  jiceng_login_succeeded(text, text), jiceng_clear_login_failures(text) from public;
grant execute on function jiceng_login_throttle(text, text, jsonb), jiceng_record_login_failure(text, text, integer),
  jiceng_login_succeeded(text, text), jiceng_clear_login_failures(text) to :api_role;
`;

// An account may reach only what the administrator who gave it reach holds: whoever created it,
// changed its roles or unit, or linked it to a partner (reach_unit_id, that administrator's unit;
// null: the platform, the whole country). A partner account's scope (its partner's pairings) is cut
// to that subtree, so a township cannot reach a region's villages by linking an account to a partner
// the region paired there.
const grantedReach = `
alter table app_user add column reach_unit_id bigint references admin_unit (id);
select set_config('app.scopes', '{cn}', true);
update app_user u set reach_unit_id = c.unit_id
  from app_user c where c.id = u.created_by and not ('PLATFORM_ADMIN' = any (c.roles));
select set_config('app.scopes', '', true);

create or replace function jiceng_principal(p_user bigint)
  returns table (id bigint, username text, display_name text, unit_id bigint, unit_path ltree,
                 roles text[], disabled boolean, token_version integer, scopes ltree[])
  language sql stable security definer set search_path = public, pg_temp as $$
  select u.id, u.username, u.display_name, u.unit_id, u.unit_path, u.roles, u.disabled, u.token_version,
         (case when u.roles && array['PLATFORM_ADMIN','ORG_ADMIN','INSPECTOR','FINANCE','REPORTER']
               then array[case when 'PLATFORM_ADMIN' = any (u.roles) then 'cn'::ltree else u.unit_path end]
               else '{}'::ltree[] end)
         || (case when u.roles && array['ENTERPRISE','DEPARTMENT','LEADER','FIRST_SECRETARY']
               then (select coalesce(array_agg(s), '{}'::ltree[])
                       from unnest(jiceng_partner_scopes(u.id)) s
                      where s <@ coalesce((select r.path from admin_unit r where r.id = u.reach_unit_id), 'cn'::ltree))
               else '{}'::ltree[] end)
    from app_user u where u.id = p_user
$$;
`;


// 撤乡并镇 on record (docs/architecture.md, "History of the tree"). unit_move: one row per move (the unit,
// its date, old and new parent). unit_placement: for every unit of a moved subtree, the path it had
// until the move (valid_to, exclusive): the path of a unit on a date is the placement with the earliest
// valid_to after that date, or its current path. Columns named was_* keep the past: a later move
// rewrites unit_path (the row's current unit) but never them. Readable where the unit is now and where
// it was.
const moves = `
create table unit_move (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  moved_on date not null default current_date,
  -- null: the unit stood at the top of the tree
  old_parent_id bigint references admin_unit (id),
  new_parent_id bigint not null references admin_unit (id),
  was_path ltree not null,
  was_parent_name text,
  new_parent_name text not null,
  by_user bigint references app_user (id),
  at timestamptz not null default now()
);
create index unit_move_unit on unit_move (unit_id, moved_on);
create index unit_move_old_parent on unit_move (old_parent_id, moved_on);
create index unit_move_new_parent on unit_move (new_parent_id, moved_on);
${tenantTableSql('unit_move')}
${widenReadSql('unit_move', 'was_path <@ any ((select jiceng_scopes()))')}
create index unit_move_was_path on unit_move using gist (was_path);
${fillTenantKeysSql('unit_move')}

create table unit_placement (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  move_id bigint not null references unit_move (id),
  was_path ltree not null,
  valid_to date not null
);
create index unit_placement_unit on unit_placement (unit_id, valid_to);
-- figures of a year ended before the latest move take the slow path: this finds whether any did
create index unit_placement_valid_to on unit_placement (valid_to);
${tenantTableSql('unit_placement')}
${widenReadSql('unit_placement', 'was_path <@ any ((select jiceng_scopes()))')}
create index unit_placement_was_path on unit_placement using gist (was_path);
${fillTenantKeysSql('unit_placement')}

-- Where a unit stood at the end of a day (as the caller sees it: null for a unit out of sight).
create function jiceng_path_on(p_unit bigint, p_on date) returns ltree language sql stable parallel safe as $$
  select coalesce((select p.was_path from unit_placement p where p.unit_id = p_unit and p.valid_to > p_on order by p.valid_to, p.id limit 1),
                  (select u.path from admin_unit u where u.id = p_unit))
$$;
grant execute on function jiceng_path_on(bigint, date) to :api_role;
`;

// Two roles of dynamic management (动态管理110, the warning module): a township's station staff
// (WARNING_STATION) see their unit's subtree like other staff; a village dynamic manager
// (WARNING_MANAGER, a township cadre) sees only the villages assigned to them, inside their home unit.
// The warning module replaces jiceng_assigned_scopes (as pairing replaces jiceng_partner_scopes).
const warningRoles = `
create function jiceng_assigned_scopes(p_user bigint) returns ltree[]
  language sql stable as $$ select '{}'::ltree[] $$;
alter function jiceng_assigned_scopes(bigint) owner to :auth_role;
revoke execute on function jiceng_assigned_scopes(bigint) from public;

create or replace function jiceng_principal(p_user bigint)
  returns table (id bigint, username text, display_name text, unit_id bigint, unit_path ltree,
                 roles text[], disabled boolean, token_version integer, scopes ltree[])
  language sql stable security definer set search_path = public, pg_temp as $$
  select u.id, u.username, u.display_name, u.unit_id, u.unit_path, u.roles, u.disabled, u.token_version,
         (case when u.roles && array['PLATFORM_ADMIN','ORG_ADMIN','INSPECTOR','FINANCE','REPORTER','WARNING_STATION']
               then array[case when 'PLATFORM_ADMIN' = any (u.roles) then 'cn'::ltree else u.unit_path end]
               else '{}'::ltree[] end)
         || (case when 'WARNING_MANAGER' = any (u.roles)
                   and not u.roles && array['PLATFORM_ADMIN','ORG_ADMIN','INSPECTOR','FINANCE','REPORTER','WARNING_STATION']
               then (select coalesce(array_agg(s), '{}'::ltree[]) from unnest(jiceng_assigned_scopes(u.id)) s where s <@ u.unit_path)
               else '{}'::ltree[] end)
         || (case when u.roles && array['ENTERPRISE','DEPARTMENT','LEADER','FIRST_SECRETARY']
               then (select coalesce(array_agg(s), '{}'::ltree[])
                       from unnest(jiceng_partner_scopes(u.id)) s
                      where s <@ coalesce((select r.path from admin_unit r where r.id = u.reach_unit_id), 'cn'::ltree))
               else '{}'::ltree[] end)
    from app_user u where u.id = p_user
$$;
`;

// The country as the root unit (中华人民共和国, level COUNTRY, code 000000000000, path `cn`): the
// national scope `cn` (PLATFORM_ADMIN) was a real label with no unit of its own, so no single query
// answered for the whole country. Now every top-level region hangs under it, `adminUnit` finds it like
// any other unit, and its descendant counts are kept too: from its regions' own counts (a few dozen
// rows), never by a pass over the whole tree.
const country = `
alter table admin_unit drop constraint admin_unit_level_check;
alter table admin_unit add constraint admin_unit_level_check check (level in ('COUNTRY', 'REGION', 'COUNTY', 'TOWNSHIP', 'VILLAGE'));
alter table admin_unit drop constraint admin_unit_check;
select set_config('app.scopes', '{cn}', true);
insert into admin_unit (code, name, level, path) values ('000000000000', '中华人民共和国', 'COUNTRY', 'cn');
update admin_unit set parent_id = (select id from admin_unit where level = 'COUNTRY')
 where parent_id is null and level <> 'COUNTRY';
-- one root, the country, at path cn; every other unit has a parent
alter table admin_unit add constraint admin_unit_root check ((parent_id is null) = (level = 'COUNTRY') and (level = 'COUNTRY') = (path = 'cn'));
create unique index admin_unit_one_root on admin_unit ((true)) where parent_id is null;

-- Recounting now ends with the country. The subtree recount of 0102 keeps its body under a new name.
alter function jiceng_refresh_descendant_counts(ltree[]) rename to jiceng_refresh_subtree_counts;
revoke execute on function jiceng_refresh_subtree_counts(ltree[]) from :api_role;

-- the country's counts: its top-level regions plus what they count below them
create function jiceng_refresh_country_counts() returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  caller_scope text := current_setting('app.scopes', true);
begin
  perform set_config('app.scopes', '{cn}', true);
  with root as (
    select id from admin_unit where parent_id is null
  ), per_level as (
    select t.level, count(*)::bigint as n from admin_unit t where t.parent_id = (select id from root) group by t.level
    union all
    select e.key, sum(e.value::bigint) from admin_unit t, jsonb_each_text(t.descendant_counts) e
     where t.parent_id = (select id from root) group by e.key
  ), counts as (
    select coalesce(jsonb_object_agg(level, n), '{}') as counts
      from (select level, sum(n) as n from per_level group by level) s
  )
  update admin_unit u set descendant_counts = c.counts
    from counts c
   where u.id = (select id from root) and u.descendant_counts is distinct from c.counts;
  perform set_config('app.scopes', coalesce(caller_scope, ''), true);
end $$;

-- Recounts the units at p_paths, all their ancestors and the country.
create function jiceng_refresh_descendant_counts(p_paths ltree[]) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if p_paths is null or cardinality(p_paths) = 0 then
    return;
  end if;
  perform jiceng_refresh_subtree_counts(p_paths);
  perform jiceng_refresh_country_counts();
end $$;
revoke execute on function jiceng_refresh_descendant_counts(ltree[]), jiceng_refresh_country_counts() from public;
grant execute on function jiceng_refresh_descendant_counts(ltree[]) to :api_role;

-- as in 0102, but a top-level region that comes, goes or moves recounts its parent, the country
create or replace function jiceng_admin_unit_counts_changed() returns trigger
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  changed ltree[];
begin
  -- the refresh itself updates admin_unit; a bulk import recounts once at its end
  if pg_trigger_depth() > 1 or current_setting('app.defer_unit_counts', true) = '1' then
    return null;
  end if;
  if tg_op = 'INSERT' then
    changed := array(select path from new_units);
  elsif tg_op = 'DELETE' then
    changed := array(select path from old_units);
  else
    changed := array(select unnest(array[n.path, o.path]) from new_units n join old_units o on o.id = n.id
                      where o.path <> n.path or o.level <> n.level);
  end if;
  perform jiceng_refresh_descendant_counts(array(select distinct subpath(p, 0, nlevel(p) - 1) from unnest(changed) p where nlevel(p) > 1));
  return null;
end $$;

select jiceng_refresh_descendant_counts(array['cn'::ltree]);
select set_config('app.scopes', '', true);
`;

// Name search within a subtree (searchUnits): one GIN index over each unit's path labels, name
// characters and name trigrams, so a subtree and a text are found together in the index. Within a
// province of the whole country's 665k units, the path-first scan it replaces read 55k rows to find a
// few hundred (docs/operations.md). It serves plain trigram searches too, so it replaces that index.
// (The root label cn, on every unit, is left out: a search under the country needs no label.)
const unitSearch = `
create index admin_unit_search on admin_unit using gin (
  (array_remove(string_to_array(path::text, '.'), 'cn')), (string_to_array(name, null)), name gin_trgm_ops);
drop index admin_unit_name_trgm;
-- statistics on the index's expressions, or the planner reads the whole table instead (seen: 2 s a search)
analyze admin_unit;

-- The search itself. Under row-level security the planner may not use a non-leakproof operator (@> on
-- arrays, pg_trgm's %) as an index condition ahead of the policy's, so as the API role it read the whole
-- table. This function reads as the auth role (its policy on admin_unit is true) and applies the
-- caller's scope itself, exactly as the policy does. Under the country (p_label null) the scope alone
-- bounds the subtree.
create function jiceng_search_units(p_label text, p_path ltree, p_id bigint, p_level text, p_text text, p_limit integer, p_offset integer)
  returns setof admin_unit language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
  if p_label is null then
    return query select u.* from admin_unit u
      where u.path <@ any ((select jiceng_scopes())) and u.id <> p_id and (p_level is null or u.level = p_level)
        and ((string_to_array(u.name, null) @> string_to_array(p_text, null) and strpos(u.name, p_text) > 0) or u.name % p_text)
      order by (strpos(u.name, p_text) > 0) desc, similarity(u.name, p_text) desc, u.code
      limit p_limit offset p_offset;
  else
    return query select u.* from admin_unit u
      where u.path <@ any ((select jiceng_scopes())) and u.id <> p_id and (p_level is null or u.level = p_level)
        and array_remove(string_to_array(u.path::text, '.'), 'cn') @> array[p_label] and ltree_isparent(p_path, u.path)
        and ((string_to_array(u.name, null) @> string_to_array(p_text, null) and strpos(u.name, p_text) > 0) or u.name % p_text)
      order by (strpos(u.name, p_text) > 0) desc, similarity(u.name, p_text) desc, u.code
      limit p_limit offset p_offset;
  end if;
end $$;
alter function jiceng_search_units(text, ltree, bigint, text, text, integer, integer) owner to :auth_role;
revoke execute on function jiceng_search_units(text, ltree, bigint, text, text, integer, integer) from public;
grant execute on function jiceng_search_units(text, ltree, bigint, text, text, integer, integer) to :api_role;

-- A bulk import leaves its new entries in the index's pending list, which every search would read
-- through: it merges them once at its end.
create function jiceng_merge_unit_search() returns bigint language sql security definer
set search_path = public, pg_temp as $$
  select gin_clean_pending_list('admin_unit_search'::regclass)
$$;
revoke execute on function jiceng_merge_unit_search() from public;
grant execute on function jiceng_merge_unit_search() to :api_role;
`;

// Name search at national size (issue 12), replacing 0151's function; its index stays. 0151 asked one
// question, "contains the text or is similar to it", and a whole official name (…村民委员会) is similar by
// its suffix's trigrams to most villages of a province: thousands of rows were fetched, compared and
// sorted. Now names that CONTAIN the text come first and alone: a text of three characters or more through
// the index's trigrams (LIKE needs every trigram of the text: few rows for a long text), a shorter one
// through its characters. Similar names (pg_trgm, 0.3) only fill what is left of the page when too few
// contain the text (from three characters: a shorter text's similar names all contain it); from five
// characters on they must also be like its first half (word similarity 0.3: a run of the name shares a
// third of the first half's trigrams), so that an official suffix shared by thousands (…村民委员会,
// …社区居民委员会) is no likeness, and the index finds the candidates by the text's own part. The order is unchanged: containing names first, then by similarity and code; the
// caller's scope as before. Statements are planned for their values (EXECUTE): the short and long forms
// need different index keys.
const unitSearchContainsFirst = `
create or replace function jiceng_search_units(p_label text, p_path ltree, p_id bigint, p_level text, p_text text, p_limit integer, p_offset integer)
  returns setof admin_unit language plpgsql stable security definer
  set search_path = public, pg_temp set pg_trgm.similarity_threshold = 0.3 set pg_trgm.word_similarity_threshold = 0.3 as $$
declare
  -- the caller's scope (as a function, never an index condition: planned with the scope's value, the
  -- path index read the whole country for it), the subtree under p_path (its label is in every path
  -- below it), the level
  base constant text := '_ltree_isparent($10, u.path) and u.id <> $3 and ($4::text is null or u.level = $4)'
    || case when p_label is null then '' else ' and array_remove(string_to_array(u.path::text, ''.''), ''cn'') @> array[$1] and ltree_isparent($2, u.path)' end;
  contains constant text := case when char_length(p_text) >= 3 then 'u.name like $8' else 'string_to_array(u.name, null) @> $9 and strpos(u.name, $5) > 0' end;
  alike constant text := 'u.name % $5' || case when char_length(p_text) >= 5 then ' and u.name %> $11' else '' end || ' and strpos(u.name, $5) = 0';
  pattern constant text := '%' || replace(replace(replace(p_text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%';
  first_half constant text := left(p_text, (char_length(p_text) + 1) / 2);
  scopes constant ltree[] := (select jiceng_scopes());
  got integer;
  contained integer;
begin
  return query execute 'select u.* from admin_unit u where ' || base || ' and ' || contains
    || ' order by similarity(u.name, $5) desc, u.code limit $6 offset $7'
    using p_label, p_path, p_id, p_level, p_text, p_limit, p_offset, pattern, string_to_array(p_text, null), scopes, first_half;
  get diagnostics got = row_count;
  -- a text of one or two characters: a name like it (two of its three padded trigrams) contains it, so
  -- nothing is left to add (and the index would offer every name that starts with its first character)
  if got >= p_limit or char_length(p_text) < 3 then
    return;
  end if;
  -- how many contain it in all (a page past them all does not know without counting)
  if got > 0 then
    contained := p_offset + got;
  else
    execute 'select count(*)::int from (select from admin_unit u where ' || base || ' and ' || contains || ' limit $7) c'
      into contained using p_label, p_path, p_id, p_level, p_text, p_limit, p_offset, pattern, string_to_array(p_text, null), scopes, first_half;
  end if;
  return query execute 'select u.* from admin_unit u where ' || base || ' and ' || alike
    || ' order by similarity(u.name, $5) desc, u.code limit $6 offset $7'
    using p_label, p_path, p_id, p_level, p_text, p_limit - got, greatest(0, p_offset - contained), pattern, string_to_array(p_text, null), scopes, first_half;
end $$;
`;

// A bulk load of many new units (the whole country: 665k) builds the search index once, after its rows,
// instead of entering each row into it: 0151's index took every row into its pending list, whose merge
// did not end in 26 minutes under load. The import drops the index in its transaction and builds it
// again before it commits (a failed import rolls both back). Dropping it locks admin_unit against every
// reader until the import commits: meant for first loads (docs/import.md). Owner's rights: the API role
// runs the GraphQL import.
const unitSearchBulkBuild = `
create function jiceng_unit_search_drop() returns void language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  drop index if exists admin_unit_search;
end $$;
-- as 0151 built it; a one-time build sorts in memory and may use parallel workers
create function jiceng_unit_search_build() returns void language plpgsql security definer
set search_path = public, pg_temp set maintenance_work_mem = '256MB' as $$
begin
  create index if not exists admin_unit_search on admin_unit using gin (
    (array_remove(string_to_array(path::text, '.'), 'cn')), (string_to_array(name, null)), name gin_trgm_ops);
end $$;
revoke execute on function jiceng_unit_search_drop(), jiceng_unit_search_build() from public;
grant execute on function jiceng_unit_search_drop(), jiceng_unit_search_build() to :api_role;
`;

// A bulk load (0181) without the work admin_unit does per row that one statement at the end does for all
// rows (the country's 665k units; docs/operations.md has the figures). Besides the search index (0181):
// - the parent foreign key: its check ran once per inserted row (a lookup and a FOR KEY SHARE lock of the
//   parent), the largest share of the insert; added again at the end, it checks every row in one join;
// - the statement triggers on insert (0102/0150 counts, 0199 rural villages): the import defers their work
//   (app.defer_unit_counts) and counts from the file, but their transition table still copied every new row;
// - the subtree (path) GiST index, the children (parent_id, name) index and the unique code's index: built
//   once at the end (sorted), not entered row by row (a duplicate code fails there and rolls the import back).
// All in the import's transaction (admin_unit is locked against every reader until it commits; a failed
// import rolls it all back). The definitions are those of 0100 (code, foreign key, children), tenantTableSql (path GiST)
// and 0151 (search); the builds sort in memory (maintenance_work_mem) and may use parallel workers (GIN).
const unitBulkLoad = `
create function jiceng_unit_bulk_drop() returns void language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  drop index if exists admin_unit_search;
  drop index if exists admin_unit_path_gist;
  drop index if exists admin_unit_parent;
  alter table admin_unit drop constraint if exists admin_unit_parent_id_fkey, drop constraint if exists admin_unit_code_key;
  alter table admin_unit disable trigger admin_unit_counts_insert, disable trigger admin_unit_villages_insert;
end $$;
create function jiceng_unit_bulk_build() returns void language plpgsql security definer
set search_path = public, pg_temp set maintenance_work_mem = '256MB' set max_parallel_maintenance_workers = 2 as $$
begin
  alter table admin_unit enable trigger admin_unit_counts_insert, enable trigger admin_unit_villages_insert;
  -- each new code unique (the import checked it against the file and its scope; this against every unit)
  if not exists (select from pg_constraint where conrelid = 'admin_unit'::regclass and conname = 'admin_unit_code_key') then
    alter table admin_unit add constraint admin_unit_code_key unique (code);
  end if;
  if not exists (select from pg_constraint where conrelid = 'admin_unit'::regclass and conname = 'admin_unit_parent_id_fkey') then
    alter table admin_unit add constraint admin_unit_parent_id_fkey foreign key (parent_id) references admin_unit (id);
  end if;
  create index if not exists admin_unit_parent on admin_unit (parent_id, name);
  create index if not exists admin_unit_path_gist on admin_unit using gist (path);
  create index if not exists admin_unit_search on admin_unit using gin (
    (array_remove(string_to_array(path::text, '.'), 'cn')), (string_to_array(name, null)), name gin_trgm_ops);
end $$;
revoke execute on function jiceng_unit_bulk_drop(), jiceng_unit_bulk_build() from public;
grant execute on function jiceng_unit_bulk_drop(), jiceng_unit_bulk_build() to :api_role;
drop function jiceng_unit_search_drop();
drop function jiceng_unit_search_build();
`;

// The rural-village recount of 0199 during a bulk import: once per statement it counted each parent's
// villages with a correlated subquery, open to the plan an import's statistics give (a table analysed
// when it held the country alone: a scan of admin_unit per parent; the country's import, stopped after
// 15 minutes, spent its time in such per-row scans). Now the recount is one grouped statement, and a
// bulk import (app.defer_unit_counts, as for the descendant counts) leaves it to its end, after its
// ANALYZE: new units come with their counts, existing parents are recounted by
// jiceng_recount_rural_villages_of(the codes of their villages).
const ruralVillagesBulk = `
create or replace function jiceng_recount_rural_villages(p_parents bigint[]) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  caller_scope text := current_setting('app.scopes', true);
begin
  -- a bulk import recounts once at its end (after endDeferredCounts)
  if p_parents is null or cardinality(p_parents) = 0 or current_setting('app.defer_unit_counts', true) = '1' then
    return;
  end if;
  perform set_config('app.scopes', '{cn}', true);
  update admin_unit p set rural_villages = c.n
    from (select q.id, count(v.id)::int as n
            from (select distinct unnest(p_parents) as id) q
            left join admin_unit v on v.parent_id = q.id and v.level = 'VILLAGE' and not v.urban
           group by q.id) c
   where p.id = c.id and p.rural_villages <> c.n;
  perform set_config('app.scopes', coalesce(caller_scope, ''), true);
end $$;

-- the end of a bulk import: the parents of these villages recounted (in the caller's scope)
create function jiceng_recount_rural_villages_of(p_codes text[]) returns void
  language sql security definer set search_path = public, pg_temp as $$
  -- joined, not code = any (p_codes): a parameter array is searched element by element for each row
  select jiceng_recount_rural_villages(array(select distinct v.parent_id from unnest(p_codes) c(code)
                                              join admin_unit v on v.code = c.code::char(12) where v.level = 'VILLAGE'))
$$;
revoke execute on function jiceng_recount_rural_villages_of(text[]) from public;
grant execute on function jiceng_recount_rural_villages_of(text[]) to :api_role;
`;

// Signing out of the board (DELETE /session, tenancy's endSessions): the account's token version moves on.
// The login role may change that one column, through this function only; the version passed must still be
// the account's, so a token already refused ends nothing.
const endSessions = `
grant update (token_version) on app_user to :auth_role;
create policy app_user_auth_end_sessions on app_user for update to :auth_role using (true) with check (true);
create function jiceng_end_sessions(p_user bigint, p_version integer) returns void
  language sql volatile security definer set search_path = public, pg_temp as $$
  update app_user set token_version = token_version + 1 where id = p_user and token_version = p_version;
$$;
alter function jiceng_end_sessions(bigint, integer) owner to :auth_role;
revoke execute on function jiceng_end_sessions(bigint, integer) from public;
grant execute on function jiceng_end_sessions(bigint, integer) to :api_role;
`;

/**
 * Tenancy's published read interface for other modules' statements (issue 12, module boundaries). Other
 * modules read units and accounts through tenancy's exported functions; where a statement of theirs must
 * join the tree or an account's name to stay one statement per level (a dashboard over a subtree, the
 * usernames of a case's transitions), it joins these views, never admin_unit or app_user: the columns
 * here are a contract tenancy keeps while its tables change. security_invoker: the caller's RLS applies.
 */
const publishedViews = `
create view tenancy_unit with (security_invoker = true) as
  select id, code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban from admin_unit;
create view tenancy_account with (security_invoker = true) as
  select id, username, display_name, unit_id, unit_path, roles, disabled from app_user;
grant select on tenancy_unit, tenancy_account to :api_role;
`;

/**
 * Issue 12 point 5: each unit's rural villages among its children (a township's 重点整顿对象 share is
 * counted against them), kept on write so the key-target dashboard reads it with the township instead of
 * counting admin_unit per township. A statement trigger recounts the parents a village joins or leaves
 * (insert, delete, a move, a change of level or of urban) through admin_unit_parent; a bulk import is
 * counted batch by batch (the recount is per parent, not per subtree). Published on tenancy_unit.
 */
const ruralVillages = `
alter table admin_unit add column rural_villages integer not null default 0;

create function jiceng_recount_rural_villages(p_parents bigint[]) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  caller_scope text := current_setting('app.scopes', true);
begin
  if p_parents is null or cardinality(p_parents) = 0 then
    return;
  end if;
  perform set_config('app.scopes', '{cn}', true);
  update admin_unit p set rural_villages = c.n
    from (select q.id, (select count(*)::int from admin_unit v
                         where v.parent_id = q.id and v.level = 'VILLAGE' and not v.urban) as n
            from (select distinct unnest(p_parents) as id) q) c
   where p.id = c.id and p.rural_villages <> c.n;
  perform set_config('app.scopes', coalesce(caller_scope, ''), true);
end $$;
revoke execute on function jiceng_recount_rural_villages(bigint[]) from public;

create function jiceng_admin_unit_villages_changed() returns trigger
  language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    perform jiceng_recount_rural_villages(array(select parent_id from new_units where level = 'VILLAGE' and parent_id is not null));
  elsif tg_op = 'DELETE' then
    perform jiceng_recount_rural_villages(array(select parent_id from old_units where level = 'VILLAGE' and parent_id is not null));
  else
    -- the recount's own update changes none of these columns: it finds nothing here
    perform jiceng_recount_rural_villages(array(
      select unnest(array[n.parent_id, o.parent_id]) from new_units n join old_units o on o.id = n.id
       where (n.level = 'VILLAGE' or o.level = 'VILLAGE')
         and (n.parent_id is distinct from o.parent_id or n.level <> o.level or n.urban is distinct from o.urban)));
  end if;
  return null;
end $$;
create trigger admin_unit_villages_insert after insert on admin_unit
  referencing new table as new_units for each statement execute function jiceng_admin_unit_villages_changed();
create trigger admin_unit_villages_update after update on admin_unit
  referencing new table as new_units old table as old_units for each statement execute function jiceng_admin_unit_villages_changed();
create trigger admin_unit_villages_delete after delete on admin_unit
  referencing old table as old_units for each statement execute function jiceng_admin_unit_villages_changed();

select set_config('app.scopes', '{cn}', true);
update admin_unit p set rural_villages = c.n
  from (select parent_id, count(*)::int as n from admin_unit where level = 'VILLAGE' and not urban group by parent_id) c
 where p.id = c.parent_id;
select set_config('app.scopes', '', true);

create or replace view tenancy_unit with (security_invoker = true) as
  select id, code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban, rural_villages from admin_unit;
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
  { id: '0120_tenancy_login_throttle', sql: loginThrottle },
  { id: '0121_tenancy_granted_reach', sql: grantedReach },
  { id: '0160_tenancy_analyze_after_loads', sql: analyze },
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
  { id: '0190_tenancy_unit_moves', sql: moves },
  { id: '0195_tenancy_warning_roles', sql: warningRoles },
  { id: '0150_tenancy_country', sql: country },
  { id: '0151_tenancy_unit_search', sql: unitSearch },
  { id: '0196_tenancy_end_sessions', sql: endSessions },
  { id: '0198_tenancy_published_views', sql: publishedViews },
  { id: '0199_tenancy_rural_villages', sql: ruralVillages },
  { id: '0180_tenancy_unit_search_contains_first', sql: unitSearchContainsFirst },
  { id: '0181_tenancy_unit_search_bulk_build', sql: unitSearchBulkBuild },
  { id: '0182_tenancy_rural_villages_bulk', sql: ruralVillagesBulk },
  { id: '0183_tenancy_unit_bulk_load', sql: unitBulkLoad },
];
