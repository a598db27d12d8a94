import { describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '@jiceng/core';
import { addMonths, categoryOf, consequenceOf, NEXT_STATES } from '../src/lifecycle.js';

describe('the working-day calendar', () => {
  // National Day 2025: Oct 1–8 off, Sep 28 (Sun) and Oct 11 (Sat) are make-up workdays (调休)
  const cal = new WorkingDayCalendar({
    holidays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'],
    makeUpWorkdays: ['2025-09-28', '2025-10-11'],
  });
  it('counts a make-up Sunday and skips the holiday week', () => {
    // received Fri Sep 26: Sun 28 (make-up), Mon 29, Tue 30 → due Sep 30
    expect(cal.addWorkingDays('2025-09-26', 3)).toBe('2025-09-30');
    // received Tue Sep 30: Oct 9 (Thu), Oct 10 (Fri), Oct 11 (make-up Sat)
    expect(cal.addWorkingDays('2025-09-30', 3)).toBe('2025-10-11');
  });
  it('skips plain weekends', () => {
    expect(cal.addWorkingDays('2025-11-20', 3)).toBe('2025-11-25');
    expect(cal.isWorkingDay('2025-11-22')).toBe(false);
  });
});

describe('lifecycle rules', () => {
  it('derives the category from the configured thresholds', () => {
    const std = { thirdCategoryMaxStars: 4, firstCategoryMinStars: 8 };
    expect([0, 4, 5, 7, 8, 10].map((s) => categoryOf(s, std))).toEqual(['THIRD', 'THIRD', 'SECOND', 'SECOND', 'FIRST', 'FIRST']);
    expect(categoryOf(5, { thirdCategoryMaxStars: 5, firstCategoryMinStars: 9 })).toBe('THIRD');
  });
  it('maps newly paralysed villages to the township consequence', () => {
    expect([0, 1, 2, 3, 7].map((n) => consequenceOf(n))).toEqual(['NONE', 'CRITICISM', 'ONE_GRADE_DOWN', 'TWO_GRADES_DOWN', 'TWO_GRADES_DOWN']);
    // a region may configure stricter or milder thresholds
    expect([1, 2, 3, 4].map((n) => consequenceOf(n, { criticismAt: 2, oneGradeDownAt: 3, twoGradesDownAt: 4 }))).toEqual(['NONE', 'CRITICISM', 'ONE_GRADE_DOWN', 'TWO_GRADES_DOWN']);
  });
  it('adds months clamping to the month end', () => {
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28');
  });
  it('a closed or withdrawn case takes no move by hand (a relapse is linked when the village falls back later)', () => {
    expect(NEXT_STATES.CLOSED).toEqual([]);
    expect(NEXT_STATES.WITHDRAWN).toEqual([]);
  });
});
