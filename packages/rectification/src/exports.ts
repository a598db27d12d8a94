import { executeBound, type EntityManager } from '@jiceng/db';
import { TRANSFORMED_OR_LATER } from './lifecycle.js';

// What other modules read of rectification's data, through functions (never its tables). Pairing's
// coverage and department suggestions follow the targets of a year and their weakness causes.

/** A rectification target of a year (a third-category or designated weak village) and its cause. */
export interface RectificationTarget {
  unitId: string;
  path: string;
  /** WEAK_LAX, FINANCIAL_CHAOS, BACKWARD_ECONOMY or ACUTE_CONFLICTS; null when none was designated */
  cause: string | null;
}

/** The targets of a year under any of the given subtrees, by unit id (RLS applies: the caller's view). */
export function targetsUnder(em: EntityManager, paths: readonly string[], year: number): Promise<RectificationTarget[]> {
  return executeBound<RectificationTarget>(em,
    `select unit_id::text as "unitId", unit_path::text as "path", cause
       from rectification_target where unit_path <@ any ($1::ltree[]) and year = $2 order by unit_id`,
    [paths, year]);
}

/** The targets of a year among the given units (a unit that is no target is absent). */
export function targetsAmong(em: EntityManager, unitIds: readonly string[], year: number): Promise<RectificationTarget[]> {
  return executeBound<RectificationTarget>(em,
    `select unit_id::text as "unitId", unit_path::text as "path", cause
       from rectification_target where unit_id = any ($1::bigint[]) and year = $2`,
    [unitIds, year]);
}

/** The GraphQL enum of weakness causes (`WeaknessCause`), for other modules' fields that carry a cause. */
export { CauseEnum as WeaknessCauseEnum } from './graphql/types.js';

/**
 * For funding's award (以奖代补): which of these villages have a case that is transformed or later
 * (TRANSFORMED, CONSOLIDATED or CLOSED), in any year. Read under the caller's scope; one statement.
 */
export async function transformedVillagesForFunding(em: EntityManager, villageIds: readonly string[]): Promise<Set<string>> {
  if (!villageIds.length) return new Set();
  const rows = await executeBound<{ unitId: string }>(em,
    `select distinct unit_id::text as "unitId" from rectification_case where unit_id = any ($1::bigint[]) and state = any ($2::text[])`,
    [villageIds, TRANSFORMED_OR_LATER]);
  return new Set(rows.map((r) => r.unitId));
}
