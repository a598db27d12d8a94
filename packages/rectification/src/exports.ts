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

export interface DueRow { id: string; unitId: string; dueOn: string | null; title: string }

/** Complaints not yet answered in the scope, earliest reply deadline first (me.dueItems). */
export async function openComplaintsDue(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select id::text, unit_id::text as "unitId", to_char(reply_due_on, 'YYYY-MM-DD') as "dueOn", left(summary, 200) as title
       from complaint where replied_on is null and unit_path <@ any ($1::ltree[]) order by reply_due_on, id limit $2`, [scopes, limit]);
}

/** Unresolved problem items past their deadline in the scope, earliest first (me.dueItems). */
export async function overdueProblemItems(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select id::text, unit_id::text as "unitId", to_char(due_on, 'YYYY-MM-DD') as "dueOn", left(problem, 200) as title
       from problem_item where resolved_on is null and due_on < current_date and unit_path <@ any ($1::ltree[])
      order by due_on, id limit $2`, [scopes, limit]);
}

/** TRANSFORMED cases without an acceptance in the scope, oldest first (me.dueItems; no deadline). */
export async function casesDueForAcceptance(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select c.id::text, c.unit_id::text as "unitId", null as "dueOn", c.year || ' rectification case' as title
       from rectification_case c
      where c.state = 'TRANSFORMED' and c.unit_path <@ any ($1::ltree[])
        and not exists (select 1 from acceptance a where a.case_id = c.id)
      order by c.updated_at, c.id limit $2`, [scopes, limit]);
}
