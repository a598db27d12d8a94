// SQL of the handling flow (escalation, history): bound parameters, camelCase typed rows.
import { executeBound, type EntityManager } from '@jiceng/db';
import type { HandlerLevel } from './warning.store.js';

export interface HistoryRow {
  id: string; warningId: string; kind: string; handlerFrom: HandlerLevel | null; handlerTo: HandlerLevel | null;
  followUpDue: string | null; note: string; recordedBy: string | null; recordedAt: Date;
}

/**
 * Escalates one level every open warning past its follow-up deadline whose handler is below the city,
 * when the day is a working day at the warning's village (holidays and 调休 of the calendar); the next
 * deadline is the given working days later. The history row is written by the warning_escalated trigger.
 */
export async function escalateOverdue(em: EntityManager, followUpWorkingDays: number, on?: string): Promise<number> {
  await executeBound(em, `select set_config('app.escalation_reason', 'not handled by its follow-up deadline', true)`, []);
  try {
    const rows = await executeBound(em,
      `with today as (select coalesce($2::date, current_date) as d)
       update warning w set handler_level = case handler_level when 'VILLAGE' then 'TOWNSHIP' when 'TOWNSHIP' then 'COUNTY' else 'CITY' end,
              follow_up_due = jiceng_add_working_days(w.unit_path, today.d, $1::int)
         from today
        where w.resolved_on is null and w.handler_level <> 'CITY' and w.follow_up_due < today.d
          and jiceng_add_working_days(w.unit_path, today.d - 1, 1) = today.d
        returning w.id`, [followUpWorkingDays, on ?? null]);
    return rows.length;
  } finally {
    await executeBound(em, `select set_config('app.escalation_reason', '', true)`, []);
  }
}

export async function historyOf(em: EntityManager, warningIds: readonly string[]): Promise<HistoryRow[]> {
  return executeBound(em,
    `select id::text, warning_id::text as "warningId", kind, handler_from as "handlerFrom", handler_to as "handlerTo",
            to_char(follow_up_due, 'YYYY-MM-DD') as "followUpDue", note, recorded_by::text as "recordedBy", recorded_at as "recordedAt"
       from warning_history where warning_id = any($1::bigint[]) order by warning_id, id`, [warningIds]);
}
