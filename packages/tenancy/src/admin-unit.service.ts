import { badInput, conflict, notFound } from '@jiceng/core';
import { executeBound, requestScope, type EntityManager } from '@jiceng/db';
import { ADMIN_LEVELS, type AdminLevel, type AdminUnitRow } from './entities/admin-unit.entity.js';
import { assertCan, type Principal } from './principal.js';
import { decodeOffsetCursor, encodeCursor, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import { byKey, oneByKey } from './context.js';

export const CODE_PATTERN = /^\d{12}$/;

// Reads on the request path return plain rows (mapUnit), not managed entities: hydrating an entity and
// keeping it in the identity map buys nothing for a read. The scope condition is layer 1's filter, RLS is layer 2.
export async function unitByCode(em: EntityManager, code: string): Promise<AdminUnitRow | null> {
  if (!CODE_PATTERN.test(code)) return null;
  const [row] = await executeBound<any>(em, `select * from admin_unit where code = $1 and path <@ any ($2::ltree[])`, [code, requestScope(em)]);
  return row ? mapUnit(row) : null;
}

/** Units the caller can see by official code, in one statement (codes not seen are left out). */
export async function unitsByCodes(em: EntityManager, codes: readonly string[]): Promise<AdminUnitRow[]> {
  const valid = [...new Set(codes)].filter((c) => CODE_PATTERN.test(c));
  if (!valid.length) return [];
  return (await executeBound<any>(em, `select * from admin_unit where code = any ($1::text[]) and path <@ any ($2::ltree[])`, [valid, requestScope(em)])).map(mapUnit);
}

export async function unitsByIds(em: EntityManager, ids: readonly string[]): Promise<AdminUnitRow[]> {
  const valid = [...new Set(ids)].filter((id) => /^\d{1,18}$/.test(id));
  if (!valid.length) return [];
  return (await executeBound<any>(em, `select * from admin_unit where id = any ($1::bigint[]) and path <@ any ($2::ltree[])`, [valid, requestScope(em)])).map(mapUnit);
}

/**
 * The units of a subtree above a level (for VILLAGE: the prefectures, counties and townships under a
 * unit; a region has a few thousand at most), in the caller's scope, by path. Spreadsheet exports name
 * each row's unit path with them.
 */
export async function unitsAbove(em: EntityManager, rootPath: string, level: AdminLevel): Promise<AdminUnitRow[]> {
  const deeper = ADMIN_LEVELS.slice(ADMIN_LEVELS.indexOf(level));
  return (await executeBound<any>(em, `select * from admin_unit where path <@ $1::ltree and path <@ any ($2::ltree[]) and level <> all ($3::text[]) order by path`,
    [rootPath, requestScope(em), deeper])).map(mapUnit);
}

/** A unit the caller can see, or NOT_FOUND (also when it exists outside the caller's scope). */
export async function requireUnit(em: EntityManager, id: string, field = 'unitId'): Promise<AdminUnitRow> {
  return (await requireUnits(em, [id], () => field))[0]!;
}

/** Units the caller can see, in the order asked, in one statement; any other id is NOT_FOUND. */
export async function requireUnits(em: EntityManager, ids: readonly string[], field: (k: number) => string): Promise<AdminUnitRow[]> {
  for (const [k, id] of ids.entries()) if (!/^\d{1,18}$/.test(id)) throw badInput(field(k), 'not a valid unit id');
  // lean SQL on the hot path of every mutation; the scope condition is layer 1's filter, RLS is layer 2
  const rows = await executeBound<any>(em, `select * from admin_unit where id = any ($1::bigint[]) and path <@ any ($2::ltree[])`, [
    [...new Set(ids)], requestScope(em),
  ]);
  const found = oneByKey(ids, rows.map(mapUnit), (u) => u.id);
  return found.map((u) => {
    if (!u) throw notFound('admin unit');
    return u;
  });
}

/** Villages the caller can see (NOT_FOUND otherwise); another level is BAD_USER_INPUT on that item. */
export async function requireVillages(em: EntityManager, ids: readonly string[], field: (k: number) => string): Promise<AdminUnitRow[]> {
  const units = await requireUnits(em, ids, field);
  for (const [k, u] of units.entries()) if (u.level !== 'VILLAGE') throw badInput(field(k), 'must be a village');
  return units;
}

export async function requireVillage(em: EntityManager, id: string, field = 'villageId'): Promise<AdminUnitRow> {
  return (await requireVillages(em, [id], () => field))[0]!;
}

/** Children of many parents at once (first page only is batched; DataLoader calls this). */
export async function childrenOf(em: EntityManager, parentIds: readonly string[], size: number, afterCode: string | null): Promise<AdminUnitRow[]> {
  const rows = await executeBound<any>(em,
    `select * from (
       select u.*, row_number() over (partition by u.parent_id order by u.code) as rn
         from admin_unit u
        where u.parent_id = any($1::bigint[]) and ($2::text is null or u.code > $2)
     ) c where rn <= $3 order by parent_id, code`,
    [parentIds, afterCode, size + 1],
  );
  return rows.map(mapUnit);
}

export function mapUnit(r: any): AdminUnitRow {
  return {
    id: String(r.id),
    code: r.code,
    name: r.name,
    level: r.level,
    parentId: r.parent_id == null ? null : String(r.parent_id),
    path: r.path,
    countyId: r.county_id == null ? null : String(r.county_id),
    population: r.population,
    households: r.households,
    partyMembers: r.party_members,
    economy: r.economy,
    urban: r.urban,
    descendantCounts: r.descendant_counts ?? {},
  } as AdminUnitRow;
}

/** The visible ancestors (root first) of many units at once, by their paths. */
export async function ancestorsOfMany(em: EntityManager, paths: readonly string[]): Promise<AdminUnitRow[][]> {
  const rows = await executeBound<any>(em,
    `select d.p as for_path, a.* from unnest($1::ltree[]) as d(p) join admin_unit a on a.path @> d.p and a.path <> d.p order by d.p, nlevel(a.path)`,
    [paths],
  );
  return byKey(paths, rows, (r) => r.for_path).map((group) => group.map(mapUnit));
}

/** The statement behind searchUnits (its parameters: searchUnitsParams), exported for the benchmark's EXPLAIN. */
export const SEARCH_UNITS_SQL = `select * from jiceng_search_units($1, $2, $3, $4, $5, $6, $7)`;

export function searchUnitsParams(under: Pick<AdminUnitRow, 'id' | 'path' | 'parentId'>, text: string, level: AdminLevel | null, limit: number, offset: number): unknown[] {
  // under the country every unit carries its label: no subtree condition to look up
  const label = under.parentId === null ? null : under.path.slice(under.path.lastIndexOf('.') + 1);
  return [label, under.path, under.id, level, text, limit, offset];
}

/**
 * Name search within a unit's subtree: names that contain the text, or are similar to it (pg_trgm),
 * containing ones first, then by similarity and code. One GIN index (migration 0151) holds each unit's
 * path labels, name characters and name trigrams, so the subtree and the text are looked up together
 * (the label of the unit searched under, e.g. `r41`, is in the path of every unit below it): the cost
 * follows the matches, not the size of the subtree or of the country. The characters answer texts too
 * short for trigrams (most Chinese names are 2 to 4 characters). The statement is the function
 * jiceng_search_units, which applies the caller's scope itself (RLS would keep the index out).
 */
export async function searchUnits(
  em: EntityManager,
  under: AdminUnitRow,
  text: string,
  level: AdminLevel | null,
  page: PageArgs,
): Promise<Page<AdminUnitRow>> {
  const q = text.trim();
  if (q.length < 1 || q.length > 50) throw badInput('name', 'must be 1 to 50 characters');
  const size = pageSize(page.first);
  const offset = decodeOffsetCursor(page.after);
  const rows = await executeBound<any>(em, SEARCH_UNITS_SQL, searchUnitsParams(under, q, level, size + 1, offset));
  const units = rows.map(mapUnit);
  const p = toPage(units, size, () => '');
  return { ...p, cursorOf: (n) => encodeCursor(String(offset + units.indexOf(n) + 1)) };
}

export function assertLevel(level: string, field = 'level'): AdminLevel {
  if (!(ADMIN_LEVELS as readonly string[]).includes(level)) throw badInput(field, `must be one of ${ADMIN_LEVELS.join(', ')}`);
  return level as AdminLevel;
}

const NESTING: Record<AdminLevel, AdminLevel[]> = {
  COUNTRY: [],
  REGION: ['COUNTRY', 'REGION'],
  COUNTY: ['REGION'],
  TOWNSHIP: ['COUNTY', 'REGION'],
  VILLAGE: ['TOWNSHIP'],
};
export const allowedParentLevels = (level: AdminLevel) => NESTING[level];

/** Tables whose rows hang on units (a unit_path column, found in the catalog), their ltree columns, and whether they name their unit. */
async function tenantTables(em: EntityManager): Promise<{ table: string; columns: string[]; hasUnitId: boolean }[]> {
  const rows = await em.execute<{ table_name: string; columns: string[]; has_unit_id: boolean }[]>(
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

/**
 * The move on record before the paths change: the unit, today's date and both parents (unit_move), and
 * for every unit of the subtree the path it leaves (unit_placement), so figures of earlier years can
 * place each unit where it stood then (`pathOnSql`).
 */
async function recordMove(tx: EntityManager, principal: Principal, unit: AdminUnitRow, parent: AdminUnitRow): Promise<void> {
  const [move] = await tx.execute<{ id: string }[]>(
    `insert into unit_move (unit_id, old_parent_id, new_parent_id, was_path, was_parent_name, new_parent_name, by_user)
     select u.id, u.parent_id, ?, u.path, o.name, ?, ? from admin_unit u left join admin_unit o on o.id = u.parent_id where u.id = ?
     returning id`,
    [parent.id, parent.name, principal.userId, unit.id],
  );
  await tx.execute(
    `insert into unit_placement (unit_id, move_id, was_path, valid_to)
     select id, ?, path, current_date from admin_unit where path <@ ?::ltree`,
    [move!.id, unit.path],
  );
}

/** A move of at least this many units refreshes the planner statistics of the tables it rewrote. */
export const LARGE_MOVE_UNITS = 1000;

/**
 * 撤乡并镇: moves a unit under a new parent, carrying its subtree and every row that hangs on it,
 * in one transaction. Both the unit and the new parent must be in the caller's scope.
 */
export async function moveUnit(em: EntityManager, principal: Principal, unitId: string, newParentId: string): Promise<AdminUnitRow> {
  const unit = await requireUnit(em, unitId, 'unitId');
  const parent = await requireUnit(em, newParentId, 'newParentId');
  assertCan(principal, 'unit:move', { path: unit.path, what: 'admin unit' });
  assertCan(principal, 'unit:move', { path: parent.path, what: 'admin unit' });
  if (unit.path === principal.unitPath) throw badInput('unitId', 'you cannot move your own home unit');
  if (!allowedParentLevels(unit.level).includes(parent.level)) {
    throw badInput('newParentId', `a ${unit.level} cannot be placed under a ${parent.level}`);
  }
  if (parent.path === unit.path || parent.path.startsWith(unit.path + '.')) throw badInput('newParentId', 'cannot move a unit under itself');
  if (parent.id === unit.parentId) return unit;
  const label = unit.path.split('.').pop()!;
  const newPath = `${parent.path}.${label}`;
  // the county a moved township or village now belongs to (none directly under a region)
  const newCounty = unit.level === 'COUNTY' || unit.level === 'REGION' ? null : parent.level === 'COUNTY' ? parent.id : parent.countyId;
  const setCounty = unit.level === 'TOWNSHIP' || unit.level === 'VILLAGE';
  const moved = 1 + Object.values(unit.descendantCounts ?? {}).reduce((a: number, n) => a + Number(n), 0);
  await em.transactional(async (tx) => {
    // lock the subtree so a concurrent move cannot interleave
    await tx.execute(`select id from admin_unit where path <@ ?::ltree for update`, [unit.path]);
    await recordMove(tx, principal, unit, parent);
    const oldDepth = unit.path.split('.').length;
    await tx.execute(
      `update admin_unit set path = ?::ltree || case when nlevel(path) > ? then subpath(path, ?) else '' end,
              parent_id = case when id = ? then ?::bigint else parent_id end,
              county_id = case when ? and level in ('TOWNSHIP', 'VILLAGE') then ?::bigint else county_id end
        where path <@ ?::ltree`,
      [newPath, oldDepth, oldDepth, unit.id, parent.id, setCounty, newCounty, unit.path],
    );
    for (const { table, columns, hasUnitId } of await tenantTables(tx)) {
      const rewrite = (c: string) => `${c} = case when ${c} <@ ?::ltree then ?::ltree || case when nlevel(${c}) > ? then subpath(${c}, ?) else '' end else ${c} end`;
      const sets = columns.map(rewrite);
      const params: unknown[] = columns.flatMap(() => [unit.path, newPath, oldDepth, oldDepth]);
      if (setCounty) {
        // as the insert trigger fills it: the county, or the row's own unit where there is no county
        sets.push(`county_id = case when unit_path <@ ?::ltree then ${hasUnitId ? 'coalesce(?::bigint, unit_id)' : '?::bigint'} else county_id end`);
        params.push(unit.path, newCounty);
      }
      await tx.execute(
        `update ${table} set ${sets.join(', ')} where ${columns.map((c) => `${c} <@ ?::ltree`).join(' or ')}`,
        [...params, ...columns.map(() => unit.path)],
      );
    }
    // rewriting a large subtree's paths leaves the planner's statistics behind
    if (moved >= LARGE_MOVE_UNITS) await executeBound(tx, `select jiceng_analyze($1::text[])`, [['admin_unit', ...(await tenantTables(tx)).map((t) => t.table)]]);
  }).catch((e) => {
    if (String(e?.code) === '23505') throw conflict('a unit with that path already exists under the new parent');
    throw e;
  });
  em.clear();
  return requireUnit(em, unit.id);
}
