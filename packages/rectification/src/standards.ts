import { WorkingDayCalendar, badInput, localDate } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import { configUnder, nearestOnAncestorLine } from '@jiceng/tenancy';
import { DEFAULT_ACCOUNTABILITY, type AccountabilityThresholds } from './lifecycle.js';

/** The rectification standards in force for a unit and year: the nearest ancestor's, else defaults. */
export interface RectificationStandard {
  thirdCategoryMaxStars: number;
  firstCategoryMinStars: number;
  keyTargetShare: number;
  workingGroupMin: number;
  satisfactionMin: number;
  consolidationMonths: number;
  complaintReplyWorkingDays: number;
  problemTypes: string[];
  accountability: AccountabilityThresholds;
}

// DOMAIN.md §2–3: ≤ 4 stars third category; ≥ 10% key targets; working group of 3; reply in 3 working days.
export const DEFAULT_STANDARD: RectificationStandard = {
  thirdCategoryMaxStars: 4,
  firstCategoryMinStars: 8,
  keyTargetShare: 0.1,
  workingGroupMin: 3,
  satisfactionMin: 0.8,
  // seed 000: consolidation July–October, acceptance in November: a village transformed by June closes then
  consolidationMonths: 4,
  complaintReplyWorkingDays: 3,
  problemTypes: ['LEADERSHIP', 'PARTY_LIFE', 'VILLAGE_COMMITTEE', 'ABUSE_OF_POWER', 'MEMBER_MANAGEMENT', 'ASSETS_CHAOS', 'INTERFERENCE', 'OTHER'],
  accountability: DEFAULT_ACCOUNTABILITY,
};

export async function standardFor(em: EntityManager, unitPath: string, year: number): Promise<RectificationStandard> {
  return (await standardsUnder(em, unitPath, year))(unitPath);
}

/**
 * The standards in force for every unit of a subtree (per-township dashboards): each unit follows the
 * standard nearest to it on its own ancestor line, which may be set below the unit asked about.
 */
export async function standardsUnder(em: EntityManager, path: string, year: number): Promise<(unitPath: string) => RectificationStandard> {
  const standardOf = await configUnder(em, { table: 'rectification_standard', since: 'effective_year' }, year, path, toStandard);
  return (unitPath) => standardOf(unitPath) ?? DEFAULT_STANDARD;
}

function toStandard(r: any): RectificationStandard {
  return {
    thirdCategoryMaxStars: r.third_category_max_stars,
    firstCategoryMinStars: r.first_category_min_stars,
    keyTargetShare: Number(r.key_target_share),
    workingGroupMin: r.working_group_min,
    satisfactionMin: Number(r.satisfaction_min),
    consolidationMonths: r.consolidation_months,
    complaintReplyWorkingDays: r.complaint_reply_working_days,
    problemTypes: r.problem_types,
    accountability: { criticismAt: r.criticism_at, oneGradeDownAt: r.one_grade_down_at, twoGradesDownAt: r.two_grades_down_at },
  };
}

/** A standard in force and where it comes from: the unit it was set on and its effective year (null: the defaults). */
export interface StandardInForce extends RectificationStandard {
  setOnUnitId: string | null;
  effectiveYear: number | null;
}

/** The standards in force in a year for many units at once (one statement): each unit's nearest on its ancestor line. */
export async function standardsInForce(em: EntityManager, paths: readonly string[], year: number): Promise<StandardInForce[]> {
  const rows = await executeBound<any>(em,
    `select *, unit_path::text as path from rectification_standard
      where effective_year <= $1 and unit_path @> any ($2::ltree[]) order by nlevel(unit_path) desc, effective_year desc`,
    [year, [...paths]],
  );
  return paths.map((p) => {
    const r = nearestOnAncestorLine(rows, p);
    return r ? { ...toStandard(r), setOnUnitId: String(r.unit_id), effectiveYear: r.effective_year } : { ...DEFAULT_STANDARD, setOnUnitId: null, effectiveYear: null };
  });
}

/**
 * The holidays and make-up workdays in force in a period for many units at once: days set on each unit's
 * ancestor line (the nearest wins where two disagree), in date order.
 */
export async function calendarDaysOf(em: EntityManager, paths: readonly string[], from: string, to: string): Promise<{ day: string; kind: string }[][]> {
  const rows = await executeBound<{ path: string; day: string; kind: string }>(em,
    `select unit_path::text as path, to_char(day, 'YYYY-MM-DD') as day, kind from calendar_day
      where unit_path @> any ($1::ltree[]) and day between $2::date and $3::date order by day, nlevel(unit_path) desc`,
    [[...paths], from, to],
  );
  return paths.map((p) => {
    const out: { day: string; kind: string }[] = [];
    for (const r of nearestFirst(rows, p)) if (out.at(-1)?.day !== r.day) out.push({ day: r.day, kind: r.kind });
    return out;
  });
}
const nearestFirst = <T extends { path: string }>(rows: T[], p: string) => rows.filter((r) => p === r.path || p.startsWith(r.path + '.'));

/** The working-day calendar of a unit: holidays and make-up workdays set on it or its ancestors. */
export async function calendarFor(em: EntityManager, unitPath: string): Promise<WorkingDayCalendar> {
  const days = await em.execute<{ day: string; kind: string }[]>(
    `select to_char(day, 'YYYY-MM-DD') as day, kind from calendar_day where unit_path @> ?::ltree`,
    [unitPath],
  );
  return new WorkingDayCalendar({
    holidays: days.filter((d) => d.kind === 'HOLIDAY').map((d) => d.day),
    makeUpWorkdays: days.filter((d) => d.kind === 'WORKDAY').map((d) => d.day),
  });
}

export interface StandardInput {
  thirdCategoryMaxStars?: number | null;
  firstCategoryMinStars?: number | null;
  keyTargetShare?: number | null;
  workingGroupMin?: number | null;
  satisfactionMin?: number | null;
  consolidationMonths?: number | null;
  complaintReplyWorkingDays?: number | null;
  problemTypes?: string[] | null;
  criticismAt?: number | null;
  oneGradeDownAt?: number | null;
  twoGradesDownAt?: number | null;
}

/**
 * Sets a unit's standards from a year on (unset fields keep what is in force there now). Applies to the
 * whole subtree; a deeper unit's own standards win.
 */
export async function setStandard(em: EntityManager, unit: { id: string; path: string }, year: number, i: StandardInput): Promise<RectificationStandard> {
  const cur = await standardFor(em, unit.path, year);
  const v = {
    third: i.thirdCategoryMaxStars ?? cur.thirdCategoryMaxStars,
    first: i.firstCategoryMinStars ?? cur.firstCategoryMinStars,
    share: i.keyTargetShare ?? cur.keyTargetShare,
    group: i.workingGroupMin ?? cur.workingGroupMin,
    sat: i.satisfactionMin ?? cur.satisfactionMin,
    months: i.consolidationMonths ?? cur.consolidationMonths,
    days: i.complaintReplyWorkingDays ?? cur.complaintReplyWorkingDays,
    types: i.problemTypes ?? cur.problemTypes,
    a: { ...cur.accountability, ...(i.criticismAt != null ? { criticismAt: i.criticismAt } : {}), ...(i.oneGradeDownAt != null ? { oneGradeDownAt: i.oneGradeDownAt } : {}), ...(i.twoGradesDownAt != null ? { twoGradesDownAt: i.twoGradesDownAt } : {}) },
  };
  const int = (x: number, lo: number, hi: number, field: string) => {
    if (!Number.isInteger(x) || x < lo || x > hi) throw badInput(field, `must be a whole number from ${lo} to ${hi}`);
  };
  int(v.third, 0, 10, 'thirdCategoryMaxStars');
  int(v.first, 0, 10, 'firstCategoryMinStars');
  if (v.first <= v.third) throw badInput('firstCategoryMinStars', 'must be above thirdCategoryMaxStars');
  if (!(v.share >= 0 && v.share <= 1)) throw badInput('keyTargetShare', 'must be from 0 to 1');
  int(v.group, 1, 100, 'workingGroupMin');
  if (!(v.sat >= 0 && v.sat <= 1)) throw badInput('satisfactionMin', 'must be from 0 to 1');
  int(v.months, 0, 120, 'consolidationMonths');
  int(v.days, 1, 60, 'complaintReplyWorkingDays');
  if (!v.types.length || v.types.some((t) => !/^[A-Z][A-Z_]{1,39}$/.test(t))) throw badInput('problemTypes', 'one or more codes like LEADERSHIP');
  int(v.a.criticismAt, 1, 100, 'criticismAt');
  if (!(v.a.criticismAt <= v.a.oneGradeDownAt && v.a.oneGradeDownAt <= v.a.twoGradesDownAt)) throw badInput('oneGradeDownAt', 'thresholds must rise: criticism ≤ one grade ≤ two grades');
  await executeBound(em,
    `insert into rectification_standard (unit_id, effective_year, third_category_max_stars, first_category_min_stars, key_target_share, working_group_min,
       satisfaction_min, consolidation_months, complaint_reply_working_days, problem_types, criticism_at, one_grade_down_at, two_grades_down_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11, $12, $13)
     on conflict (unit_id, effective_year) do update set third_category_max_stars = excluded.third_category_max_stars,
       first_category_min_stars = excluded.first_category_min_stars, key_target_share = excluded.key_target_share,
       working_group_min = excluded.working_group_min, satisfaction_min = excluded.satisfaction_min,
       consolidation_months = excluded.consolidation_months, complaint_reply_working_days = excluded.complaint_reply_working_days,
       problem_types = excluded.problem_types, criticism_at = excluded.criticism_at, one_grade_down_at = excluded.one_grade_down_at,
       two_grades_down_at = excluded.two_grades_down_at`,
    [unit.id, year, v.third, v.first, v.share, v.group, v.sat, v.months, v.days, v.types, v.a.criticismAt, v.a.oneGradeDownAt, v.a.twoGradesDownAt],
  );
  return standardFor(em, unit.path, year);
}

/** A public holiday or a make-up workday (调休) for a unit's subtree; `kind` null removes the day. */
export async function setCalendarDay(em: EntityManager, unit: { id: string }, day: string, kind: 'HOLIDAY' | 'WORKDAY' | null): Promise<void> {
  localDate(day, 'day');
  if (kind === null) await em.execute(`delete from calendar_day where unit_id = ? and day = ?`, [unit.id, day]);
  else await em.execute(`insert into calendar_day (unit_id, day, kind) values (?, ?, ?) on conflict (unit_id, day) do update set kind = excluded.kind`, [unit.id, day, kind]);
}
