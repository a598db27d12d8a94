import type { EntityManager } from '@jiceng/db';
import { executeBound } from '@jiceng/db';
import { consequenceOf, type Consequence } from './lifecycle.js';
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

/** Summaries for many units (a DataLoader batch): one statement per unit-set. */
export async function summaries(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<RectificationSummary[]> {
  const rows = await executeBound<any>(em,
    `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path))
     select u.id,
       (select count(*) from assessment a where a.unit_path <@ u.path and a.year = $3) as assessed,
       (select count(*) from assessment a where a.unit_path <@ u.path and a.year = $3 and a.category = 'THIRD') as third,
       (select count(*) from rectification_target t where t.unit_path <@ u.path and t.year = $3) as targets,
       (select count(*) from key_target k where k.unit_path <@ u.path and k.year = $3) as key_targets,
       (select coalesce(jsonb_object_agg(cause, n), '{}') from (select d.cause, count(*) n from weak_designation d
          where d.unit_path <@ u.path and d.year = $3 group by d.cause) x) as by_cause,
       (select coalesce(jsonb_object_agg(state, n), '{}') from (select c.state, count(*) n from rectification_case c
          where c.unit_path <@ u.path and c.year = $3 group by c.state) x) as by_state,
       (select count(*) from problem_item pi join rectification_case c on c.id = pi.case_id
         where pi.unit_path <@ u.path and c.year = $3 and pi.resolved_on is null and pi.due_on < current_date) as overdue,
       (select count(*) from complaint m where m.unit_path <@ u.path and extract(year from m.received_on) = $3
          and coalesce(m.replied_on, current_date) > m.reply_due_on) as late_complaints
     from u`,
    [units.map((u) => u.id), units.map((u) => u.path), year],
  );
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  return units.map((u) => {
    const r = byId.get(String(u.id))!;
    const byState = r.by_state as Record<string, number>;
    return {
      assessed: Number(r.assessed),
      thirdCategory: Number(r.third),
      targets: Number(r.targets),
      transformed: (byState.TRANSFORMED ?? 0) + (byState.CONSOLIDATED ?? 0) + (byState.CLOSED ?? 0),
      keyTargets: Number(r.key_targets),
      byCause: r.by_cause,
      casesByState: byState,
      overdueProblems: Number(r.overdue),
      complaintsPastDeadline: Number(r.late_complaints),
    };
  });
}

export interface RelapsePatterns {
  goodThenWeak: number;
  transformedThenRelapsed: number;
  weakThroughout: number;
}

/** Seed 004's three patterns, per village over every year up to `year`. */
export async function relapsePatterns(em: EntityManager, path: string, year: number): Promise<RelapsePatterns> {
  const [r] = await em.execute<any[]>(
    `with a as (
       select unit_id, min(year) as first_year, count(*) as years from assessment
        where unit_path <@ ?::ltree and year <= ? group by unit_id
     ), t as (
       select unit_id, min(year) as first_target, count(*) as target_years from rectification_target
        where unit_path <@ ?::ltree and year <= ? group by unit_id
     ), relapsed as (
       select distinct unit_id from rectification_case
        where unit_path <@ ?::ltree and year <= ? and state = 'RELAPSED'
     )
     select (select count(*) from relapsed) as relapsed,
            count(*) filter (where a.years >= 2 and t.target_years = a.years) as weak_throughout,
            count(*) filter (where a.first_year < t.first_target) as good_then_weak
       from a join t using (unit_id)
      where unit_id not in (select unit_id from relapsed)`,
    [path, year, path, year, path, year],
  );
  return { goodThenWeak: Number(r.good_then_weak), transformedThenRelapsed: Number(r.relapsed), weakThroughout: Number(r.weak_throughout) };
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
