import { badInput } from './errors.js';

// Working-day calendar: weekends are rest days unless listed as make-up workdays (调休),
// listed public holidays are rest days. Dates are ISO yyyy-mm-dd strings (calendar dates, no time zone).

export interface WorkingDayRules {
  holidays: readonly string[];
  makeUpWorkdays: readonly string[];
}

export class WorkingDayCalendar {
  private readonly holidays: Set<string>;
  private readonly makeUp: Set<string>;
  constructor(rules: WorkingDayRules) {
    this.holidays = new Set(rules.holidays);
    this.makeUp = new Set(rules.makeUpWorkdays);
  }

  isWorkingDay(date: string): boolean {
    if (this.makeUp.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /** The date that is `days` working days after `from` (the start day itself is not counted). */
  addWorkingDays(from: string, days: number): string {
    let d = from;
    let left = days;
    while (left > 0) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }
}

export function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** The dates the API accepts anywhere: a sane window (the years 2000 to 2100, like every `year` input). */
export const DATE_WINDOW = { from: '2000-01-01', to: '2100-12-31' } as const;

/** A real calendar date written yyyy-mm-dd (no 2025-02-30, no year 0000), inside DATE_WINDOW. */
export const isIsoDate = (s: unknown): s is string =>
  typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && s >= DATE_WINDOW.from && s <= DATE_WINDOW.to &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * The one parser of LocalDate strings (yyyy-mm-dd): refuses impossible dates, year 0000 and dates
 * outside the window (DATE_WINDOW unless given) with BAD_USER_INPUT naming the field.
 */
export function localDate(value: unknown, field: string, window: { from: string; to: string } = DATE_WINDOW): string {
  if (!isIsoDate(value)) throw badInput(field, `must be a date as yyyy-mm-dd from ${DATE_WINDOW.from} to ${DATE_WINDOW.to}`);
  if (value < window.from || value > window.to) throw badInput(field, `must be a date from ${window.from} to ${window.to}`);
  return value;
}
