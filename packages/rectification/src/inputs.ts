import { badInput, localDate } from '@jiceng/core';
import { CAUSES, type Cause } from './lifecycle.js';

// The module's inputs and their validation, declared once each: the GraphQL input types implement these
// shapes (graphql/types.ts) and every service calls the validator at its entry, before it reads or
// writes anything. Rules that need the database (the standard in force, today's date, the case's state)
// stay in the services.

export function assertYear(year: number, field = 'year') {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput(field, 'must be a year from 2000 to 2100');
}

/** A required text: trimmed, not empty. */
export function required(value: string | null | undefined, field: string, message = 'required'): string {
  const v = value?.trim();
  if (!v) throw badInput(field, message);
  return v;
}

export interface AssessInput {
  villageId: string;
  year: number;
  stars: number;
}

export function validateAssess(i: AssessInput): void {
  assertYear(i.year);
  if (!Number.isInteger(i.stars) || i.stars < 0 || i.stars > 10) throw badInput('stars', 'must be a whole number from 0 to 10');
}

export interface DesignationInput {
  villageId: string;
  year: number;
  cause: Cause;
  problemTypes: string[];
  paralysed?: boolean | null;
}

export function validateDesignation(i: DesignationInput): void {
  assertYear(i.year);
  if (!(CAUSES as readonly string[]).includes(i.cause)) throw badInput('cause', `must be one of ${CAUSES.join(', ')}`);
  if (i.paralysed && i.cause !== 'WEAK_LAX') throw badInput('paralysed', 'a paralysed team (瘫痪班子) is designated with the cause WEAK_LAX (软弱涣散)');
}

export interface CasePatch {
  facts?: string | null;
  causes?: string | null;
  plan?: string | null;
  publicizedOn?: string | null;
  responsibleLeader?: string | null;
  villageSecretary?: string | null;
  workingGroup?: string[] | null;
  deadline?: string | null;
}

export function validateCasePatch(i: CasePatch): void {
  for (const f of ['publicizedOn', 'deadline'] as const) if (i[f] != null) localDate(i[f], f);
}

export interface ProblemInput {
  problem: string;
  measure: string;
  responsible: string;
  dueOn: string;
}

/** The problem item as it is stored (texts trimmed). */
export function validateProblem(i: ProblemInput): ProblemInput {
  const v = { problem: required(i.problem, 'problem'), measure: required(i.measure, 'measure'), responsible: required(i.responsible, 'responsible'), dueOn: i.dueOn };
  localDate(i.dueOn, 'dueOn');
  return v;
}

export interface ComplaintInput {
  villageId: string;
  receivedOn: string;
  summary: string;
}

export function validateComplaint(i: ComplaintInput): ComplaintInput {
  localDate(i.receivedOn, 'receivedOn');
  return { ...i, summary: required(i.summary, 'summary') };
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

/** The values a standard will hold (what is set now merged with the input), checked as a whole. */
export function validateStandard(v: {
  thirdCategoryMaxStars: number; firstCategoryMinStars: number; keyTargetShare: number; workingGroupMin: number; satisfactionMin: number;
  consolidationMonths: number; complaintReplyWorkingDays: number; problemTypes: string[];
  accountability: { criticismAt: number; oneGradeDownAt: number; twoGradesDownAt: number };
}): void {
  const int = (x: number, lo: number, hi: number, field: string) => {
    if (!Number.isInteger(x) || x < lo || x > hi) throw badInput(field, `must be a whole number from ${lo} to ${hi}`);
  };
  int(v.thirdCategoryMaxStars, 0, 10, 'thirdCategoryMaxStars');
  int(v.firstCategoryMinStars, 0, 10, 'firstCategoryMinStars');
  if (v.firstCategoryMinStars <= v.thirdCategoryMaxStars) throw badInput('firstCategoryMinStars', 'must be above thirdCategoryMaxStars');
  if (!(v.keyTargetShare >= 0 && v.keyTargetShare <= 1)) throw badInput('keyTargetShare', 'must be from 0 to 1');
  int(v.workingGroupMin, 1, 100, 'workingGroupMin');
  if (!(v.satisfactionMin >= 0 && v.satisfactionMin <= 1)) throw badInput('satisfactionMin', 'must be from 0 to 1');
  int(v.consolidationMonths, 0, 120, 'consolidationMonths');
  int(v.complaintReplyWorkingDays, 1, 60, 'complaintReplyWorkingDays');
  if (!v.problemTypes.length || v.problemTypes.some((t) => !/^[A-Z][A-Z_]{1,39}$/.test(t))) throw badInput('problemTypes', 'one or more codes like LEADERSHIP');
  int(v.accountability.criticismAt, 1, 100, 'criticismAt');
  const a = v.accountability;
  if (!(a.criticismAt <= a.oneGradeDownAt && a.oneGradeDownAt <= a.twoGradesDownAt)) throw badInput('oneGradeDownAt', 'thresholds must rise: criticism ≤ one grade ≤ two grades');
}

export const MAX_CALENDAR_DAYS = 731;

/** A period of at most two years, from ≤ to. */
export function validatePeriod(from: string, to: string): void {
  localDate(from, 'from');
  if (localDate(to, 'to') < from) throw badInput('to', 'must be a date on or after from');
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_CALENDAR_DAYS) throw badInput('to', 'the period spans at most two years');
}
