import { executeBound, type EntityManager } from '@jiceng/db';

// Where units stood in past years (unit_move, unit_placement: migration 0190). Rows carry today's
// unit_path; a figure for a year that ended before a move corrects today's subtree with the units that
// were under the unit then but are not now (`in`), and those under it now but not then (`out`).

/** The last day of a year, yyyy-mm-dd: past years are counted as of that day. */
export const yearEnd = (year: number) => `${year}-12-31`;

/** A year that has ended (by UTC date, as `today()` elsewhere): its figures are as of its last day. */
export const isPastYear = (year: number) => yearEnd(year) < new Date().toISOString().slice(0, 10);

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
  const [moved] = await em.execute<unknown[]>(`select 1 from unit_placement where valid_to > ?::date limit 1`, [asOf]);
  if (!moved) return out;
  // every unit that moved after the day has a placement after it; its earliest one holds where it stood
  // that day (was_path) and where it is now (unit_path, rewritten by later moves): no lookup per unit
  const rows = await executeBound<{ for_id: string; unit_id: string; now_in: boolean }>(em,
    `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path)),
     moved as (select distinct on (unit_id) unit_id, unit_path, was_path from unit_placement
                where valid_to > $3::date order by unit_id, valid_to, id),
     asked as (select u.id, u.path, coalesce(m.was_path, u.path) as then_path from u left join moved m on m.unit_id = u.id)
     select a.id::text as for_id, m.unit_id::text as unit_id, (m.unit_path <@ a.path) as now_in
       from asked a join moved m on (m.unit_path <@ a.path) <> (m.was_path <@ a.then_path)`,
    [units.map((u) => u.id), units.map((u) => u.path), asOf],
  );
  for (const r of rows) {
    const change = out.get(r.for_id) ?? { out: [], in: [] };
    (r.now_in ? change.out : change.in).push(r.unit_id);
    out.set(r.for_id, change);
  }
  return out;
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

/** Moves of many units at once, each unit's own moves and those into or out of it, newest first. */
export async function movesOf(em: EntityManager, unitIds: readonly string[]): Promise<Map<string, UnitMoveRow[]>> {
  const rows = await executeBound<any>(em,
    `select k.id as for_id, m.id, m.unit_id, to_char(m.moved_on, 'YYYY-MM-DD') as moved_on, m.old_parent_id, m.new_parent_id,
            m.was_parent_name, m.new_parent_name, a.username
       from unnest($1::bigint[]) as k(id)
       join unit_move m on m.unit_id = k.id or m.old_parent_id = k.id or m.new_parent_id = k.id
       left join app_user a on a.id = m.by_user
      order by m.moved_on desc, m.id desc`,
    [unitIds],
  );
  const out = new Map<string, UnitMoveRow[]>(unitIds.map((id) => [id, []]));
  for (const r of rows) {
    out.get(String(r.for_id))?.push({
      id: String(r.id), unitId: String(r.unit_id), movedOn: r.moved_on,
      oldParentId: r.old_parent_id == null ? null : String(r.old_parent_id), newParentId: String(r.new_parent_id),
      oldParentName: r.was_parent_name, newParentName: r.new_parent_name, by: r.username ?? null,
    });
  }
  return out;
}
