import { badInput, conflict, notFound } from '@jiceng/core';
import { requestScope, type EntityManager } from '@jiceng/db';
import * as store from './tenancy.store.js';
import { ADMIN_LEVELS, type AdminLevel, type AdminUnitRow } from './entities/admin-unit.entity.js';
import { assertCan, type Principal } from './principal.js';
import { decodeOffsetCursor, encodeCursor, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import { byKey, oneByKey } from './context.js';

export const CODE_PATTERN = /^\d{12}$/;

// Reads on the request path return plain rows (the store's mapUnit), not managed entities: hydrating an
// entity and keeping it in the identity map buys nothing for a read.
export async function unitByCode(em: EntityManager, code: string): Promise<AdminUnitRow | null> {
  if (!CODE_PATTERN.test(code)) return null;
  return store.selectUnitByCode(em, code, requestScope(em));
}

/**
 * A unit by code with `levels.length` levels of children (each parent's first `levels[d] + 1` by code),
 * in one statement: the rows by depth (the unit alone at depth 0), or null when missing or out of scope.
 * The rows of a level whose `lean` is true hold only id, code, name, level and parentId (the rest null).
 */
export async function unitTreeByCode(em: EntityManager, code: string, levels: readonly number[], lean: readonly boolean[] = []): Promise<AdminUnitRow[][] | null> {
  if (!CODE_PATTERN.test(code)) return null;
  const tree = await store.selectUnitTree(em, code, requestScope(em), levels, lean);
  return tree[0]!.length ? tree : null;
}

/** Units the caller can see by official code, in one statement (codes not seen are left out). */
export async function unitsByCodes(em: EntityManager, codes: readonly string[]): Promise<AdminUnitRow[]> {
  const valid = [...new Set(codes)].filter((c) => CODE_PATTERN.test(c));
  if (!valid.length) return [];
  return store.selectScopedUnitsByCodes(em, valid, requestScope(em));
}

export async function unitsByIds(em: EntityManager, ids: readonly string[]): Promise<AdminUnitRow[]> {
  const valid = [...new Set(ids)].filter((id) => /^\d{1,18}$/.test(id));
  if (!valid.length) return [];
  return store.selectUnitsByIds(em, valid, requestScope(em));
}

/**
 * The units of a subtree above a level (for VILLAGE: the prefectures, counties and townships under a
 * unit; a region has a few thousand at most), in the caller's scope, by path. Spreadsheet exports name
 * each row's unit path with them.
 */
export async function unitsAbove(em: EntityManager, rootPath: string, level: AdminLevel): Promise<AdminUnitRow[]> {
  const deeper = ADMIN_LEVELS.slice(ADMIN_LEVELS.indexOf(level));
  return store.selectUnitsAbove(em, rootPath, requestScope(em), deeper);
}

/** A unit the caller can see, or NOT_FOUND (also when it exists outside the caller's scope). */
export async function requireUnit(em: EntityManager, id: string, field = 'unitId'): Promise<AdminUnitRow> {
  return (await requireUnits(em, [id], () => field))[0]!;
}

/** Units the caller can see, in the order asked, in one statement; any other id is NOT_FOUND. */
export async function requireUnits(em: EntityManager, ids: readonly string[], field: (k: number) => string): Promise<AdminUnitRow[]> {
  for (const [k, id] of ids.entries()) if (!/^\d{1,18}$/.test(id)) throw badInput(field(k), 'not a valid unit id');
  // lean SQL on the hot path of every mutation; the scope condition is layer 1's filter, RLS is layer 2
  const found = oneByKey(ids, await store.selectUnitsByIds(em, [...new Set(ids)], requestScope(em)), (u) => u.id);
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
export const childrenOf = store.selectChildren;

/** The visible ancestors (root first) of many units at once, by their paths. */
export async function ancestorsOfMany(em: EntityManager, paths: readonly string[]): Promise<AdminUnitRow[][]> {
  return byKey(paths, await store.selectAncestors(em, paths), (r) => r.forPath).map((group) => group.map((r) => r.unit));
}

/** Party members summed over the villages of each subtree, per path asked (null without villages). */
export async function partyMembersUnder(em: EntityManager, paths: readonly string[]): Promise<(number | null)[]> {
  const by = await store.selectVillagePartyMembers(em, paths);
  return paths.map((p) => by.get(p) ?? null);
}

/** The units at the roots of a scope (paths), in path order, as far as the caller can see them. */
export const unitIdsAtPaths = store.selectUnitIdsByPaths;

/** The caller's own home unit, also when it lies outside their scope (partners). */
export const selfUnit = store.selectSelfUnit;

// Reads other modules make of the tree (they join the view tenancy_unit only where one statement needs it)

/** Rural villages of a subtree, by code, with their party members (0 when unknown): `{ id, path, partyMembers }`. */
export const ruralVillagesUnder = store.selectRuralVillagesUnder;

/** The unit at a path (`{ id, path }`), if the caller sees it. */
export const unitAtPath = store.selectUnitAtPath;

/** A unit's level, if the caller sees it (null otherwise); no scope assertion. */
export const unitLevelOf = store.selectUnitLevel;

export { mapUnit, SEARCH_UNITS_SQL, searchUnitsParams } from './tenancy.store.js';

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
  const units = await store.selectSearchUnits(em, under, q, level, size + 1, offset);
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
    await store.lockSubtree(tx, unit.path);
    await store.insertMoveRecord(tx, unit, parent, principal.userId);
    const tables = await store.selectTenantTables(tx);
    await store.rewriteSubtree(tx, { unitId: unit.id, oldPath: unit.path, newPath, parentId: parent.id, newCounty: newCounty ?? null, setCounty }, tables);
    // rewriting a large subtree's paths leaves the planner's statistics behind
    if (moved >= LARGE_MOVE_UNITS) await store.analyzeTables(tx, ['admin_unit', ...tables.map((t) => t.table)]);
  }).catch((e) => {
    if (String(e?.code) === '23505') throw conflict('a unit with that path already exists under the new parent');
    throw e;
  });
  em.clear();
  return requireUnit(em, unit.id);
}
