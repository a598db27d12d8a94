// The station's handling of warnings: escalation up the levels, notices, the ledger. SQL in handling.store.ts.
import { badInput, conflict, forbidden, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, type MaintenanceTask, type Principal } from '@jiceng/tenancy';
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

/** The caller acts for the handler of the warning: their scope holds the handling unit (a unit above may act too). */
function assertHandles(p: Principal, w: WarningRow) {
  const at = handlerPath(w.unitPath, w.handlerLevel);
  if (!p.scopes.some((s) => at === s || at.startsWith(`${s}.`))) throw forbidden(`the warning is handled by ${HANDLER_NAME[w.handlerLevel]}`);
}

async function today(em: EntityManager): Promise<string> {
  const [r] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  return r!.d;
}

/** The station or centre handling a warning sends the village a warning notice (警示通知); it enters the ledger. */
export async function sendWarningNotice(em: EntityManager, p: Principal, id: string, on: string, text: string): Promise<{ warning: WarningRow; notice: handling.NoticeRow }> {
  const body = text.trim();
  if (!body) throw badInput('text', 'must not be empty');
  if (body.length > 2000) throw badInput('text', 'must be at most 2000 characters');
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
