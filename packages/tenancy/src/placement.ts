import { today } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import * as store from './tenancy.store.js';
import type { UnitMoveRow } from './tenancy.store.js';

// Where units stood in past years (unit_move, unit_placement: migration 0190). Rows carry today's
// unit_path; a figure for a year that ended before a move corrects today's subtree with the units that
// were under the unit then but are not now (`in`), and those under it now but not then (`out`).

/** The last day of a year, yyyy-mm-dd: past years are counted as of that day. */
export const yearEnd = (year: number) => `${year}-12-31`;

/** A year that has ended (by the service's date, `today()` of @jiceng/core): its figures are as of its last day. */
export const isPastYear = (year: number) => yearEnd(year) < today();

export interface PlacementChange {
  /** units under the unit now that were elsewhere on the day */
  out: string[];
  /** units under the unit on the day that are elsewhere now */
  in: string[];
}

/**
 * For each unit, the units placed differently on `asOf` than in today's tree, relative to it. Units with
 * no change are left out of the map; when nothing moved after `asOf` this costs one index probe.
 * A unit out of the caller's sight is not counted either way (its rows are invisible anyway).
 */
export async function placementChanges(em: EntityManager, units: readonly { id: string; path: string }[], asOf: string): Promise<Map<string, PlacementChange>> {
  const out = new Map<string, PlacementChange>();
  if (!units.length) return out;
  if (!(await store.anyMovedAfter(em, asOf))) return out;
  for (const r of await store.selectPlacementChanges(em, units, asOf)) {
    const change = out.get(r.forId) ?? { out: [], in: [] };
    (r.nowIn ? change.out : change.in).push(r.unitId);
    out.set(r.forId, change);
  }
  return out;
}

export type { UnitMoveRow } from './tenancy.store.js';

/** Moves of many units at once, each unit's own moves and those into or out of it, newest first. */
export async function movesOf(em: EntityManager, unitIds: readonly string[]): Promise<Map<string, UnitMoveRow[]>> {
  const out = new Map<string, UnitMoveRow[]>(unitIds.map((id) => [id, []]));
  for (const { forId, ...move } of await store.selectMoves(em, unitIds)) out.get(forId)?.push(move);
  return out;
}
