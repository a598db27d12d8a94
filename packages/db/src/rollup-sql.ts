// Per-unit rollups kept on write (issue 12 point 5): for EVERY unit (village and above) and key (a year, a
// day and partner, …) the sums of some figures over its subtree, maintained in the transaction that
// changes the source rows. A module declares its rollup once (RollupSpec) and gets from it the table,
// the triggers that keep it, the rebuild after a bulk load, the move hook and the check.
//
// How a write moves the rollup: statement-level triggers (transition tables, so a bulk statement costs one
// refresh) collect the (village, key) pairs the statement touched, recompute those villages' figures from
// the source rows by unit id (btree), and add the difference to the village's row and every ancestor's row
// in ONE `insert … on conflict do update`, in (unit id, key) order so that concurrent writers lock rows in
// the same order. The village rows are locked first (a statement of their own), so the recomputation that
// follows sees whatever a concurrent writer of the same village committed before it. The functions run as
// the owner with the whole tree in scope (the ancestors lie outside a village user's scope) and restore
// the caller's scope. Rows carry the unit's path (RLS); they are read by unit id. A unit move (a row in
// unit_move, before the paths change) takes the moved unit's rows out of its old ancestors and adds them
// to its new ones; the move itself rewrites the moved subtree's paths like any tenant table's.

import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from './request.js';

export interface RollupKey {
  column: string;
  type: 'integer' | 'date' | 'bigint';
}

export interface RollupSource {
  table: string;
  /** SQL giving each key column of a source row `r`, in the order of the spec's keys */
  keys: string[];
  /** the row's village (default `r.unit_id`) */
  unit?: string;
  /** an update matters only when one of these columns changes (default: any update) */
  columns?: string[];
  /** the rows whose keys a statement touches, given its transition table (default: that table's rows) */
  rows?: (transition: string) => string;
}

export interface RollupSpec {
  /** short name: functions are jiceng_<name>_… */
  name: string;
  table: string;
  keys: RollupKey[];
  /** the figure columns (bigint) */
  figures: string[];
  /**
   * FROM-clause text after `k` (columns `u`, the village id, and the key columns) giving every figure of
   * one village and key from the source rows by unit id, e.g. `left join lateral (select count(*) as n
   * from x where x.unit_id = k.u and x.year = k.year) x on true`; figures are read as coalesce(column, 0).
   */
  village: string;
  sources: RollupSource[];
}

const keyCols = (s: RollupSpec, alias = '') => s.keys.map((k) => `${alias}${k.column}`).join(', ');

/** Every village figure of the pairs in `k`: `select k.u, keys, figures`. */
const villageRows = (s: RollupSpec, k: string) =>
  `select k.u, ${keyCols(s, 'k.')}, ${s.figures.map((f) => `coalesce(${f}, 0)::bigint as ${f}`).join(', ')} from ${k} k ${s.village}`;

/** All (village, key) pairs that the source rows hold. */
const allPairs = (s: RollupSpec) =>
  `(${s.sources.map((src) => `select distinct ${src.unit ?? 'r.unit_id'} as u, ${src.keys.map((e, i) => `${e} as ${s.keys[i]!.column}`).join(', ')} from ${src.rows ? src.rows(src.table) : src.table} r`).join(' union ')})`;

/** What the rollup should hold for every unit and key (the subtree sums of the village figures). */
export function rollupExpectedSql(s: RollupSpec): string {
  return `with v as (${villageRows(s, allPairs(s))})
    select anc.id as unit_id, anc.path as unit_path, anc.county_id, ${keyCols(s, 'v.')}, ${s.figures.map((f) => `sum(v.${f})::bigint as ${f}`).join(', ')}
      from v join admin_unit vu on vu.id = v.u
      cross join generate_series(1, nlevel(vu.path)) n
      join admin_unit anc on anc.path = subpath(vu.path, 0, n)
     group by anc.id, anc.path, anc.county_id, ${keyCols(s, 'v.')}`;
}

/** Puts back the caller's scope and partner view (see withWholeTree). */
const restoreCaller = `perform set_config('app.scopes', coalesce(caller_scope, ''), true), set_config('app.partner_view', coalesce(caller_view, ''), true);`;

/** A function body that sees the whole tree as staff (no partner view: it must count every partner's rows), then restores the caller's settings. */
const withWholeTree = (body: string) => `
declare
  caller_scope text := current_setting('app.scopes', true);
  caller_view text := current_setting('app.partner_view', true);
begin
  perform set_config('app.scopes', '{cn}', true), set_config('app.partner_view', '', true);
${body}
  ${restoreCaller}
end`;

/** The refresh of the pairs in the CTE text `keys` (columns u and the keys): lock, recompute, add the differences upwards. */
function refreshSql(s: RollupSpec, keys: string): string {
  const k = keyCols(s);
  const on = s.keys.map((x) => `r.${x.column} = k.${x.column}`).join(' and ');
  return `
  -- the villages' own rows first, locked (their recomputation below then sees what others committed)
  insert into ${s.table} (unit_id, ${k}, unit_path, county_id)
  select k.u, ${keyCols(s, 'k.')}, a.path, a.county_id from (${keys}) k join admin_unit a on a.id = k.u
   order by k.u, ${keyCols(s, 'k.')} on conflict do nothing;
  perform 1 from ${s.table} r join (${keys}) k on r.unit_id = k.u and ${on} order by r.unit_id, ${keyCols(s, 'r.')} for update of r;
  with recursive k as (${keys}),
  fresh as (${villageRows(s, 'k')}),
  delta as (
    select f.u, ${keyCols(s, 'f.')}, ${s.figures.map((x) => `f.${x} - r.${x} as ${x}`).join(', ')}
      from fresh f join ${s.table} r on r.unit_id = f.u and ${s.keys.map((x) => `r.${x.column} = f.${x.column}`).join(' and ')}
     where (${s.figures.map((x) => `f.${x}`).join(', ')}) is distinct from (${s.figures.map((x) => `r.${x}`).join(', ')})),
  anc (v, id) as (
    select d.u, d.u from (select distinct u from delta) d
    union all
    select anc.v, a.parent_id from anc join admin_unit a on a.id = anc.id where a.parent_id is not null),
  summed as (
    select anc.id, ${keyCols(s, 'd.')}, ${s.figures.map((x) => `sum(d.${x}) as ${x}`).join(', ')}
      from delta d join anc on anc.v = d.u group by anc.id, ${keyCols(s, 'd.')})
  insert into ${s.table} as r (unit_id, ${k}, unit_path, county_id, ${s.figures.join(', ')})
  select x.id, ${keyCols(s, 'x.')}, a.path, a.county_id, ${s.figures.map((f) => `x.${f}`).join(', ')}
    from summed x join admin_unit a on a.id = x.id
   order by x.id, ${keyCols(s, 'x.')}
  on conflict (unit_id, ${k}) do update set ${s.figures.map((f) => `${f} = r.${f} + excluded.${f}`).join(', ')};`;
}

/** The pairs a source's statement touched: `rows` is its transition table (or a subquery over them). */
function touched(s: RollupSpec, src: RollupSource, rows: string): string {
  return `select ${src.unit ?? 'r.unit_id'} as u, ${src.keys.map((e, i) => `${e} as ${s.keys[i]!.column}`).join(', ')} from ${src.rows ? src.rows(rows) : rows} r`;
}

/** Migration SQL: the table, its policies and grants, the refresh triggers on every source, the move hook and the rebuild. */
export function rollupTableSql(s: RollupSpec): string {
  const k = keyCols(s);
  const fn = `jiceng_${s.name}`;
  const sources = s.sources.map((src) => {
    const name = `${fn}_${src.table}`;
    // an update matters when the row changed village or one of the source's columns (any, when none are named)
    const moved = (side: 'n' | 'o') => src.columns
      ? `(select ${side}.* from new_rows n join old_rows o on o.id = n.id
           where (${src.columns.map((c) => `n.${c}`).join(', ')}, n.unit_id) is distinct from (${src.columns.map((c) => `o.${c}`).join(', ')}, o.unit_id))`
      : side === 'n' ? 'new_rows' : 'old_rows';
    const updated = `select distinct * from (${touched(s, src, moved('n'))} union ${touched(s, src, moved('o'))}) t`;
    return `
create function ${name}() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
${withWholeTree(`
  -- a bulk load defers the rollup to its end (${fn}_rebuild)
  if current_setting('app.defer_rollups', true) = '1' then
    ${restoreCaller}
    return null;
  end if;
  if tg_op = 'INSERT' then${refreshSql(s, `select distinct * from (${touched(s, src, 'new_rows')}) t`)}
  elsif tg_op = 'DELETE' then${refreshSql(s, `select distinct * from (${touched(s, src, 'old_rows')}) t`)}
  else${refreshSql(s, updated)}
  end if;
  ${restoreCaller}
  return null;`)} $$;
create trigger ${s.table}_from_${src.table}_insert after insert on ${src.table}
  referencing new table as new_rows for each statement execute function ${name}();
create trigger ${s.table}_from_${src.table}_update after update on ${src.table}
  referencing new table as new_rows old table as old_rows for each statement execute function ${name}();
create trigger ${s.table}_from_${src.table}_delete after delete on ${src.table}
  referencing old table as old_rows for each statement execute function ${name}();`;
  }).join('\n');
  return `
create table ${s.table} (
  unit_id bigint not null references admin_unit (id),
  ${s.keys.map((x) => `${x.column} ${x.type} not null`).join(',\n  ')},
  unit_path ltree not null,
  county_id bigint,
  ${s.figures.map((f) => `${f} bigint not null default 0`).join(',\n  ')},
  primary key (unit_id, ${k})
);
alter table ${s.table} enable row level security;
alter table ${s.table} force row level security;
create policy ${s.table}_in_scope on ${s.table}
  using (unit_path <@ any ((select jiceng_scopes())))
  with check (unit_path <@ any ((select jiceng_scopes())));
create policy ${s.table}_owner on ${s.table} for all to :owner_role using (true) with check (true);
-- written only by the functions below (as the owner); a unit move rewrites the moved subtree's paths and counties
grant select on ${s.table} to :api_role;
grant update (unit_path, county_id) on ${s.table} to :api_role;
${sources}

-- A move (recorded in unit_move before the paths change): the moved unit's rows leave its old ancestors
-- and join its new ones (the units on both lines cancel out).
create function ${fn}_move() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
${withWholeTree(`
  with recursive old_line (id) as (
    select new.old_parent_id where new.old_parent_id is not null
    union all select a.parent_id from old_line l join admin_unit a on a.id = l.id where a.parent_id is not null),
  new_line (id) as (
    select new.new_parent_id
    union all select a.parent_id from new_line l join admin_unit a on a.id = l.id where a.parent_id is not null),
  net as (select id, sum(sign) as sign from (select id, -1 as sign from old_line union all select id, 1 from new_line) x group by id having sum(sign) <> 0)
  insert into ${s.table} as r (unit_id, ${k}, unit_path, county_id, ${s.figures.join(', ')})
  select net.id, ${keyCols(s, 'm.')}, a.path, a.county_id, ${s.figures.map((f) => `net.sign * m.${f}`).join(', ')}
    from net join admin_unit a on a.id = net.id cross join ${s.table} m
   where m.unit_id = new.unit_id
   order by net.id, ${keyCols(s, 'm.')}
  on conflict (unit_id, ${k}) do update set ${s.figures.map((f) => `${f} = r.${f} + excluded.${f}`).join(', ')};
  ${restoreCaller}
  return null;`)} $$;
create trigger ${s.table}_follows_moves after insert on unit_move for each row execute function ${fn}_move();

-- After a bulk load (with app.defer_rollups = '1'): the whole rollup again, in one statement.
create function ${fn}_rebuild() returns void language plpgsql security definer set search_path = public, pg_temp as $$
${withWholeTree(`
  delete from ${s.table};
  insert into ${s.table} (unit_id, unit_path, county_id, ${k}, ${s.figures.join(', ')})
  ${rollupExpectedSql(s)};`)} $$;
revoke execute on function ${fn}_rebuild() from public;
${REBUILD_ALL_SQL}`;
}

/**
 * jiceng_rebuild_rollups(): every rollup again (each module's jiceng_<name>_rebuild), for the end of a bulk
 * load that deferred them all (app.defer_rollups = '1': a module's seed also writes rows other modules'
 * rollups count, e.g. targets for pairing's coverage). Emitted with every rollup (create or replace).
 */
const REBUILD_ALL_SQL = `
create or replace function jiceng_rebuild_rollups() returns void language plpgsql set search_path = public, pg_temp as $$
declare f text;
begin
  for f in select p.proname from pg_proc p where p.pronamespace = 'public'::regnamespace and p.pronargs = 0
              and p.proname like 'jiceng\\_%\\_rebuild' and p.proname like '%rollup%' order by 1 loop
    execute format('select %I()', f);
  end loop;
end $$;
revoke execute on function jiceng_rebuild_rollups() from public;
`;

/**
 * The check: every (unit, key, figure) where the rollup and the source rows disagree (a missing row
 * counts as zeros). Columns: unit_id, unit_path, key (text), figure, rollup, source.
 */
export function rollupCheckSql(s: RollupSpec): string {
  const keyText = s.keys.map((x) => `coalesce(e.${x.column}, r.${x.column})::text`).join(` || ',' || `);
  return `with e as (${rollupExpectedSql(s)})
    select coalesce(e.unit_id, r.unit_id)::text as "unitId", coalesce(e.unit_path, r.unit_path)::text as "unitPath", ${keyText} as key,
           f.figure, f.rollup, f.source
      from e full join ${s.table} r on r.unit_id = e.unit_id and ${s.keys.map((x) => `r.${x.column} = e.${x.column}`).join(' and ')}
      cross join lateral (values ('unit_path', r.unit_path::text, e.unit_path::text), ${s.figures.map((f) => `('${f}', r.${f}::text, e.${f}::text)`).join(', ')}) as f(figure, rollup, source)
     where case when f.figure = 'unit_path' then e.unit_id is not null and r.unit_id is not null and f.rollup <> f.source
                else coalesce(f.rollup, '0') <> coalesce(f.source, '0') end
     order by 1, 3, 4`;
}

/** One figure of one rollup row that differs from what its source rows say. */
export interface RollupDisagreement {
  /** the rollup (table) */
  rollup: string;
  unitId: string;
  unitPath: string;
  /** the row's key: its year (a day and partner, … for other rollups), comma-separated */
  key: string;
  /** the figure (column), or unit_path when the row's path is not its unit's */
  figure: string;
  /** what the rollup holds (null: no row) and what the source rows say (null: none) */
  rollupValue: string | null;
  sourceValue: string | null;
}

/** Every disagreement between a rollup and its source rows, under the transaction's scope (the whole tree for a full check). */
export async function rollupDisagreements(em: EntityManager, s: RollupSpec): Promise<RollupDisagreement[]> {
  const rows = await executeBound<Omit<RollupDisagreement, 'rollup' | 'rollupValue' | 'sourceValue'> & { rollup: string | null; source: string | null }>(em, rollupCheckSql(s), []);
  return rows.map(({ rollup, source, ...r }) => ({ rollup: s.table, ...r, rollupValue: rollup, sourceValue: source }));
}
