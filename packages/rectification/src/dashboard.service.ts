import type { EntityManager } from '@jiceng/db';
import { executeBound } from '@jiceng/db';
import { isPastYear, placementChanges, yearEnd, type PlacementChange } from '@jiceng/tenancy';
import { TRANSFORMED_OR_LATER, consequenceOf, type Consequence } from './lifecycle.js';
import { standardsUnder } from './standards.js';

// Dashboard figures over any unit's subtree: each a single statement on the indexed unit_path.

export interface RectificationSummary {
  assessed: number;
  thirdCategory: number;
  targets: number;
  transformed: number;
  keyTargets: number;
  byCause: Record<string, number>;
  casesByState: Record<string, number>;
  overdueProblems: number;
  complaintsPastDeadline: number;
}

/**
 * A year's figures count each case in the state it had at the end of that year (the last transition
 * dated on or before that day; a case with none by then was still IDENTIFIED), open problems and late
 * complaints as of that day, and each village under the unit it belonged to then (moves after the year
 * are undone: `placementChanges`). The current year is counted as of today, on today's tree.
 */
// (the opening record, IDENTIFIED → IDENTIFIED, changes nothing: a late opening is dated at its year's end)
const STATE_AT = (asOf: string | null) => asOf == null ? 'c.state' :
  `coalesce((select t.to_state from case_transition t where t.case_id = c.id and t.happened_on <= '${asOf}'::date and t.from_state <> t.to_state
              order by t.happened_on desc, t.id desc limit 1), 'IDENTIFIED')`;

/**
 * The summary statement over units `u(id, path)`; `inUnit(alias)` is the condition that a row belongs to
 * the unit: its subtree today, or (past years after a move) the units placed under it then ($4 out, $5 in).
 */
function summarySql(asOf: string | null, adjusted: boolean): string {
  const inUnit = (a: string) => adjusted
    ? `((${a}.unit_path <@ u.path and ${a}.unit_id <> all ($4::bigint[])) or ${a}.unit_id = any ($5::bigint[]))`
    : `${a}.unit_path <@ u.path`;
  const day = asOf == null ? 'current_date' : `least(current_date, '${asOf}'::date)`;
  return `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path))
     select u.id,
       (select count(*) from assessment a where ${inUnit('a')} and a.year = $3) as assessed,
       (select count(*) from assessment a where ${inUnit('a')} and a.year = $3 and a.category = 'THIRD') as third,
       (select count(*) from rectification_target t where ${inUnit('t')} and t.year = $3) as targets,
       (select count(*) from key_target k where ${inUnit('k')} and k.year = $3) as key_targets,
       (select coalesce(jsonb_object_agg(cause, n), '{}') from (select d.cause, count(*) n from weak_designation d
          where ${inUnit('d')} and d.year = $3 group by d.cause) x) as by_cause,
       (select coalesce(jsonb_object_agg(state, n), '{}') from (select ${STATE_AT(asOf)} as state, count(*) n from rectification_case c
          where ${inUnit('c')} and c.year = $3 group by 1) x) as by_state,
       (select count(*) from problem_item pi join rectification_case c on c.id = pi.case_id
         where ${inUnit('pi')} and c.year = $3 and (pi.resolved_on is null or pi.resolved_on > ${day}) and pi.due_on < ${day}) as overdue,
       (select count(*) from complaint m where ${inUnit('m')} and extract(year from m.received_on) = $3
          and m.reply_due_on < ${day} and (m.replied_on is null or m.replied_on > m.reply_due_on)) as late_complaints
     from u`;
}

/** Summaries for many units (a DataLoader batch): one statement for the units on today's tree, one per unit with moves to undo. */
export async function summaries(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<RectificationSummary[]> {
  const asOf = isPastYear(year) ? yearEnd(year) : null;
  const changes = asOf ? await placementChanges(em, units, asOf) : new Map<string, PlacementChange>();
  const plain = units.filter((u) => !changes.has(String(u.id)));
  const rows: any[] = plain.length
    ? await executeBound<any>(em, summarySql(asOf, false), [plain.map((u) => u.id), plain.map((u) => u.path), year])
    : [];
  for (const u of units) {
    const change = changes.get(String(u.id));
    if (change) rows.push(...await executeBound<any>(em, summarySql(asOf, true), [[u.id], [u.path], year, change.out, change.in]));
  }
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  return units.map((u) => {
    const r = byId.get(String(u.id))!;
    const byState = r.by_state as Record<string, number>;
    return {
      assessed: Number(r.assessed),
      thirdCategory: Number(r.third),
      targets: Number(r.targets),
      transformed: TRANSFORMED_OR_LATER.reduce((n, s) => n + (byState[s] ?? 0), 0),
      keyTargets: Number(r.key_targets),
      byCause: r.by_cause,
      casesByState: byState,
      overdueProblems: Number(r.overdue),
      complaintsPastDeadline: Number(r.late_complaints),
    };
  });
}

export const RELAPSE_PATTERNS = ['GOOD_THEN_WEAK', 'TRANSFORMED_THEN_RELAPSED', 'WEAK_THROUGHOUT', 'NO_HISTORY'] as const;
export type RelapsePattern = (typeof RELAPSE_PATTERNS)[number];

export interface RelapsePatterns {
  goodThenWeak: number;
  transformedThenRelapsed: number;
  weakThroughout: number;
  noHistory: number;
}

/**
 * Seed 004 classifies the villages weak NOW (the year's rectification targets in the subtree, each
 * under the unit it belonged to that year) by their earlier years on record: an earlier case that
 * transformed (transformed, consolidated, closed, relapsed) → TRANSFORMED_THEN_RELAPSED; otherwise an
 * earlier year assessed and not a target → GOOD_THEN_WEAK; otherwise a target every earlier year on
 * record → WEAK_THROUGHOUT; no earlier year on record → NO_HISTORY. One row per village, one pattern.
 */
async function classifiedSql(em: EntityManager, unit: { id: string; path: string }, year: number): Promise<{ sql: string; params: unknown[] }> {
  const asOf = isPastYear(year) ? yearEnd(year) : null;
  const change = asOf ? (await placementChanges(em, [unit], asOf)).get(String(unit.id)) : undefined;
  const inUnit = change
    ? `((t.unit_path <@ $1::ltree and t.unit_id <> all ($3::bigint[])) or t.unit_id = any ($4::bigint[]))`
    : `t.unit_path <@ $1::ltree`;
  return {
    sql: `with weak as (select distinct t.unit_id from rectification_target t where ${inUnit} and t.year = $2),
     classified as (
       select w.unit_id,
         case when exists (select 1 from rectification_case c where c.unit_id = w.unit_id and c.year < $2
                             and c.state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED', 'RELAPSED')) then 'TRANSFORMED_THEN_RELAPSED'
              when exists (select 1 from assessment a where a.unit_id = w.unit_id and a.year < $2 and a.category <> 'THIRD'
                             and not exists (select 1 from weak_designation d where d.unit_id = a.unit_id and d.year = a.year)) then 'GOOD_THEN_WEAK'
              when exists (select 1 from rectification_target p where p.unit_id = w.unit_id and p.year < $2) then 'WEAK_THROUGHOUT'
              else 'NO_HISTORY' end as pattern
         from weak w)`,
    params: change ? [unit.path, year, change.out, change.in] : [unit.path, year],
  };
}

export async function relapsePatterns(em: EntityManager, unit: { id: string; path: string }, year: number): Promise<RelapsePatterns> {
  const { sql, params } = await classifiedSql(em, unit, year);
  const rows = await executeBound<{ pattern: RelapsePattern; n: string }>(em, `${sql} select pattern, count(*) as n from classified group by pattern`, params);
  const n = (p: RelapsePattern) => Number(rows.find((r) => r.pattern === p)?.n ?? 0);
  return { goodThenWeak: n('GOOD_THEN_WEAK'), transformedThenRelapsed: n('TRANSFORMED_THEN_RELAPSED'), weakThroughout: n('WEAK_THROUGHOUT'), noHistory: n('NO_HISTORY') };
}

/** The villages of one pattern, by code, a page at a time (keyset on the code). */
export async function relapsePatternVillages(em: EntityManager, unit: { id: string; path: string }, year: number, pattern: RelapsePattern, size: number, afterCode: string | null): Promise<string[]> {
  const { sql, params } = await classifiedSql(em, unit, year);
  const k = params.length;
  const rows = await executeBound<{ id: string }>(em,
    `${sql} select v.id from classified c join admin_unit v on v.id = c.unit_id
      where c.pattern = $${k + 1} and ($${k + 2}::text is null or v.code > $${k + 2}) order by v.code limit $${k + 3}`,
    [...params, pattern, afterCode, size + 1],
  );
  return rows.map((r) => String(r.id));
}

export interface TownshipKeyTargets {
  townshipId: string;
  villages: number;
  keyTargets: number;
  required: number;
  shortfall: number;
}

/** 重点整顿对象 share per township under a unit (townships with rural villages): key targets against the configured share. */
export async function keyTargetShares(em: EntityManager, path: string, year: number): Promise<TownshipKeyTargets[]> {
  const standardOf = await standardsUnder(em, path, year);
  const rows = await em.execute<any[]>(
    `select t.id, t.path::text as path, count(v.id) as villages, count(k.id) as keys
       from admin_unit t
       join admin_unit v on v.parent_id = t.id and v.level = 'VILLAGE' and not v.urban
       left join key_target k on k.unit_id = v.id and k.year = ?
      where t.path <@ ?::ltree and t.level = 'TOWNSHIP'
      group by t.id, t.code order by t.code`,
    [year, path],
  );
  return rows.map((r) => {
    const villages = Number(r.villages);
    const required = Math.ceil(villages * standardOf(r.path).keyTargetShare - 1e-9);
    return { townshipId: String(r.id), villages, keyTargets: Number(r.keys), required, shortfall: Math.max(0, required - Number(r.keys)) };
  });
}

export interface TownshipAccountability {
  townshipId: string;
  newlyParalysed: number;
  consequence: Consequence;
}

/**
 * Seed 002: villages whose team is newly recorded as paralysed (瘫痪班子) this year (the designation's
 * `paralysed` flag; not paralysed the year before), per township; townships with none are omitted.
 */
export async function accountability(em: EntityManager, path: string, year: number): Promise<TownshipAccountability[]> {
  const rows = await em.execute<any[]>(
    `select t.id, t.path::text as path, count(d.id) as n
       from admin_unit t
       join admin_unit v on v.parent_id = t.id and v.level = 'VILLAGE'
       join weak_designation d on d.unit_id = v.id and d.year = ? and d.paralysed
            and not exists (select 1 from weak_designation p where p.unit_id = d.unit_id and p.year = ? - 1 and p.paralysed)
      where t.path <@ ?::ltree and t.level = 'TOWNSHIP'
      group by t.id, t.code order by count(d.id) desc, t.code`,
    [year, year, path],
  );
  const standardOf = await standardsUnder(em, path, year);
  return rows.map((r) => ({ townshipId: String(r.id), newlyParalysed: Number(r.n), consequence: consequenceOf(Number(r.n), standardOf(r.path).accountability) }));
}
