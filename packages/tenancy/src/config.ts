import type { EntityManager } from '@jiceng/db';
import { isWithin } from './principal.js';
import { selectConfigRows } from './tenancy.store.js';

/** A configuration table (configTableSql) and the column holding the date or year a row applies from. */
export interface ConfigTable {
  table: string;
  since: string;
}

/**
 * Configuration set on units (standards) applies to their subtrees: a unit follows the row nearest
 * to it on its own ancestor line. `rows` must come deepest first (and, per unit, latest first).
 */
export function nearestOnAncestorLine<T extends { path: string }>(rows: readonly T[], unitPath: string): T | undefined {
  return rows.find((r) => isWithin(unitPath, r.path));
}

/**
 * The configuration in force as of a date or year for every unit of a subtree, read in one statement
 * (rows set on the root, its ancestors or units inside it) and resolved per unit: the deepest unit's
 * row, then the latest. `where` narrows the rows (one key of a keyed table; `?` placeholders); `map` turns a row into
 * its value once. Units with no row on their line resolve to undefined (the caller's default).
 */
export async function configUnder<T>(em: EntityManager, t: ConfigTable, asOf: string | number, rootPath: string,
  map: (row: any) => T, where: { sql: string; params: unknown[] } = { sql: 'true', params: [] }): Promise<(unitPath: string) => T | undefined> {
  const rows = await selectConfigRows(em, t, asOf, rootPath, where);
  const values = rows.map((r) => ({ path: r.path as string, value: map(r) }));
  return (unitPath) => nearestOnAncestorLine(values, unitPath)?.value;
}
