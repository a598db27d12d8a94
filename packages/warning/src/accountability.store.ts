// SQL of reporter accountability and station failures: bound parameters, camelCase typed rows.
import { executeBound, type EntityManager } from '@jiceng/db';
import { accountPlace, configUnder, unitLevelOf } from '@jiceng/tenancy';

export type LapseKind = 'MISSED' | 'CONCEALED';

export interface AccountabilityStandard {
  lateAfterWorkingDays: number; criticismFrom: number; countyNoticeFrom: number; suspensionFrom: number;
}

/** seed 002 (Cao county): late after 2 working days; 1 lapse a year → criticism, 2 → county notice, 3+ → suspension. */
export const DEFAULT_ACCOUNTABILITY: AccountabilityStandard = { lateAfterWorkingDays: 2, criticismFrom: 1, countyNoticeFrom: 2, suspensionFrom: 3 };

const TABLE = { table: 'warning_accountability_standard', since: 'effective_on' };
const toStandard = (r: any): AccountabilityStandard => ({
  lateAfterWorkingDays: r.late_after_working_days, criticismFrom: r.criticism_from, countyNoticeFrom: r.county_notice_from, suspensionFrom: r.suspension_from,
});

/** The standard in force on a day for the units of a subtree (the default where none is set). */
export async function accountabilityStandards(em: EntityManager, on: string, rootPath: string): Promise<(path: string) => AccountabilityStandard> {
  const lookup = await configUnder(em, TABLE, on, rootPath, toStandard);
  return (path) => lookup(path) ?? DEFAULT_ACCOUNTABILITY;
}

export async function insertAccountabilityStandard(em: EntityManager, unitId: string, effectiveOn: string, s: AccountabilityStandard): Promise<void> {
  await executeBound(em,
    `insert into warning_accountability_standard (unit_id, effective_on, late_after_working_days, criticism_from, county_notice_from, suspension_from)
     values ($1, $2::date, $3, $4, $5, $6)`,
    [unitId, effectiveOn, s.lateAfterWorkingDays, s.criticismFrom, s.countyNoticeFrom, s.suspensionFrom]);
}

export interface ReporterRow { id: string; unitId: string; unitPath: string; roles: string[] }

export async function userById(em: EntityManager, id: string): Promise<ReporterRow | null> {
  return accountPlace(em, id);
}

export async function insertLapse(em: EntityManager, l: { unitId: string; reporterId: string; kind: LapseKind; indicatorCode: string; on: string; note: string; by: string }): Promise<string> {
  const [r] = await executeBound<{ id: string }>(em,
    `insert into reporter_lapse (unit_id, reporter_id, kind, indicator_code, happened_on, note, recorded_by)
     values ($1, $2, $3, $4, $5::date, $6, $7) returning id::text`,
    [l.unitId, l.reporterId, l.kind, l.indicatorCode, l.on, l.note, l.by]);
  return r!.id;
}

export async function insertStationFailure(em: EntityManager, unitId: string, on: string, note: string, by: string): Promise<string> {
  const [r] = await executeBound<{ id: string }>(em,
    `insert into station_failure (unit_id, happened_on, note, recorded_by) values ($1, $2::date, $3, $4) returning id::text`, [unitId, on, note, by]);
  return r!.id;
}

export interface ReporterCountsRow {
  id: string; username: string; displayName: string; roles: string[]; disabled: boolean; unitId: string; unitPath: string;
  late: number; missed: number; concealed: number;
}

/**
 * Per reporter (REPORTER accounts) of any of these subtrees, their lapses in a year: late reports (by
 * the day observed), missed and concealed ones (by the day they happened). Only reporters with a
 * lapse. A reporter reports only on their own village, so their lapses lie in every subtree that holds them.
 */
export async function reporterCounts(em: EntityManager, paths: readonly string[], year: number): Promise<ReporterCountsRow[]> {
  return executeBound(em,
    `with y as (select make_date($2, 1, 1) as a, make_date($2 + 1, 1, 1) as b),
     late as (select w.reported_by as uid, count(*)::int as n from warning w, y
               where w.unit_path <@ any ($1::ltree[]) and w.late and w.observed_on >= y.a and w.observed_on < y.b group by 1),
     lapses as (select l.reporter_id as uid, count(*) filter (where kind = 'MISSED')::int as missed,
                       count(*) filter (where kind = 'CONCEALED')::int as concealed
                  from reporter_lapse l, y where l.unit_path <@ any ($1::ltree[]) and l.happened_on >= y.a and l.happened_on < y.b group by 1)
     select u.id::text, u.username, u.display_name as "displayName", u.roles, u.disabled, u.unit_id::text as "unitId", u.unit_path::text as "unitPath",
            coalesce(late.n, 0) as late, coalesce(lapses.missed, 0) as missed, coalesce(lapses.concealed, 0) as concealed
       from tenancy_account u left join late on late.uid = u.id left join lapses on lapses.uid = u.id
      where 'REPORTER' = any(u.roles) and u.unit_path <@ any ($1::ltree[]) and (late.uid is not null or lapses.uid is not null)
      order by u.unit_path, u.id`, [paths, year]);
}

/** Station failures recorded in a year, per subtree. */
export async function stationFailureCounts(em: EntityManager, paths: readonly string[], year: number): Promise<{ path: string; n: number }[]> {
  return executeBound(em,
    `select p::text as path, (select count(*)::int from station_failure f where f.unit_path <@ p
              and f.happened_on >= make_date($2, 1, 1) and f.happened_on < make_date($2 + 1, 1, 1)) as n
       from unnest($1::ltree[]) p`, [paths, year]);
}

/** Open warnings at these handler levels in the scope, earliest follow-up deadline first (me.dueItems). */
export async function warningsToHandle(em: EntityManager, scopes: readonly string[], handlerLevels: readonly string[], limit: number) {
  return executeBound<{ id: string; unitId: string; dueOn: string | null; indicatorCode: string; level: string; facts: string }>(em,
    `select id::text, unit_id::text as "unitId", to_char(follow_up_due, 'YYYY-MM-DD') as "dueOn", indicator_code as "indicatorCode", level, left(facts, 200) as facts
       from warning where resolved_on is null and handler_level = any ($2::text[]) and unit_path <@ any ($1::ltree[])
      order by follow_up_due nulls last, id limit $3`, [scopes, handlerLevels, limit]);
}

export async function unitLevel(em: EntityManager, unitId: string): Promise<string | null> {
  return unitLevelOf(em, unitId);
}
