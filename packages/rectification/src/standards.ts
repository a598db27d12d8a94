import { WorkingDayCalendar, badInput, localDate } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCanFromAbove, nearestOnAncestorLine, requireUnit, type Principal } from '@jiceng/tenancy';
import { assertYear, validateStandard, type StandardInput } from './inputs.js';
import { DEFAULT_ACCOUNTABILITY, type CalendarDayKind } from './lifecycle.js';
import * as store from './rectification.store.js';

export type { StandardInput } from './inputs.js';

/** The rectification standards in force for a unit and year: the nearest ancestor's, else defaults. */
export type RectificationStandard = store.StandardValues;

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

const values = ({ path: _p, unitId: _u, effectiveYear: _y, ...v }: store.StandardRow): RectificationStandard => v;

/**
 * The standards in force for every unit of a subtree (per-township dashboards): each unit follows the
 * standard nearest to it on its own ancestor line, which may be set below the unit asked about.
 */
export async function standardsUnder(em: EntityManager, path: string, year: number): Promise<(unitPath: string) => RectificationStandard> {
  const standardOf = await store.standardsOver(em, path, year);
  return (unitPath) => {
    const r = standardOf(unitPath);
    return r ? values(r) : DEFAULT_STANDARD;
  };
}

/** A standard in force and where it comes from: the unit it was set on and its effective year (null: the defaults). */
export interface StandardInForce extends RectificationStandard {
  setOnUnitId: string | null;
  effectiveYear: number | null;
}

/** The standards in force in a year for many units at once (one statement): each unit's nearest on its ancestor line. */
export async function standardsInForce(em: EntityManager, paths: readonly string[], year: number): Promise<StandardInForce[]> {
  const rows = await store.standardsOnLines(em, paths, year);
  return paths.map((p) => {
    const r = nearestOnAncestorLine(rows, p);
    return r ? { ...values(r), setOnUnitId: r.unitId, effectiveYear: r.effectiveYear } : { ...DEFAULT_STANDARD, setOnUnitId: null, effectiveYear: null };
  });
}

/**
 * The holidays and make-up workdays in force in a period for many units at once: days set on each unit's
 * ancestor line (the nearest wins where two disagree), in date order.
 */
export async function calendarDaysOf(em: EntityManager, paths: readonly string[], from: string, to: string): Promise<{ day: string; kind: CalendarDayKind }[][]> {
  const rows = await store.calendarDaysOnLines(em, paths, from, to);
  return paths.map((p) => {
    const out: { day: string; kind: CalendarDayKind }[] = [];
    for (const r of nearestFirst(rows, p)) if (out.at(-1)?.day !== r.day) out.push({ day: r.day, kind: r.kind });
    return out;
  });
}
const nearestFirst = <T extends { path: string }>(rows: T[], p: string) => rows.filter((r) => p === r.path || p.startsWith(r.path + '.'));

/** The working-day calendar of a unit: holidays and make-up workdays set on it or its ancestors. */
export async function calendarFor(em: EntityManager, unitPath: string): Promise<WorkingDayCalendar> {
  const days = await store.calendarDaysOnLines(em, [unitPath], null, null);
  return new WorkingDayCalendar({
    holidays: days.filter((d) => d.kind === 'HOLIDAY').map((d) => d.day),
    makeUpWorkdays: days.filter((d) => d.kind === 'WORKDAY').map((d) => d.day),
  });
}

/**
 * Sets a unit's standards from a year on (unset fields keep what is in force there now), from a unit
 * strictly above it. Applies to the whole subtree; a deeper unit's own standards win.
 */
export async function setStandard(em: EntityManager, p: Principal, unitId: string, year: number, i: StandardInput): Promise<RectificationStandard> {
  assertYear(year, 'effectiveYear');
  const unit = await requireUnit(em, unitId, 'unitId');
  assertCanFromAbove(p, 'rectification:configure', { path: unit.path, what: 'admin unit' });
  const cur = await standardFor(em, unit.path, year);
  const v: RectificationStandard = {
    thirdCategoryMaxStars: i.thirdCategoryMaxStars ?? cur.thirdCategoryMaxStars,
    firstCategoryMinStars: i.firstCategoryMinStars ?? cur.firstCategoryMinStars,
    keyTargetShare: i.keyTargetShare ?? cur.keyTargetShare,
    workingGroupMin: i.workingGroupMin ?? cur.workingGroupMin,
    satisfactionMin: i.satisfactionMin ?? cur.satisfactionMin,
    consolidationMonths: i.consolidationMonths ?? cur.consolidationMonths,
    complaintReplyWorkingDays: i.complaintReplyWorkingDays ?? cur.complaintReplyWorkingDays,
    problemTypes: i.problemTypes ?? cur.problemTypes,
    accountability: {
      criticismAt: i.criticismAt ?? cur.accountability.criticismAt,
      oneGradeDownAt: i.oneGradeDownAt ?? cur.accountability.oneGradeDownAt,
      twoGradesDownAt: i.twoGradesDownAt ?? cur.accountability.twoGradesDownAt,
    },
  };
  validateStandard(v);
  await store.upsertStandard(em, unit.id, year, v);
  return standardFor(em, unit.path, year);
}

/**
 * A public holiday or a make-up workday (调休) for a region's subtree, set from a unit above it (a parent
 * region or the platform); `kind` null removes the day.
 */
export async function setCalendarDay(em: EntityManager, p: Principal, unitId: string, day: string, kind: CalendarDayKind | null): Promise<void> {
  localDate(day, 'day');
  const unit = await requireUnit(em, unitId, 'unitId');
  assertCanFromAbove(p, 'rectification:configure', { path: unit.path, what: 'admin unit' });
  if (unit.level !== 'REGION') throw badInput('unitId', 'public holidays and make-up workdays are set on a region');
  await store.setCalendarDayRow(em, unit.id, day, kind);
}
