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

export const isIsoDate = (s: unknown): s is string =>
  typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
