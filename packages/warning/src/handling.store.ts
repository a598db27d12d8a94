// SQL of the handling flow (escalation, history): bound parameters, camelCase typed rows.
import { executeBound, type EntityManager } from '@jiceng/db';
import { WARNING_COLUMNS, type HandlerLevel, type WarningRow } from './warning.store.js';

export interface HistoryRow {
  id: string; warningId: string; kind: string; handlerFrom: HandlerLevel | null; handlerTo: HandlerLevel | null;
  followUpDue: string | null; note: string; recordedBy: string | null; recordedAt: Date;
}

/**
 * Escalates one level every open warning past its follow-up deadline whose handler is below the city,
 * when the day is a working day at the warning's village (holidays and 调休 of the calendar); the next
 * deadline is the given working days later. One statement for the whole tree. The history row is written by the warning_escalated trigger.
 */
export async function escalateOverdue(em: EntityManager, followUpWorkingDays: number, on?: string): Promise<number> {
  await executeBound(em, `select set_config('app.escalation_reason', 'not handled by its follow-up deadline', true)`, []);
  try {
    // Set-based: the calendar is read once per township, not per warning (holidays and make-up workdays
    // lie on regions only, so every village of a township has the same working days). `townships` is
    // materialized: inlined, the planner computed next_due (a calendar read) once per escalated warning.
    // The warnings join their township by path (no second pass over them through the primary key).
    const rows = await executeBound(em,
      `with today as (select coalesce($2::date, current_date) as d),
       townships as materialized (
         select t.township, jiceng_add_working_days(t.township, today.d, $1::int) as next_due
           from (select distinct subpath(w.unit_path, 0, nlevel(w.unit_path) - 1) as township
                   from warning w, today
                  where w.resolved_on is null and w.handler_level <> 'CITY' and w.follow_up_due < today.d) t, today
          where jiceng_add_working_days(t.township, today.d - 1, 1) = today.d)
       update warning w set handler_level = case w.handler_level when 'VILLAGE' then 'TOWNSHIP' when 'TOWNSHIP' then 'COUNTY' else 'CITY' end,
              follow_up_due = townships.next_due
         from townships, today
        where subpath(w.unit_path, 0, nlevel(w.unit_path) - 1) = townships.township
          and w.resolved_on is null and w.handler_level <> 'CITY' and w.follow_up_due < today.d
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

export interface NoticeRow { id: string; warningId: string; handlerLevel: HandlerLevel; sentOn: string; text: string; sentBy: string; createdAt: Date }
const NOTICE_COLUMNS = `n.id::text, n.warning_id::text as "warningId", n.handler_level as "handlerLevel", to_char(n.sent_on, 'YYYY-MM-DD') as "sentOn",
  n.text, n.sent_by::text as "sentBy", n.created_at as "createdAt"`;

/** Records a warning notice to the village and its entry in the warning's history. */
export async function insertNotice(em: EntityManager, n: { warningId: string; unitId: string; handlerLevel: HandlerLevel; sentOn: string; text: string; by: string }): Promise<NoticeRow> {
  const [row] = await executeBound<NoticeRow>(em,
    `with n as (
       insert into warning_notice (warning_id, unit_id, handler_level, sent_on, text, sent_by)
       values ($1, $2, $3, $4::date, $5, $6) returning *),
     h as (
       insert into warning_history (warning_id, unit_id, kind, handler_from, handler_to, note, recorded_by)
       select warning_id, unit_id, 'NOTICE_SENT', handler_level, handler_level, 'warning notice of ' || to_char(sent_on, 'YYYY-MM-DD'), sent_by from n)
     select ${NOTICE_COLUMNS} from n`, [n.warningId, n.unitId, n.handlerLevel, n.sentOn, n.text, n.by]);
  return row!;
}

export async function noticesOf(em: EntityManager, warningIds: readonly string[]): Promise<NoticeRow[]> {
  return executeBound(em, `select ${NOTICE_COLUMNS} from warning_notice n where n.warning_id = any($1::bigint[]) order by n.warning_id, n.id`, [warningIds]);
}

/**
 * The station ledger of each subtree for a year: the warnings handled above the village (observed in
 * the year), in the order they arrived, a page after an id; one statement for all the units.
 */
export async function ledgerPages(em: EntityManager, paths: readonly string[], year: number, afterId: string | null, limit: number): Promise<(WarningRow & { path: string })[]> {
  return executeBound(em,
    `select p::text as path, l.* from unnest($1::ltree[]) p
       cross join lateral (
         select ${WARNING_COLUMNS} from warning w
          where w.unit_path <@ p and w.handler_level <> 'VILLAGE' and w.id > coalesce($3::bigint, 0)
            and w.observed_on >= make_date($2, 1, 1) and w.observed_on < make_date($2 + 1, 1, 1)
          order by w.id limit $4) l`, [paths, year, afterId, limit]);
}

export async function ledgerCounts(em: EntityManager, paths: readonly string[], year: number): Promise<{ path: string; n: number }[]> {
  return executeBound(em,
    `select p::text as path, (select count(*)::int from warning w where w.unit_path <@ p and w.handler_level <> 'VILLAGE'
        and w.observed_on >= make_date($2, 1, 1) and w.observed_on < make_date($2 + 1, 1, 1)) as n
       from unnest($1::ltree[]) p`, [paths, year]);
}

export interface RectificationNoticeRow {
  id: string; unitId: string; warningId: string | null; leadDepartmentId: string; deadline: string; text: string; issuedOn: string; issuedBy: string;
}
const RN_COLUMNS = `n.id::text, n.unit_id::text as "unitId", n.warning_id::text as "warningId", n.lead_department_id::text as "leadDepartmentId",
  to_char(n.deadline, 'YYYY-MM-DD') as deadline, n.text, to_char(n.issued_on, 'YYYY-MM-DD') as "issuedOn", n.issued_by::text as "issuedBy"`;

export async function insertRectificationNotice(em: EntityManager, n: { unitId: string; warningId: string | null; leadDepartmentId: string; deadline: string; text: string; by: string }): Promise<RectificationNoticeRow> {
  const [row] = await executeBound<RectificationNoticeRow>(em,
    `with n as (insert into rectification_notice (unit_id, warning_id, lead_department_id, deadline, text, issued_by)
                values ($1, $2, $3, $4::date, $5, $6) returning *)
     select ${RN_COLUMNS} from n`, [n.unitId, n.warningId, n.leadDepartmentId, n.deadline, n.text, n.by]);
  return row!;
}

/** Notices addressed to the department an account speaks for (whatever its scope), deadline first. */
export async function departmentNotices(em: EntityManager, userId: string, limit: number): Promise<RectificationNoticeRow[]> {
  return executeBound(em, `select ${RN_COLUMNS} from jiceng_department_notices($1) n order by n.deadline, n.id limit $2`, [userId, limit]);
}

/** Notices on villages of the caller's scope (staff), deadline first. */
export async function noticesInScope(em: EntityManager, limit: number): Promise<RectificationNoticeRow[]> {
  return executeBound(em, `select ${RN_COLUMNS} from rectification_notice n order by n.deadline, n.id limit $1`, [limit]);
}

/** Links a warning to the rectification case opened from it, and enters it in the warning's history. */
export async function linkCase(em: EntityManager, warningId: string, caseId: string, on: string, by: string): Promise<void> {
  await executeBound(em,
    `with w as (update warning set case_id = $2 where id = $1 returning id, unit_id, handler_level)
     insert into warning_history (warning_id, unit_id, kind, handler_from, handler_to, note, recorded_by)
     select id, unit_id, 'CASE_OPENED', handler_level, handler_level, 'rectification case opened on ' || $3, $4 from w`, [warningId, caseId, on, by]);
}

export async function caseIdsOf(em: EntityManager, warningIds: readonly string[]): Promise<{ id: string; caseId: string | null }[]> {
  return executeBound(em, `select id::text, case_id::text as "caseId" from warning where id = any($1::bigint[])`, [warningIds]);
}

// ---- due items (me.dueItems) ----

export interface NoticeDueRow { id: string; unitId: string; dueOn: string | null; text: string; warningId: string | null }

/**
 * Warning notices (警示通知) on the open warnings of villages in the scopes, the latest notice per warning,
 * due by the warning's follow-up deadline; earliest first.
 */
export async function warningNoticesDue(em: EntityManager, scopes: readonly string[], limit: number): Promise<NoticeDueRow[]> {
  return executeBound(em,
    `select * from (
       select distinct on (n.warning_id) n.id::text, n.unit_id::text as "unitId", to_char(w.follow_up_due, 'YYYY-MM-DD') as "dueOn",
              left(n.text, 200) as text, n.warning_id::text as "warningId"
         from warning_notice n join warning w on w.id = n.warning_id
        where w.resolved_on is null and n.unit_path <@ any ($1::ltree[])
        order by n.warning_id, n.id desc) d
      order by "dueOn" nulls last, id limit $2`, [scopes, limit]);
}

/** A deadline rectification notice is open while its warning is, or (on a village) while the village is not GREEN. */
const NOTICE_OPEN = `case when n.warning_id is not null then exists (select 1 from warning w where w.id = n.warning_id and w.resolved_on is null)
  else exists (select 1 from village_light v where v.unit_id = n.unit_id and v.light <> 'GREEN') end`;

/** Open deadline rectification notices (限期整改通知) on villages in the scopes, deadline first. */
export async function rectificationNoticesDue(em: EntityManager, scopes: readonly string[], limit: number): Promise<NoticeDueRow[]> {
  return executeBound(em,
    `select n.id::text, n.unit_id::text as "unitId", to_char(n.deadline, 'YYYY-MM-DD') as "dueOn", left(n.text, 200) as text, n.warning_id::text as "warningId"
       from rectification_notice n where n.unit_path <@ any ($1::ltree[]) and ${NOTICE_OPEN}
      order by n.deadline, n.id limit $2`, [scopes, limit]);
}

/** Open deadline rectification notices addressed to the department an account speaks for, deadline first. */
export async function departmentNoticesDue(em: EntityManager, userId: string, limit: number): Promise<NoticeDueRow[]> {
  return executeBound(em,
    `select n.id::text, n.unit_id::text as "unitId", to_char(n.deadline, 'YYYY-MM-DD') as "dueOn", left(n.text, 200) as text, n.warning_id::text as "warningId"
       from jiceng_department_notices_due($1, $2) n`, [userId, limit]);
}

/** The department's open notices (as in NOTICE_OPEN), read past its scope (a department sees only its paired villages). */
export const departmentNoticesDueSql = `
grant select on warning, village_light to :auth_role;
create policy warning_auth on warning for select to :auth_role using (true);
create policy village_light_auth on village_light for select to :auth_role using (true);
create function jiceng_department_notices_due(p_user bigint, p_limit integer) returns setof rectification_notice
  language sql stable security definer set search_path = public, pg_temp as $$
  select n.* from rectification_notice n
   where n.lead_department_id = jiceng_my_partner(p_user) and ${NOTICE_OPEN}
   order by n.deadline, n.id limit p_limit
$$;
alter function jiceng_department_notices_due(bigint, integer) owner to :auth_role;
revoke execute on function jiceng_department_notices_due(bigint, integer) from public;
grant execute on function jiceng_department_notices_due(bigint, integer) to :api_role;
`;
/**
 * The warnings ledger of a subtree for a year (every warning observed in the year, handled at any level),
 * in the order they arrived, a page after an id: the spreadsheet export's rows.
 */
export async function warningRegisterPage(em: EntityManager, path: string, year: number, afterId: string | null, limit: number): Promise<WarningRow[]> {
  return executeBound(em,
    `select ${WARNING_COLUMNS} from warning w
      where w.unit_path <@ $1::ltree and w.id > coalesce($3::bigint, 0)
        and w.observed_on >= make_date($2, 1, 1) and w.observed_on < make_date($2 + 1, 1, 1)
      order by w.id limit $4`, [path, year, afterId, limit]);
}
