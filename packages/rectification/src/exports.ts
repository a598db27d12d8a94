import { executeBound, type EntityManager } from '@jiceng/db';
import { TRANSFORMED_OR_LATER } from './lifecycle.js';

// What other modules read of rectification's data: small functions here, never its tables.

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
