// SQL building blocks every module's migrations use for tenant-owned tables.

/** The request's scope: a set of ltree subtrees from a transaction-local setting. Empty means none
 * (an empty string cast to ltree would be the root, an ancestor of everything), and so does an empty
 * label inside the array (`{""}`): it is dropped, never read as the root. */
export const SCOPE_FUNCTIONS_SQL = `
create or replace function jiceng_scopes() returns ltree[]
  language sql stable parallel safe as $$
  select coalesce(array_agg(s), '{}'::ltree[])
    from unnest(nullif(current_setting('app.scopes', true), '')::ltree[]) s
   where nlevel(s) > 0
$$;
`;

/**
 * Pins the search_path of every function in schema public that the migrating roles own (extensions'
 * functions excepted): a trigger or SECURITY DEFINER function that resolves names through the caller's
 * search_path would find a temporary table (pg_temp is searched first unless named) before the real
 * one. pg_temp goes last. migrate() runs this after every migration, so functions added later are
 * pinned too; a test fails on any function in public without a search_path.
 */
export const PIN_SEARCH_PATH_SQL = `
do $pin$
declare f record;
begin
  for f in select p.oid::regprocedure as sig from pg_proc p
            where p.pronamespace = 'public'::regnamespace and p.prokind in ('f', 'p')
              and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
              and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search\\_path=%')
              and pg_has_role(current_user, p.proowner, 'USAGE')
  loop
    execute format('alter function %s set search_path = public, pg_temp', f.sig);
  end loop;
end $pin$;
`;

/** No temporary tables for anyone but the owner (who owns the database): a temporary table shadows a
 * real one of the same name in every query that does not name the schema. */
export function revokeTempSql(database: string): string {
  return `revoke temporary on database "${database.replace(/"/g, '""')}" from public`;
}

/** The columns every tenant-owned table starts with: its unit, and the keys the trigger fills from it. */
export const TENANT_KEYS = `unit_id bigint not null references admin_unit (id),
  unit_path ltree not null,
  county_id bigint`;

/**
 * Enables and forces row-level security on a table keyed by unit_path: rows are visible and
 * writable only inside the request's scope. (select jiceng_scopes()) is evaluated once per query.
 */
export function tenantTableSql(table: string, column = 'unit_path', opts: { index?: boolean } = {}): string {
  return `
alter table ${table} enable row level security;
alter table ${table} force row level security;
create policy ${table}_in_scope on ${table}
  using (${column} <@ any ((select jiceng_scopes())))
  with check (${column} <@ any ((select jiceng_scopes())));
${opts.index === false ? '' : `create index ${table}_${column}_gist on ${table} using gist (${column});`}
grant select, insert, update, delete on ${table} to :api_role;
`;
}

/** A trigger that copies unit_path and county_id from admin_unit(unit_id), so rows only name their unit. */
export function fillTenantKeysSql(table: string): string {
  return `
create trigger ${table}_tenant_keys before insert or update of unit_id on ${table}
  for each row execute function jiceng_fill_tenant_keys();
`;
}

const IN_SCOPE = 'unit_path <@ any ((select jiceng_scopes()))';

/** Rows written only within the scope, and readable within it or where `alsoRead` holds. */
function widerReadPoliciesSql(table: string, alsoRead: string): string {
  return `
create policy ${table}_read on ${table} for select
  using (${IN_SCOPE} or ${alsoRead});
create policy ${table}_insert on ${table} for insert with check (${IN_SCOPE});
create policy ${table}_update on ${table} for update
  using (${IN_SCOPE}) with check (${IN_SCOPE});
create policy ${table}_delete on ${table} for delete using (${IN_SCOPE});`;
}

/**
 * Configuration set on a unit (standards, calendars) applies to its whole subtree, so it is readable
 * from inside that subtree too (rows of ancestors), but written only within the scope.
 */
export function configTableSql(table: string): string {
  return `
alter table ${table} enable row level security;
alter table ${table} force row level security;${widerReadPoliciesSql(table, 'unit_path @> any ((select jiceng_scopes()))')}
create index ${table}_unit_path_gist on ${table} using gist (unit_path);
grant select, insert, update, delete on ${table} to :api_role;
`;
}

/**
 * Widens reading of a tenantTableSql table beyond the scope (`alsoRead`, checked only for rows outside
 * it); writing stays within the scope.
 */
export function widenReadSql(table: string, alsoRead: string): string {
  return `
drop policy ${table}_in_scope on ${table};${widerReadPoliciesSql(table, alsoRead)}
`;
}

/**
 * Configuration (standards, calendars) is written only from strictly above the unit it applies to:
 * replaces a configTableSql table's write policies so that a row's unit lies strictly below one of the
 * request's scopes. Reading is unchanged (the subtree and the units below it).
 */
export function configFromAboveSql(table: string): string {
  const below = `exists (select 1 from unnest((select jiceng_scopes())) s where unit_path <@ s and unit_path <> s)`;
  return `
drop policy ${table}_insert on ${table};
drop policy ${table}_update on ${table};
drop policy ${table}_delete on ${table};
create policy ${table}_insert on ${table} for insert with check (${below});
create policy ${table}_update on ${table} for update using (${below}) with check (${below});
create policy ${table}_delete on ${table} for delete using (${below});
`;
}
