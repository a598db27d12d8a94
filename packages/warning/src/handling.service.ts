// The station's handling of warnings: escalation up the levels, notices, the ledger. SQL in handling.store.ts.
import { badInput, conflict, forbidden, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type MaintenanceTask, type Principal } from '@jiceng/tenancy';
import { departmentPartner } from '@jiceng/pairing';
import { openCaseFor } from '@jiceng/rectification';
import * as handling from './handling.store.js';
import * as store from './warning.store.js';
import type { HandlerLevel, WarningRow } from './warning.store.js';
import { WARNING_STANDARD } from './warning.service.js';

/**
 * The escalation task (跟踪复查 overdue): a warning not handled by its follow-up deadline goes one level
 * up (VILLAGE→TOWNSHIP→COUNTY→CITY) with a new deadline, on working days only. `on` (tests) stands for today.
 */
export function escalateOverdueWarnings(em: EntityManager, on?: string): Promise<number> {
  return handling.escalateOverdue(em, WARNING_STANDARD.followUpWorkingDays, on);
}

export const escalationTask: MaintenanceTask = {
  name: 'escalate overdue warnings',
  // hourly: a day's escalation happens within the first hour of the working day
  everyMs: 3_600_000,
  run: (em) => escalateOverdueWarnings(em),
};

/** How many labels above the village the unit handling a warning lies (the city centre: the region). */
const LEVELS_UP: Record<HandlerLevel, number> = { VILLAGE: 0, TOWNSHIP: 1, COUNTY: 2, CITY: 3 };
const HANDLER_NAME: Record<HandlerLevel, string> = { VILLAGE: 'the village manager', TOWNSHIP: 'the township station', COUNTY: 'the county centre', CITY: 'the city centre' };

/** The path of the unit that handles a warning now (its village's township, county or region). */
export function handlerPath(villagePath: string, level: HandlerLevel): string {
  const labels = villagePath.split('.');
  return labels.slice(0, Math.max(1, labels.length - LEVELS_UP[level])).join('.');
}

/** One of the caller's scopes holds the unit at `path` (the unit itself or one above it). */
const scopeHolds = (p: Principal, path: string) => p.scopes.some((s) => path === s || path.startsWith(`${s}.`));

/** The caller acts for the handler of the warning: their scope holds the handling unit (a unit above may act too). */
function assertHandles(p: Principal, w: WarningRow) {
  if (!scopeHolds(p, handlerPath(w.unitPath, w.handlerLevel))) throw forbidden(`the warning is handled by ${HANDLER_NAME[w.handlerLevel]}`);
}

/** A notice's text: trimmed, 1 to 2000 characters. */
function noticeText(text: string): string {
  const body = text.trim();
  if (!body) throw badInput('text', 'must not be empty');
  if (body.length > 2000) throw badInput('text', 'must be at most 2000 characters');
  return body;
}

async function today(em: EntityManager): Promise<string> {
  const [r] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  return r!.d;
}

/** The station or centre handling a warning sends the village a warning notice (警示通知); it enters the ledger. */
export async function sendWarningNotice(em: EntityManager, p: Principal, id: string, on: string, text: string): Promise<{ warning: WarningRow; notice: handling.NoticeRow }> {
  const body = noticeText(text);
  const day = localDate(on, 'on');
  const [w] = await store.warningsByIds(em, [id], true);
  if (!w) throw notFound('warning');
  assertCan(p, 'warning:notice', { path: w.unitPath, what: 'warning' });
  assertHandles(p, w);
  if (w.resolvedOn) throw conflict('the warning is resolved already');
  if (day < w.observedOn) throw badInput('on', 'must not be before the day the matter was observed');
  if (day > await today(em)) throw badInput('on', 'must not be in the future');
  const notice = await handling.insertNotice(em, { warningId: w.id, unitId: w.unitId, handlerLevel: w.handlerLevel, sentOn: day, text: body, by: p.userId });
  return { warning: w, notice };
}

export interface RectificationNoticeInput { warningId?: string | null; villageId?: string | null; deadline: string; leadDepartmentId: string; text: string }

/** The county centre (ORG_ADMIN of the county or above) issues a 限期整改通知 with a lead department. */
export async function issueRectificationNotice(em: EntityManager, p: Principal, i: RectificationNoticeInput): Promise<handling.RectificationNoticeRow> {
  if ((i.warningId == null) === (i.villageId == null)) throw badInput('warningId', 'give either warningId or villageId');
  const body = noticeText(i.text);
  const deadline = localDate(i.deadline, 'deadline');
  let village: { id: string; path: string };
  let warningId: string | null = null;
  if (i.warningId != null) {
    const [w] = await store.warningsByIds(em, [i.warningId]);
    if (!w) throw notFound('warning');
    village = { id: w.unitId, path: w.unitPath };
    warningId = w.id;
  } else {
    village = await requireVillage(em, i.villageId!);
  }
  assertCan(p, 'warning:rectification-notice', { path: village.path, what: i.warningId != null ? 'warning' : 'village' });
  if (!scopeHolds(p, handlerPath(village.path, 'COUNTY'))) throw forbidden('a deadline rectification notice is issued by the county centre or above');
  if (deadline <= await today(em)) throw badInput('deadline', 'must be after today');
  const dept = await departmentPartner(em, i.leadDepartmentId);
  if (!dept) throw badInput('leadDepartmentId', 'not a department registered in pairing within your reach');
  return handling.insertRectificationNotice(em, { unitId: village.id, warningId, leadDepartmentId: dept.id, deadline, text: body, by: p.userId });
}

/** A department's accounts see the notices addressed to their department; staff those on villages of their scope. */
export async function rectificationNotices(em: EntityManager, p: Principal, limit: number): Promise<handling.RectificationNoticeRow[]> {
  assertCan(p, 'warning:read-rectification-notices');
  if (p.roles.includes('DEPARTMENT') && !p.roles.some((r) => r === 'ORG_ADMIN' || r === 'PLATFORM_ADMIN' || r === 'INSPECTOR' || r === 'WARNING_STATION')) {
    return handling.departmentNotices(em, p.userId, limit);
  }
  return handling.noticesInScope(em, limit);
}

/**
 * From red to rectification (派出工作组整顿) in one step: an open RED warning opens its village's case for
 * the year of `on` through rectification's service, and the warning keeps the case id.
 */
export async function openCaseFromWarning(em: EntityManager, p: Principal, id: string, on: string): Promise<{ warning: WarningRow; caseId: string }> {
  const day = localDate(on, 'on');
  const [w] = await store.warningsByIds(em, [id], true);
  if (!w) throw notFound('warning');
  assertCan(p, 'warning:open-case', { path: w.unitPath, what: 'warning' });
  if (w.level !== 'RED') throw badInput('warningId', 'only a RED warning turns into a rectification case');
  if (w.resolvedOn) throw conflict('the warning is resolved already');
  if (day < w.observedOn) throw badInput('on', 'must not be before the day the matter was observed');
  if (day > await today(em)) throw badInput('on', 'must not be in the future');
  const [linked] = await handling.caseIdsOf(em, [w.id]);
  if (linked?.caseId) throw conflict('a rectification case was opened from this warning already');
  const caseId = await openCaseFor(em, p, w.unitId, Number(day.slice(0, 4)), `RED warning ${w.indicatorCode}: ${w.facts.slice(0, 200)}`);
  await handling.linkCase(em, w.id, caseId, day, p.userId);
  return { warning: w, caseId };
}
