// The rules of dynamic management "110": who may report on which village, where a warning goes, how a
// report and a resolution move the lights. SQL lives in warning.store.ts.
import { badInput, conflict, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import * as store from './warning.store.js';
import { lateAfterWorkingDays } from './accountability.service.js';
import type { HandlerLevel, Light, Severity, WarningLevel, WarningRow } from './warning.store.js';

export const LEVELS: readonly WarningLevel[] = ['YELLOW', 'RED'];
export const SEVERITIES: readonly Severity[] = ['MINOR', 'ORDINARY', 'MAJOR'];
/** 小问题不出村, 一般问题不出乡镇, 重大问题不出县区. */
export const HANDLER_FOR: Record<Severity, HandlerLevel> = { MINOR: 'VILLAGE', ORDINARY: 'TOWNSHIP', MAJOR: 'COUNTY' };

/** The default standard (seed 002): follow-up within 5 working days; late after 2 working days unless a
 * reporter accountability standard says otherwise (accountability.service.ts). */
export const WARNING_STANDARD = { lateAfterWorkingDays: 2, followUpWorkingDays: 5 };

/** Roles that report on any village of their scope; a REPORTER only on their own village. */
const REPORT_ANY_IN_SCOPE = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_MANAGER', 'WARNING_STATION'] as const;

export interface ReportInput {
  villageId: string; indicatorCode: string; level: string; severity: string; facts: string; observedOn: string; idempotencyKey: string;
}

/** A village the caller may report on (warnings, disputes): in reach for `warning:report`, and a
 * reporter (信息员) only their own village, whatever else they may see (another one is NOT_FOUND). */
export async function reportableVillage(em: EntityManager, p: Principal, villageId: string, field = 'villageId'): Promise<AdminUnitRow> {
  const village = await requireVillage(em, villageId, field);
  assertCan(p, 'warning:report', { path: village.path, what: 'village' });
  if (!p.roles.some((r) => (REPORT_ANY_IN_SCOPE as readonly string[]).includes(r)) && p.unitId !== village.id) throw notFound('village');
  return village;
}

export async function reportWarning(em: EntityManager, p: Principal, input: ReportInput): Promise<WarningRow> {
  if (!(LEVELS as readonly string[]).includes(input.level)) throw badInput('level', 'must be YELLOW or RED');
  if (!(SEVERITIES as readonly string[]).includes(input.severity)) throw badInput('severity', `must be one of ${SEVERITIES.join(', ')}`);
  const facts = input.facts.trim();
  if (!facts) throw badInput('facts', 'must not be empty');
  const key = input.idempotencyKey.trim();
  if (!key || key.length > 100) throw badInput('idempotencyKey', 'must be 1 to 100 characters');
  const observedOn = localDate(input.observedOn, 'observedOn');
  const village = await reportableVillage(em, p, input.villageId);
  const [todayRow] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  if (observedOn > todayRow!.d) throw badInput('observedOn', 'must not be in the future');

  const again = await store.warningByKey(em, p.userId, key);
  if (again) {
    const same = again.unitId === village.id && again.indicatorCode === input.indicatorCode && again.level === input.level
      && again.severity === input.severity && again.facts === facts && again.observedOn === observedOn;
    if (!same) throw conflict('this idempotency key was used for another report');
    return again;
  }
  const [inForce] = await store.catalogsInForce(em, [village.path]);
  if (!inForce?.catalogId) throw badInput('indicatorCode', 'no indicator catalogue is in force for this village');
  if (!(await store.indicatorExists(em, inForce.catalogId, input.indicatorCode))) throw badInput('indicatorCode', 'not an indicator of the catalogue in force');

  const villageFrom = await store.lockVillageLight(em, village.id);
  const level = input.level as WarningLevel;
  const before = await store.indicatorLights(em, village.id, input.indicatorCode);
  // a worsening indicator (YELLOW → RED) takes its open warnings one level up
  if (level === 'RED' && before.current === 'YELLOW') await store.escalateOpenOn(em, village.id, input.indicatorCode, WARNING_STANDARD.followUpWorkingDays);
  const warning = await store.insertWarning(em, {
    unitId: village.id, indicatorCode: input.indicatorCode, level, severity: input.severity as Severity,
    handlerLevel: HANDLER_FOR[input.severity as Severity], facts, observedOn, reportedBy: p.userId, idempotencyKey: key, ...WARNING_STANDARD,
    lateAfterWorkingDays: await lateAfterWorkingDays(em, village.path),
  });
  await moveLight(em, village.id, input.indicatorCode, villageFrom, warning.id, p.userId, `report: ${facts.slice(0, 200)}`);
  return warning;
}

/** Resolving closes the indicator's open warnings and returns it to GREEN; a later report reopens it. */
export async function resolveWarning(em: EntityManager, p: Principal, id: string, on: string, note: string): Promise<WarningRow> {
  const text = note.trim();
  if (!text) throw badInput('note', 'must say what was done');
  const day = localDate(on, 'on');
  const [found] = await store.warningsByIds(em, [id]);
  if (!found) throw notFound('warning');
  assertCan(p, 'warning:resolve', { path: found.unitPath, what: 'warning' });
  const villageFrom = await store.lockVillageLight(em, found.unitId);
  const [w] = await store.warningsByIds(em, [id], true);
  if (w!.resolvedOn) throw conflict('the warning is resolved already');
  if (day < w!.observedOn) throw badInput('on', 'must not be before the day the matter was observed');
  const [todayRow] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  if (day > todayRow!.d) throw badInput('on', 'must not be in the future');
  await store.resolveOpenOn(em, w!.unitId, w!.indicatorCode, day, text, p.userId);
  await moveLight(em, w!.unitId, w!.indicatorCode, villageFrom, w!.id, p.userId, `resolved: ${text.slice(0, 200)}`);
  return (await store.warningsByIds(em, [id]))[0]!;
}

/** Brings an indicator's light to what its open warnings call for, and records the change. */
async function moveLight(em: EntityManager, unitId: string, code: string, villageFrom: Light, warningId: string, by: string, reason: string) {
  const { current, wanted } = await store.indicatorLights(em, unitId, code);
  if (current === wanted) return;
  const villageTo = await store.setIndicatorLight(em, unitId, code, wanted);
  await store.recordLightChange(em, { unitId, indicatorCode: code, from: current, to: wanted, villageFrom, villageTo, warningId, by, reason });
}

export function assertStatsYear(year: number) {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput('year', 'must be a year from 2000 to 2100');
}
