import { executeBound, executePrepared, type EntityManager, type RollupDisagreement } from '@jiceng/db';
import { UserEntity, type UserRow } from './entities/user.entity.js';
import type { AdminLevel, AdminUnitRow } from './entities/admin-unit.entity.js';
import type { Role } from './roles.js';

// All of the tenancy module's SQL (demo seeds and migrations aside). Every statement runs on the
// request's EntityManager (its transaction, its scope, RLS) with server-side $n parameters; arrays travel
// as bound arrays. Rows come back camelCase and typed; services hold the rules and scope assertions,
// resolvers hold no SQL.

const q = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []) => executeBound<T>(em, sql, params);
const idOrNull = (v: unknown) => (v == null ? null : String(v));

// ---------------------------------------------------------------- admin units

/** A unit row (select *) as the typed, camelCase AdminUnitRow. */
export function mapUnit(r: any): AdminUnitRow {
  return {
    id: String(r.id),
    code: r.code,
    name: r.name,
    level: r.level,
    parentId: idOrNull(r.parent_id),
    path: r.path,
    countyId: idOrNull(r.county_id),
    population: r.population,
    households: r.households,
    partyMembers: r.party_members,
    economy: r.economy,
    urban: r.urban,
    descendantCounts: r.descendant_counts ?? {},
  } as AdminUnitRow;
}

/** The columns mapUnit reads, named (a prepared statement must not select `*`: executePrepared). */
const UNIT_COLUMNS = 'id, code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban, descendant_counts';

// The scope condition is layer 1's filter, RLS is layer 2. Reads return plain rows, not managed entities.

export async function selectUnitByCode(em: EntityManager, code: string, scope: readonly string[]): Promise<AdminUnitRow | null> {
  const [row] = await executePrepared<any>(em, `select ${UNIT_COLUMNS} from admin_unit where code = $1 and path <@ any ($2::ltree[])`, [code, scope]);
  return row ? mapUnit(row) : null;
}

export async function selectUnitsByIds(em: EntityManager, ids: readonly string[], scope: readonly string[]): Promise<AdminUnitRow[]> {
  return (await q<any>(em, `select * from admin_unit where id = any ($1::bigint[]) and path <@ any ($2::ltree[])`, [ids, scope])).map(mapUnit);
}

/** Units whose paths are among these (the roots of a scope), by path. */
export async function selectScopedUnitsByCodes(em: EntityManager, codes: readonly string[], scope: readonly string[]): Promise<AdminUnitRow[]> {
  return (await q<any>(em, `select * from admin_unit where code = any ($1::text[]) and path <@ any ($2::ltree[])`, [codes, scope])).map(mapUnit);
}

/** The units of a subtree whose level is not among `deeper`, in the scope, by path. */
export async function selectUnitsAbove(em: EntityManager, rootPath: string, scope: readonly string[], deeper: readonly string[]): Promise<AdminUnitRow[]> {
  return (await q<any>(em, `select * from admin_unit where path <@ $1::ltree and path <@ any ($2::ltree[]) and level <> all ($3::text[]) order by path`,
    [rootPath, scope, deeper])).map(mapUnit);
}

export async function selectUnitIdsByPaths(em: EntityManager, paths: readonly string[]): Promise<string[]> {
  return (await q<{ id: string }>(em, `select id::text as id from admin_unit where path = any($1::ltree[]) order by path`, [paths])).map((r) => r.id);
}

/** Children of many parents at once, the first `size + 1` of each after a code (by code). */
export async function selectChildren(em: EntityManager, parentIds: readonly string[], size: number, afterCode: string | null): Promise<AdminUnitRow[]> {
  const rows = await q<any>(em,
    `select * from (
       select u.*, row_number() over (partition by u.parent_id order by u.code) as rn
         from admin_unit u
        where u.parent_id = any($1::bigint[]) and ($2::text is null or u.code > $2)
     ) c where rn <= $3 order by parent_id, code`,
    [parentIds, afterCode, size + 1],
  );
  return rows.map(mapUnit);
}

/**
 * A unit by code and `levels.length` levels of its children in one statement, each parent's first
 * `levels[d] + 1` children by code (as selectChildren gives them, level by level): the rows by depth,
 * each level ordered by code; none when the unit is missing or out of scope.
 */
export async function selectUnitTree(em: EntityManager, code: string, scope: readonly string[], levels: readonly number[], lean: readonly boolean[] = []): Promise<AdminUnitRow[][]> {
  const isLean = levels.map((_, d) => !!lean[d]);
  const [row] = await executePrepared<{ tree: unknown[][][] }>(em, unitTreeSql(isLean), [code, scope, ...levels.map((size) => size + 1)]);
  const tree = row?.tree ?? [];
  return [tree[0] ?? [], ...levels.map((_, d) => tree[d + 1] ?? [])].map((units, d) => units.map(d > 0 && isLean[d - 1] ? leanUnitOf : unitOf));
}

// The tree comes back as one JSON value: per depth, an array of units, each an array of its columns in
// TREE_COLUMNS' order (ids as text). One value for the whole tree is parsed by JSON.parse at once, where
// a row per unit cost node-postgres a row object and a parse per column.
const TREE_COLUMNS = ['id::text', 'code', 'name', 'level', 'parent_id::text', 'path::text', 'county_id::text', 'population', 'households', 'party_members', 'economy', 'urban', 'descendant_counts'];
/** What a lean level reads: id, code, name, level, parent id (the first five of TREE_COLUMNS). */
const LEAN_UNIT_COLUMNS = 'id, code, name, level, parent_id';
const LEAN_TREE_COLUMNS = TREE_COLUMNS.slice(0, 5);

const unitOf = (u: any[]): AdminUnitRow =>
  ({ id: u[0], code: u[1], name: u[2], level: u[3], parentId: u[4], path: u[5], countyId: u[6], population: u[7], households: u[8], partyMembers: u[9], economy: u[10], urban: u[11], descendantCounts: u[12] ?? {} }) as AdminUnitRow;
/** A lean row: no path (isPartialRow), the columns it did not read null. */
const leanUnitOf = (u: any[]): AdminUnitRow =>
  ({ id: u[0], code: u[1], name: u[2], level: u[3], parentId: u[4], path: null, countyId: null, population: null, households: null, partyMembers: null, economy: null, urban: null, descendantCounts: {} }) as unknown as AdminUnitRow;

/**
 * selectUnitTree's text for these levels (one text per depth and lean pattern: a prepared statement each;
 * the page sizes are parameters).
 */
const unitTreeSql = (lean: readonly boolean[]): string => {
  const ctes = [`l0 as (select ${UNIT_COLUMNS} from admin_unit where code = $1 and path <@ any ($2::ltree[]))`];
  for (let d = 1; d <= lean.length; d++) {
    ctes.push(`l${d} as (select c.* from l${d - 1} p cross join lateral (select ${lean[d - 1] ? LEAN_UNIT_COLUMNS : UNIT_COLUMNS} from admin_unit c where c.parent_id = p.id order by c.code limit $${d + 2}) c)`);
  }
  const levels = Array.from({ length: lean.length + 1 }, (_, d) => {
    const columns = d > 0 && lean[d - 1] ? LEAN_TREE_COLUMNS : TREE_COLUMNS;
    return `(select coalesce(json_agg(json_build_array(${columns.join(', ')}) order by code), '[]') from l${d})`;
  });
  return `with ${ctes.join(',\n')}\nselect json_build_array(${levels.join(', ')}) as tree`;
};

/** The visible ancestors (root first) of many units, each tagged with the path it was asked for. */
export async function selectAncestors(em: EntityManager, paths: readonly string[]): Promise<{ forPath: string; unit: AdminUnitRow }[]> {
  const rows = await q<any>(em,
    `select d.p as for_path, a.* from unnest($1::ltree[]) as d(p) join admin_unit a on a.path @> d.p and a.path <> d.p order by d.p, nlevel(a.path)`,
    [paths],
  );
  return rows.map((r) => ({ forPath: r.for_path, unit: mapUnit(r) }));
}

/** Party members summed over the villages of each subtree, by the subtree's path (absent: no village). */
export async function selectVillagePartyMembers(em: EntityManager, paths: readonly string[]): Promise<Map<string, number | null>> {
  const rows = await q<{ path: string; n: string | null }>(em,
    `select d.p::text as path, sum(v.party_members) as n from unnest($1::ltree[]) d(p)
       join admin_unit v on v.path <@ d.p and v.level = 'VILLAGE' group by d.p`, [paths]);
  return new Map(rows.map((r) => [r.path, r.n == null ? null : Number(r.n)]));
}

/** The statement behind name search (its parameters: searchUnitsParams), exported for the benchmark's EXPLAIN. */
export const SEARCH_UNITS_SQL = `select * from jiceng_search_units($1, $2, $3, $4, $5, $6, $7)`;

export function searchUnitsParams(under: Pick<AdminUnitRow, 'id' | 'path' | 'parentId'>, text: string, level: AdminLevel | null, limit: number, offset: number): unknown[] {
  // under the country every unit carries its label: no subtree condition to look up
  const label = under.parentId === null ? null : under.path.slice(under.path.lastIndexOf('.') + 1);
  return [label, under.path, under.id, level, text, limit, offset];
}

export async function selectSearchUnits(em: EntityManager, under: AdminUnitRow, text: string, level: AdminLevel | null, limit: number, offset: number): Promise<AdminUnitRow[]> {
  return (await q<any>(em, SEARCH_UNITS_SQL, searchUnitsParams(under, text, level, limit, offset))).map(mapUnit);
}

/** Rural villages of a subtree, by code, with their party members (0 when unknown). */
export async function selectRuralVillagesUnder(em: EntityManager, path: string): Promise<{ id: string; path: string; partyMembers: number }[]> {
  return q(em,
    `select id::text as "id", path::text as "path", coalesce(party_members, 0) as "partyMembers" from admin_unit
      where path <@ $1::ltree and level = 'VILLAGE' and not urban order by code`, [path]);
}

/** The unit at a path, if the caller sees it (RLS). */
export async function selectUnitAtPath(em: EntityManager, path: string): Promise<{ id: string; path: string } | null> {
  const [u] = await q<{ id: string; path: string }>(em, `select id::text as "id", path::text as "path" from admin_unit where path = $1::ltree`, [path]);
  return u ?? null;
}

/** A unit's level, if the caller sees it (RLS). */
export async function selectUnitLevel(em: EntityManager, id: string): Promise<AdminLevel | null> {
  const [r] = await q<{ level: AdminLevel }>(em, `select level from admin_unit where id = $1`, [id]);
  return r?.level ?? null;
}

/** The caller's own home unit, also when it lies outside their scope (partners). */
export async function selectSelfUnit(em: EntityManager, userId: string): Promise<AdminUnitRow> {
  return mapUnit((await q<any>(em, 'select * from jiceng_self_unit($1)', [userId]))[0]);
}

// ---------------------------------------------------------------- moves (撤乡并镇)

/** Tables whose rows hang on units (a unit_path column, found in the catalog), their ltree columns, and whether they name their unit. */
export async function selectTenantTables(em: EntityManager): Promise<{ table: string; columns: string[]; hasUnitId: boolean }[]> {
  const rows = await q<{ table_name: string; columns: string[]; has_unit_id: boolean }>(em,
    `select c.table_name, array_agg(c.column_name::text order by c.column_name) as columns,
            exists (select 1 from information_schema.columns i where i.table_schema = 'public' and i.table_name = c.table_name and i.column_name = 'unit_id') as has_unit_id
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and c.udt_name = 'ltree' and t.table_type = 'BASE TABLE'
        -- was_* columns keep where a unit stood before a move (unit_move, unit_placement): never rewritten
        and c.column_name not like 'was\\_%'
        and exists (select 1 from information_schema.columns u where u.table_schema = 'public' and u.table_name = c.table_name and u.column_name = 'unit_path')
      group by c.table_name order by c.table_name`,
  );
  return rows.map((r) => ({ table: r.table_name, columns: r.columns, hasUnitId: r.has_unit_id }));
}

/** Locks a subtree's units, so a concurrent move cannot interleave. */
export async function lockSubtree(tx: EntityManager, path: string): Promise<void> {
  await q(tx, `select id from admin_unit where path <@ $1::ltree for update`, [path]);
}

/**
 * The move on record before the paths change: the unit, today's date and both parents (unit_move), and
 * for every unit of the subtree the path it leaves (unit_placement).
 */
export async function insertMoveRecord(tx: EntityManager, unit: { id: string; path: string }, parent: { id: string; name: string }, byUser: string): Promise<void> {
  const [move] = await q<{ id: string }>(tx,
    `insert into unit_move (unit_id, old_parent_id, new_parent_id, was_path, was_parent_name, new_parent_name, by_user)
     select u.id, u.parent_id, $1::bigint, u.path, o.name, $2::text, $3::bigint from admin_unit u left join admin_unit o on o.id = u.parent_id where u.id = $4
     returning id`,
    [parent.id, parent.name, byUser, unit.id],
  );
  await q(tx,
    `insert into unit_placement (unit_id, move_id, was_path, valid_to)
     select id, $1, path, current_date from admin_unit where path <@ $2::ltree`,
    [move!.id, unit.path],
  );
}

export interface SubtreeMove {
  unitId: string;
  oldPath: string;
  newPath: string;
  parentId: string;
  /** the county of a moved township or village (null directly under a region) */
  newCounty: string | null;
  setCounty: boolean;
}

/** Rewrites the paths (parent, county) of a moved subtree, and of every row hanging on it in `tables`. */
export async function rewriteSubtree(tx: EntityManager, m: SubtreeMove, tables: { table: string; columns: string[]; hasUnitId: boolean }[]): Promise<void> {
  const oldDepth = m.oldPath.split('.').length;
  await q(tx,
    `update admin_unit set path = $1::ltree || case when nlevel(path) > $2 then subpath(path, $2) else '' end,
            parent_id = case when id = $3 then $4::bigint else parent_id end,
            county_id = case when $5 and level in ('TOWNSHIP', 'VILLAGE') then $6::bigint else county_id end
      where path <@ $7::ltree`,
    [m.newPath, oldDepth, m.unitId, m.parentId, m.setCounty, m.newCounty, m.oldPath],
  );
  // $1 the old path, $2 the new one, $3 the old depth, $4 the new county; table and column names come from the catalog
  for (const { table, columns, hasUnitId } of tables) {
    const sets = columns.map((c) => `${c} = case when ${c} <@ $1::ltree then $2::ltree || case when nlevel(${c}) > $3 then subpath(${c}, $3) else '' end else ${c} end`);
    // as the insert trigger fills it: the county, or the row's own unit where there is no county
    if (m.setCounty) sets.push(`county_id = case when unit_path <@ $1::ltree then ${hasUnitId ? 'coalesce($4::bigint, unit_id)' : '$4::bigint'} else county_id end`);
    await q(tx, `update ${table} set ${sets.join(', ')} where ${columns.map((c) => `${c} <@ $1::ltree`).join(' or ')}`,
      m.setCounty ? [m.oldPath, m.newPath, oldDepth, m.newCounty] : [m.oldPath, m.newPath, oldDepth]);
  }
}

/** Refreshes the planner statistics of these tables. */
export async function analyzeTables(em: EntityManager, tables: readonly string[]): Promise<void> {
  await q(em, `select jiceng_analyze($1::text[])`, [tables]);
}

/** Whether any unit moved after a day (one index probe). */
export async function anyMovedAfter(em: EntityManager, asOf: string): Promise<boolean> {
  return (await q(em, `select 1 from unit_placement where valid_to > $1::date limit 1`, [asOf])).length > 0;
}

/**
 * For each asked unit, the units placed differently on `asOf` than today relative to it (`nowIn`: under
 * it now, not then). Every unit that moved after the day has a placement after it; its earliest one holds
 * where it stood that day (was_path) and where it is now (unit_path, rewritten by later moves).
 */
export async function selectPlacementChanges(em: EntityManager, units: readonly { id: string; path: string }[], asOf: string): Promise<{ forId: string; unitId: string; nowIn: boolean }[]> {
  return q(em,
    `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path)),
     moved as (select distinct on (unit_id) unit_id, unit_path, was_path from unit_placement
                where valid_to > $3::date order by unit_id, valid_to, id),
     asked as (select u.id, u.path, coalesce(m.was_path, u.path) as then_path from u left join moved m on m.unit_id = u.id)
     select a.id::text as "forId", m.unit_id::text as "unitId", (m.unit_path <@ a.path) as "nowIn"
       from asked a join moved m on (m.unit_path <@ a.path) <> (m.was_path <@ a.then_path)`,
    [units.map((u) => u.id), units.map((u) => u.path), asOf],
  );
}

export interface UnitMoveRow {
  id: string;
  unitId: string;
  movedOn: string;
  oldParentId: string | null;
  newParentId: string;
  oldParentName: string | null;
  newParentName: string;
  by: string | null;
}

/** Moves of many units at once (each unit's own, and those into or out of it), newest first, tagged with the asked unit. */
export async function selectMoves(em: EntityManager, unitIds: readonly string[]): Promise<(UnitMoveRow & { forId: string })[]> {
  return q(em,
    `select k.id::text as "forId", m.id::text as id, m.unit_id::text as "unitId", to_char(m.moved_on, 'YYYY-MM-DD') as "movedOn",
            m.old_parent_id::text as "oldParentId", m.new_parent_id::text as "newParentId",
            m.was_parent_name as "oldParentName", m.new_parent_name as "newParentName", a.username as by
       from unnest($1::bigint[]) as k(id)
       join unit_move m on m.unit_id = k.id or m.old_parent_id = k.id or m.new_parent_id = k.id
       left join app_user a on a.id = m.by_user
      order by m.moved_on desc, m.id desc`,
    [unitIds],
  );
}

// ---------------------------------------------------------------- configuration on units

/**
 * Rows of a configuration table in force as of a date or year on a subtree (set on the root, its
 * ancestors or units inside it), deepest first, then latest. `where.sql` narrows them with `?`
 * placeholders for `where.params` (numbered here; `?` is no other operator there).
 */
export async function selectConfigRows(em: EntityManager, t: { table: string; since: string }, asOf: string | number, rootPath: string,
  where: { sql: string; params: unknown[] }): Promise<any[]> {
  let n = 2;
  const narrowed = where.sql.replace(/\?/g, () => `$${++n}`);
  return q<any>(em,
    `select *, unit_path::text as path from ${t.table}
      where ${t.since} <= $1 and (unit_path @> $2::ltree or unit_path <@ $2::ltree) and (${narrowed})
      order by nlevel(unit_path) desc, ${t.since} desc`,
    [asOf, rootPath, ...where.params],
  );
}

// ---------------------------------------------------------------- accounts

/** An account by id, visible in the caller's scope (the ORM's scope filter; RLS), or null. */
export async function findUser(em: EntityManager, id: string): Promise<UserRow | null> {
  return em.findOne(UserEntity, { id });
}

/** Accounts whose home unit is in a subtree (and the scope: layer 1's filter, RLS is layer 2), by username after a name, at most `limit`. */
export async function selectUsersUnder(em: EntityManager, path: string, afterName: string | null, limit: number, scope: readonly string[]): Promise<UserRow[]> {
  return q<UserRow>(em,
    `select id::text as id, username, display_name as "displayName", unit_id::text as "unitId", unit_path::text as "unitPath",
            county_id::text as "countyId", roles, disabled, token_version as "tokenVersion", created_by::text as "createdBy",
            created_at as "createdAt", updated_at as "updatedAt"
       from app_user where unit_path <@ $1::ltree and ($2::text is null or username > $2) and unit_path <@ any ($4::ltree[])
      order by username limit $3`,
    [path, afterName, limit, scope],
  );
}

/** An account's unit and roles, if the caller sees it (RLS). */
export async function selectAccountPlace(em: EntityManager, id: string): Promise<{ id: string; unitId: string; unitPath: string; roles: string[] } | null> {
  const [u] = await q<{ id: string; unitId: string; unitPath: string; roles: string[] }>(em,
    `select id::text, unit_id::text as "unitId", unit_path::text as "unitPath", roles from app_user where id = $1`, [id]);
  return u ?? null;
}

/** The caller's own account, also when it lies outside their scope (partners). */
export async function selectSelfUser(em: EntityManager, id: string): Promise<UserRow> {
  const [u] = await q<any>(em, 'select * from jiceng_self($1)', [id]);
  return { id: String(u.id), username: u.username, displayName: u.display_name, unitId: String(u.unit_id), unitPath: u.unit_path, roles: u.roles, disabled: u.disabled } as UserRow;
}

export async function selectSelfPasswordHash(em: EntityManager, userId: string): Promise<string | null> {
  const [me] = await q<{ password_hash: string }>(em, 'select password_hash from jiceng_self($1)', [userId]);
  return me?.password_hash ?? null;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  unitId: string;
  roles: readonly string[];
  createdBy: string;
  reachUnitId: string | null;
}

/** Inserts an account; null when the username is taken. */
export async function insertUser(em: EntityManager, u: NewUser): Promise<string | null> {
  const [row] = await q<{ id: string }>(em,
    `insert into app_user (username, display_name, password_hash, unit_id, roles, created_by, reach_unit_id)
     values ($1, $2, $3, $4, $5::text[], $6, $7) on conflict (username) do nothing returning id::text as id`,
    [u.username, u.displayName, u.passwordHash, u.unitId, u.roles, u.createdBy, u.reachUnitId],
  );
  return row ? row.id : null;
}

export async function setUserReach(em: EntityManager, userId: string, reachUnitId: string | null): Promise<void> {
  await q(em, `update app_user set reach_unit_id = $1, updated_at = now() where id = $2`, [reachUnitId, userId]);
}

export async function setUserDisplayName(em: EntityManager, userId: string, displayName: string): Promise<void> {
  await q(em, `update app_user set display_name = $1, updated_at = now() where id = $2`, [displayName, userId]);
}

/** New roles, unit (and name): a change of roles or unit gives the account `reachUnitId` and ends its sessions. */
export async function updateUserGrant(em: EntityManager, userId: string, patch: { displayName: string | null; roles: readonly string[]; unitId: string; reachUnitId: string | null }): Promise<void> {
  await q(em,
    `update app_user set display_name = coalesce($1, display_name), roles = $2::text[], unit_id = $3,
            reach_unit_id = case when roles <> $2::text[] or unit_id <> $3 then $5 else reach_unit_id end,
            token_version = token_version + case when roles <> $2::text[] or unit_id <> $3 then 1 else 0 end, updated_at = now()
      where id = $4`,
    [patch.displayName, patch.roles, patch.unitId, userId, patch.reachUnitId],
  );
}

/** Disables or enables an account; every token of it stops working (token version). */
export async function setUserDisabledRow(em: EntityManager, userId: string, disabled: boolean): Promise<void> {
  await q(em, `update app_user set disabled = $1, token_version = token_version + 1, updated_at = now() where id = $2`, [disabled, userId]);
}

/** A new password hash; every token of the account stops working. */
export async function setUserPasswordHash(em: EntityManager, userId: string, hash: string): Promise<void> {
  await q(em, `update app_user set password_hash = $1, token_version = token_version + 1, updated_at = now() where id = $2`, [hash, userId]);
}

// ---------------------------------------------------------------- sign-in

/** The row jiceng_principal returns (an account, its scopes as text). */
export interface PrincipalRow {
  id: string;
  username: string;
  display_name: string;
  unit_id: string;
  unit_path: string;
  roles: Role[];
  disabled: boolean;
  token_version: number;
  scopes: string;
  backend_pid: number;
}

/** Seconds the throttle holds an attempt back (0: go ahead); takes the account's lock for the request. */
export async function loginThrottle(em: EntityManager, username: string, address: string, limits: object): Promise<number> {
  const [r] = await q<{ wait: number }>(em, 'select jiceng_login_throttle($1, $2, $3::jsonb) as wait', [username, address, JSON.stringify(limits)]);
  return Number(r?.wait ?? 0);
}

export async function recordLoginFailureRow(em: EntityManager, username: string, address: string, keepSeconds: number): Promise<void> {
  await q(em, 'select jiceng_record_login_failure($1, $2, $3)', [username, address, keepSeconds]);
}

export async function loginSucceeded(em: EntityManager, username: string, address: string): Promise<void> {
  await q(em, 'select jiceng_login_succeeded($1, $2)', [username, address]);
}

export async function clearLoginFailuresOf(em: EntityManager, username: string): Promise<void> {
  await q(em, 'select jiceng_clear_login_failures($1)', [username]);
}

export async function selectLoginCandidate(em: EntityManager, username: string): Promise<{ id: string; passwordHash: string; disabled: boolean; tokenVersion: number } | undefined> {
  const [u] = await q<{ id: string; passwordHash: string; disabled: boolean; tokenVersion: number }>(em,
    'select id::text as id, password_hash as "passwordHash", disabled, token_version as "tokenVersion" from jiceng_login_candidate($1)', [username]);
  return u;
}

/**
 * The account and, in the same statement, the request's scope (empty for a disabled account), and the
 * backend's pid (for cancelling).
 */
export async function selectPrincipalSettingScope(em: EntityManager, userId: string): Promise<PrincipalRow | undefined> {
  // prepared: every request with a token runs it (its columns named: executePrepared)
  const [row] = await executePrepared<PrincipalRow>(em,
    `select p.id, p.username, p.display_name, p.unit_id, p.unit_path, p.roles, p.disabled, p.token_version, p.scopes::text as scopes,
            set_config('app.scopes', case when p.disabled then '' else nullif(p.scopes::text, '{}') end, true),
            pg_backend_pid() as backend_pid
       from jiceng_principal($1) p`,
    [userId],
  );
  return row;
}

export async function clearRequestScope(em: EntityManager): Promise<void> {
  await q(em, `select set_config('app.scopes', '', true)`);
}

export async function selectPrincipals(em: EntityManager, ids: readonly string[]): Promise<PrincipalRow[]> {
  return q<PrincipalRow>(em, `select p.*, p.scopes::text as scopes from unnest($1::bigint[]) u(id) cross join lateral jiceng_principal(u.id) p`, [ids]);
}

// ---------------------------------------------------------------- code-list import

export interface ExistingUnitRow {
  id: string;
  code: string;
  level: AdminLevel;
  path: string;
  countyId: string | null;
  depth: number;
  parentCode: string | null;
}

/** Units (and their parents' codes) by code. */
export async function selectUnitsByCodes(em: EntityManager, codes: readonly string[]): Promise<ExistingUnitRow[]> {
  return q<ExistingUnitRow>(em,
    `select u.id::text as id, u.code, u.level, u.path::text as path, u.county_id::text as "countyId", nlevel(u.path) as depth, p.code as "parentCode"
       from admin_unit u left join admin_unit p on p.id = u.parent_id
      where u.code = any($1::char(12)[])`,
    [codes],
  );
}

/** Settings of a bulk import's transaction: descendant counts deferred, a large GIN pending list, sorts in memory. */
export async function beginBulkImport(tx: EntityManager): Promise<void> {
  // new units arrive with their descendant counts; the per-statement recount waits for the end
  await q(tx, `select set_config('app.defer_unit_counts', '1', true)`);
  // the search index (GIN) takes new units into its pending list, merged once at the end, not batch
  // by batch; a merge the list's size forces meanwhile sorts in work_mem, not in 4 MB pieces
  await q(tx, `select set_config('gin_pending_list_limit', '262144', true), set_config('work_mem', '256MB', true)`);
}

export async function endDeferredCounts(tx: EntityManager): Promise<void> {
  await q(tx, `select set_config('app.defer_unit_counts', '', true)`);
}

/** Recounts the descendants of these units and their ancestors. */
export async function refreshDescendantCounts(tx: EntityManager, paths: readonly string[]): Promise<void> {
  await q(tx, `select jiceng_refresh_descendant_counts($1::ltree[])`, [paths]);
}

/**
 * A bulk load without the parent foreign key, the subtree (path) and search indexes and the insert triggers:
 * dropped here, in the import's transaction (admin_unit is then locked against readers until it commits),
 * and the key and indexes built once at its end (endBulkLoad; migration 0183).
 */
export async function beginBulkLoad(tx: EntityManager): Promise<void> {
  await q(tx, `select jiceng_unit_bulk_drop()`);
}

export async function endBulkLoad(tx: EntityManager): Promise<void> {
  await q(tx, `select jiceng_unit_bulk_build()`);
}

/** The rural villages of these villages' parents, recounted (a bulk import's triggers leave them to its end). */
export async function recountRuralVillagesOf(tx: EntityManager, villageCodes: readonly string[]): Promise<void> {
  if (villageCodes.length) await q(tx, `select jiceng_recount_rural_villages_of($1::text[])`, [villageCodes]);
}

/** admin_unit's planner statistics refreshed (in the import's transaction: its own rows counted). */
export async function analyzeUnits(tx: EntityManager): Promise<void> {
  await q(tx, `select count(*) from jiceng_analyze(array['admin_unit'])`);
}

/** Merges the search index's pending entries and refreshes admin_unit's planner statistics. */
export async function mergeSearchAndAnalyze(tx: EntityManager): Promise<void> {
  await q(tx, `select jiceng_merge_unit_search(), (select count(*) from jiceng_analyze(array['admin_unit']))`);
}

const INSERT_UNITS = `insert into admin_unit (code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban, descendant_counts, rural_villages)
  select * from unnest($1::char(12)[], $2::text[], $3::text[], $4::bigint[], $5::ltree[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::text[], $11::boolean[], $12::jsonb[], $13::int[])`;

/**
 * Inserts a batch of units, one array (literal) per column in INSERT_UNITS' order; `returning` gives back
 * their ids by code. The statement is sent at once: the caller may prepare the next batch meanwhile.
 */
export function insertUnitBatch(em: EntityManager, columns: readonly string[], returning: boolean): Promise<{ id: string; code: string }[]> {
  return q<{ id: string; code: string }>(em, returning ? `${INSERT_UNITS} returning id::text as id, code` : INSERT_UNITS, columns);
}

/** Counties are their own distribution key, known once inserted. */
export async function setOwnCounty(em: EntityManager, ids: readonly string[]): Promise<void> {
  await q(em, `update admin_unit set county_id = id where id = any($1::bigint[])`, [ids]);
}

/**
 * Updates units by code where a column differs; `columns` name admin_unit's columns and their SQL types,
 * `values[k]` the array for column k (codes first). Returns how many changed.
 */
export async function updateUnitsByCode(em: EntityManager, columns: readonly { name: string; type: string }[], codes: readonly string[], values: readonly unknown[][]): Promise<number> {
  const names = columns.map((c) => c.name);
  const [{ n }] = (await q<{ n: number }>(em,
    `with i as (
       select * from unnest($1::char(12)[], ${columns.map((c, k) => `$${k + 2}::${c.type}[]`).join(', ')}) as t(code, ${names.join(', ')})
     ), up as (
       update admin_unit u set ${names.map((c) => `${c} = i.${c}`).join(', ')}
         from i where u.code = i.code
          and row(${names.map((c) => `u.${c}`).join(', ')}) is distinct from row(${names.map((c) => `i.${c}`).join(', ')})
       returning 1
     )
     select count(*)::int as n from up`,
    [codes, ...values],
  )) as [{ n: number }];
  return n;
}

/** Signs an account out everywhere (DELETE /session): its token version moves on, if `version` is still its. */
export async function endSessions(em: EntityManager, userId: string | number, version: number): Promise<void> {
  await q(em, 'select jiceng_end_sessions($1, $2)', [userId, version]);
}

/**
 * `pnpm rollup:check`'s part for tenancy: the units whose rural_villages (kept on write by 0199's trigger)
 * disagrees with a count of their rural village children.
 */
export async function ruralVillagesCheck(em: EntityManager): Promise<RollupDisagreement[]> {
  const rows = await q<{ unitId: string; unitPath: string; kept: number; counted: number }>(em,
    `select p.id::text as "unitId", p.path::text as "unitPath", p.rural_villages as kept, coalesce(c.n, 0) as counted
       from admin_unit p
       left join (select parent_id, count(*)::int as n from admin_unit where level = 'VILLAGE' and not urban group by parent_id) c on c.parent_id = p.id
      where p.rural_villages <> coalesce(c.n, 0)
      order by p.path`);
  return rows.map((r) => ({ rollup: 'admin_unit', unitId: r.unitId, unitPath: r.unitPath, key: '', figure: 'rural_villages', rollupValue: String(r.kept), sourceValue: String(r.counted) }));
}
