// Reporter accountability (信息员责任追究, seed 002): late, missed and concealed reports count per reporter
// and year; the count reaches a consequence at the standard's thresholds. Station failures count in the
// township's assessment. SQL lives in accountability.store.ts.
import { badInput, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, assertCanFromAbove, isWithin, requireUnit, requireVillage, type Principal } from '@jiceng/tenancy';
import * as store from './accountability.store.js';
import type { AccountabilityStandard, LapseKind } from './accountability.store.js';
import { catalogsInForce, indicatorExists } from './warning.store.js';

export type ReporterConsequence = 'CRITICISM_MONTH_BONUS_WITHHELD' | 'COUNTY_NOTICE_HALF_YEAR_BONUS' | 'SUSPENSION_YEAR_BONUS';

export function consequenceOf(total: number, s: AccountabilityStandard): ReporterConsequence | null {
  if (total >= s.suspensionFrom) return 'SUSPENSION_YEAR_BONUS';
  if (total >= s.countyNoticeFrom) return 'COUNTY_NOTICE_HALF_YEAR_BONUS';
  if (total >= s.criticismFrom) return 'CRITICISM_MONTH_BONUS_WITHHELD';
  return null;
}

async function today(em: EntityManager): Promise<string> {
  const [r] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  return r!.d;
}

function checkedNote(text: string): string {
  const note = text.trim();
  if (!note) throw badInput('note', 'must not be empty');
  if (note.length > 2000) throw badInput('note', 'must be at most 2000 characters');
  return note;
}

/** The working days after which a report on this village is late (the standard in force today). */
export async function lateAfterWorkingDays(em: EntityManager, villagePath: string): Promise<number> {
  return (await store.accountabilityStandards(em, await today(em), villagePath))(villagePath).lateAfterWorkingDays;
}

export interface LapseInput { villageId: string; indicatorCode: string; reporterId: string; on: string; note: string }

/** A missed report (a station or inspector recorded the matter first) or a concealed one (an inspection found it hidden). */
export async function recordLapse(em: EntityManager, p: Principal, kind: LapseKind, input: LapseInput): Promise<string> {
  const note = checkedNote(input.note);
  const on = localDate(input.on, 'on');
  const village = await requireVillage(em, input.villageId);
  assertCan(p, kind === 'MISSED' ? 'warning:record-missed' : 'warning:record-concealment', { path: village.path, what: 'village' });
  if (on > (await today(em))) throw badInput('on', 'must not be in the future');
  const reporter = await store.userById(em, input.reporterId);
  if (!reporter) throw notFound('reporter');
  if (reporter.unitId !== village.id || !reporter.roles.includes('REPORTER')) throw badInput('reporterId', 'must be a reporter (REPORTER) of the village');
  const [inForce] = await catalogsInForce(em, [village.path]);
  if (!inForce?.catalogId || !(await indicatorExists(em, inForce.catalogId, input.indicatorCode))) {
    throw badInput('indicatorCode', 'not an indicator of the catalogue in force');
  }
  return store.insertLapse(em, { unitId: village.id, reporterId: reporter.id, kind, indicatorCode: input.indicatorCode, on, note, by: p.userId });
}

export async function recordStationFailure(em: EntityManager, p: Principal, townshipId: string, onText: string, noteText: string): Promise<string> {
  const note = checkedNote(noteText);
  const on = localDate(onText, 'on');
  const township = await requireUnit(em, townshipId, 'townshipId');
  assertCan(p, 'warning:record-station-failure', { path: township.path, what: 'admin unit' });
  if (township.level !== 'TOWNSHIP') throw badInput('townshipId', 'must be a township');
  if (on > (await today(em))) throw badInput('on', 'must not be in the future');
  return store.insertStationFailure(em, township.id, on, note, p.userId);
}

export async function setAccountabilityStandard(em: EntityManager, p: Principal, unitId: string, effectiveOnText: string, s: AccountabilityStandard): Promise<void> {
  const effectiveOn = localDate(effectiveOnText, 'effectiveOn');
  const unit = await requireUnit(em, unitId);
  assertCanFromAbove(p, 'warning:standard', { path: unit.path, what: 'admin unit' });
  if (!Number.isInteger(s.lateAfterWorkingDays) || s.lateAfterWorkingDays < 0 || s.lateAfterWorkingDays > 60) throw badInput('lateAfterWorkingDays', 'must be 0 to 60');
  if (!Number.isInteger(s.criticismFrom) || s.criticismFrom < 1) throw badInput('criticismFrom', 'must be at least 1');
  if (!Number.isInteger(s.countyNoticeFrom) || s.countyNoticeFrom <= s.criticismFrom) throw badInput('countyNoticeFrom', 'must be above criticismFrom');
  if (!Number.isInteger(s.suspensionFrom) || s.suspensionFrom <= s.countyNoticeFrom) throw badInput('suspensionFrom', 'must be above countyNoticeFrom');
  const [dup] = await em.execute<any[]>(`select 1 from warning_accountability_standard where unit_id = ? and effective_on = ?::date`, [unit.id, effectiveOn]);
  if (dup) throw badInput('effectiveOn', 'a standard is set on this unit from this day already');
  await store.insertAccountabilityStandard(em, unit.id, effectiveOn, s);
}

/** The deepest path above or at every one of these paths. */
function commonAncestor(paths: readonly string[]): string {
  let labels = paths[0]!.split('.');
  for (const p of paths.slice(1)) {
    const other = p.split('.');
    let k = 0;
    while (k < labels.length && k < other.length && labels[k] === other[k]) k++;
    labels = labels.slice(0, k);
  }
  return labels.join('.');
}

/**
 * For each subtree: its reporters with a lapse in the year, their counts and consequence (the standard
 * in force at the year's end at the reporter's village). Two statements for any number of subtrees.
 */
export async function reporterAccountability(em: EntityManager, unitPaths: readonly string[], year: number) {
  if (!unitPaths.length) return [];
  const rows = await store.reporterCounts(em, unitPaths, year);
  const standardAt = await store.accountabilityStandards(em, `${year}-12-31`, commonAncestor(unitPaths) || unitPaths[0]!);
  const all = rows.map((r) => {
    const total = r.late + r.missed + r.concealed;
    return { ...r, total, consequence: consequenceOf(total, standardAt(r.unitPath)) };
  });
  return unitPaths.map((path) => all.filter((r) => isWithin(r.unitPath, path)));
}
