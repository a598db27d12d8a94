// The case lifecycle: identified → rectifying → transformed (转化) → consolidated (巩固) → closed (销号),
// and relapsed when a transformed or closed village falls back (a new case is opened for it).
// WITHDRAWN: an untouched identified case whose village was re-rated out of the third category.
export const CASE_STATES = ['IDENTIFIED', 'RECTIFYING', 'TRANSFORMED', 'CONSOLIDATED', 'CLOSED', 'RELAPSED', 'WITHDRAWN'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/**
 * The moves a user makes with transitionCase. A closed case takes none: it changes only when the village
 * falls back in a later year (the relapse opens a new case and links it). WITHDRAWN and the relapse of a
 * closed case happen only through re-rating and new designations.
 */
export const NEXT_STATES: Record<CaseState, readonly CaseState[]> = {
  IDENTIFIED: ['RECTIFYING'],
  RECTIFYING: ['TRANSFORMED'],
  TRANSFORMED: ['CONSOLIDATED', 'RELAPSED'],
  CONSOLIDATED: ['CLOSED', 'RELAPSED'],
  CLOSED: [],
  RELAPSED: [],
  WITHDRAWN: [],
};

/** States in which the ledger entry (plan, problems, acceptance) can no longer be changed. */
export const FINISHED_STATES: readonly CaseState[] = ['CLOSED', 'RELAPSED', 'WITHDRAWN'];

/** transformed, consolidated and closed all count as transformed in the figures */
export const TRANSFORMED_OR_LATER: readonly CaseState[] = ['TRANSFORMED', 'CONSOLIDATED', 'CLOSED'];

export const isCaseState = (s: string): s is CaseState => (CASE_STATES as readonly string[]).includes(s);

export const CAUSES = ['WEAK_LAX', 'FINANCIAL_CHAOS', 'BACKWARD_ECONOMY', 'ACUTE_CONFLICTS'] as const;
export type Cause = (typeof CAUSES)[number];

/** 十星级 categories: first (一类), second (二类), third (三类: a rectification target). */
export const CATEGORIES = ['FIRST', 'SECOND', 'THIRD'] as const;
export type Category = (typeof CATEGORIES)[number];

/** A public holiday or a make-up workday (调休). */
export const CALENDAR_DAY_KINDS = ['HOLIDAY', 'WORKDAY'] as const;
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];
export function categoryOf(stars: number, std: { thirdCategoryMaxStars: number; firstCategoryMinStars: number }): Category {
  if (stars <= std.thirdCategoryMaxStars) return 'THIRD';
  if (stars >= std.firstCategoryMinStars) return 'FIRST';
  return 'SECOND';
}

/** Township accountability (seed 002): newly paralysed villages in a year → consequence. */
export const CONSEQUENCES = ['NONE', 'CRITICISM', 'ONE_GRADE_DOWN', 'TWO_GRADES_DOWN'] as const;
export type Consequence = (typeof CONSEQUENCES)[number];
/** How many newly paralysed villages bring each consequence (seed 002: 1, 2, 3). */
export interface AccountabilityThresholds {
  criticismAt: number;
  oneGradeDownAt: number;
  twoGradesDownAt: number;
}
export const DEFAULT_ACCOUNTABILITY: AccountabilityThresholds = { criticismAt: 1, oneGradeDownAt: 2, twoGradesDownAt: 3 };
export function consequenceOf(newlyParalysed: number, t: AccountabilityThresholds = DEFAULT_ACCOUNTABILITY): Consequence {
  if (newlyParalysed >= t.twoGradesDownAt) return 'TWO_GRADES_DOWN';
  if (newlyParalysed >= t.oneGradeDownAt) return 'ONE_GRADE_DOWN';
  if (newlyParalysed >= t.criticismAt) return 'CRITICISM';
  return 'NONE';
}

/** Adds months to a yyyy-mm-dd date, clamping to the month's end. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(d, last));
  return t.toISOString().slice(0, 10);
}
