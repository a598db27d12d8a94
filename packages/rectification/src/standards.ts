import { WorkingDayCalendar } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
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
  consolidationMonths: 6,
  complaintReplyWorkingDays: 3,
  problemTypes: ['LEADERSHIP', 'PARTY_LIFE', 'VILLAGE_COMMITTEE', 'ABUSE_OF_POWER', 'MEMBER_MANAGEMENT', 'ASSETS_CHAOS', 'INTERFERENCE', 'OTHER'],
  accountability: DEFAULT_ACCOUNTABILITY,
};

export async function standardFor(em: EntityManager, unitPath: string, year: number): Promise<RectificationStandard> {
  const [r] = await em.execute<any[]>(
    `select * from rectification_standard where unit_path @> ?::ltree and effective_year <= ?
      order by nlevel(unit_path) desc, effective_year desc limit 1`,
    [unitPath, year],
  );
  if (!r) return DEFAULT_STANDARD;
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
