// SQL of the disputes ledger (矛盾纠纷排查): bound parameters, camelCase typed rows.
import { executeBound, type EntityManager } from '@jiceng/db';

/** The 13 categories of disputes (seed 002's 矛盾纠纷排查). */
export const DISPUTE_CATEGORIES = ['LAND_CONTRACTING', 'HOMESTEAD', 'REQUISITION_DEMOLITION', 'CLAN', 'NEIGHBOURS', 'PUBLIC_ORDER', 'VILLAGE_PLANNING',
  'FAMILY_PLANNING', 'VILLAGE_AFFAIRS_DISCLOSURE', 'FINANCES', 'CADRE_CONDUCT', 'ORGANISATION', 'FARMERS_BURDENS'] as const;
export type DisputeCategory = (typeof DISPUTE_CATEGORIES)[number];

/** 0550: what a settlement came to, and who settled or deferred it (the table is 0500's). */
export const disputeSettlementSql = `
alter table warning_dispute add column result text check (length(result) between 1 and 2000),
  add column settled_by bigint references app_user (id),
  add column deferred_by bigint references app_user (id),
  add constraint warning_dispute_category check (category in (${DISPUTE_CATEGORIES.map((c) => `'${c}'`).join(', ')})),
  add constraint warning_dispute_explanation check (length(explanation) between 1 and 2000);
create index warning_dispute_unit_id on warning_dispute (unit_id, id);
`;

export interface DisputeRow {
  id: string; unitId: string; unitPath: string; category: DisputeCategory; summary: string; recordedOn: string;
  resolvedOn: string | null; result: string | null; explanation: string | null; promisedOn: string | null;
}
const COLUMNS = `d.id::text, d.unit_id::text as "unitId", d.unit_path::text as "unitPath", d.category, d.summary,
  to_char(d.recorded_on, 'YYYY-MM-DD') as "recordedOn", to_char(d.resolved_on, 'YYYY-MM-DD') as "resolvedOn", d.result,
  d.explanation, to_char(d.promised_on, 'YYYY-MM-DD') as "promisedOn"`;

export async function insertDispute(em: EntityManager, d: { unitId: string; category: string; summary: string; recordedOn: string; by: string }): Promise<DisputeRow> {
  const [row] = await executeBound<DisputeRow>(em,
    `with d as (insert into warning_dispute (unit_id, category, summary, recorded_on, recorded_by) values ($1, $2, $3, $4::date, $5) returning *)
     select ${COLUMNS} from d`, [d.unitId, d.category, d.summary, d.recordedOn, d.by]);
  return row!;
}

export async function disputeById(em: EntityManager, id: string, lock = false): Promise<DisputeRow | undefined> {
  const [row] = await executeBound<DisputeRow>(em, `select ${COLUMNS} from warning_dispute d where d.id = $1${lock ? ' for update' : ''}`, [id]);
  return row;
}

export async function settleDispute(em: EntityManager, id: string, on: string, result: string, by: string): Promise<DisputeRow> {
  const [row] = await executeBound<DisputeRow>(em,
    `with d as (update warning_dispute set resolved_on = $2::date, result = $3, settled_by = $4 where id = $1 returning *)
     select ${COLUMNS} from d`, [id, on, result, by]);
  return row!;
}

export async function deferDispute(em: EntityManager, id: string, explanation: string, promisedOn: string, by: string): Promise<DisputeRow> {
  const [row] = await executeBound<DisputeRow>(em,
    `with d as (update warning_dispute set explanation = $2, promised_on = $3::date, deferred_by = $4 where id = $1 returning *)
     select ${COLUMNS} from d`, [id, explanation, promisedOn, by]);
  return row!;
}

const IN_YEAR = `d.recorded_on >= make_date($2, 1, 1) and d.recorded_on < make_date($2 + 1, 1, 1) and ($3::boolean is null or (d.resolved_on is not null) = $3)`;

/** A page of each subtree's disputes recorded in a year (resolved or not, or both), in the order they
 * were recorded (keyset on id); one statement for all the units. */
export async function disputePages(em: EntityManager, paths: readonly string[], year: number, resolved: boolean | null, afterId: string | null, limit: number): Promise<(DisputeRow & { path: string })[]> {
  return executeBound(em,
    `select p::text as path, l.* from unnest($1::ltree[]) p
       cross join lateral (
         select ${COLUMNS} from warning_dispute d
          where d.unit_path <@ p and ${IN_YEAR} and d.id > coalesce($4::bigint, 0)
          order by d.id limit $5) l`, [paths, year, resolved, afterId, limit]);
}

export async function disputeCounts(em: EntityManager, paths: readonly string[], year: number, resolved: boolean | null): Promise<{ path: string; n: number }[]> {
  return executeBound(em,
    `select p::text as path, (select count(*)::int from warning_dispute d where d.unit_path <@ p and ${IN_YEAR}) as n
       from unnest($1::ltree[]) p`, [paths, year, resolved]);
}
