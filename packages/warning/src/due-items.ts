// The warning module's part of me.dueItems: the open warnings the caller handles (小问题不出村 → the
// village manager, 一般问题不出乡镇 → the station, 重大问题不出县区 → the county centre, then the city).
import { toGlobalId } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { registerDueItems, type DueItemRow, type Principal } from '@jiceng/tenancy';
import { unitLevel, warningsToHandle } from './accountability.store.js';
import { departmentNoticesDue, rectificationNoticesDue, warningNoticesDue, type NoticeDueRow } from './handling.store.js';
import type { HandlerLevel } from './warning.store.js';

const CENTRE_LEVEL: Record<string, HandlerLevel> = { TOWNSHIP: 'TOWNSHIP', COUNTY: 'COUNTY', REGION: 'CITY' };

/** The handler levels whose warnings the caller handles. */
export async function handlerLevelsOf(em: EntityManager, p: Principal): Promise<HandlerLevel[]> {
  const levels = new Set<HandlerLevel>();
  if (p.roles.includes('WARNING_MANAGER')) levels.add('VILLAGE');
  if (p.roles.includes('WARNING_STATION')) levels.add('TOWNSHIP');
  if (p.roles.includes('PLATFORM_ADMIN')) levels.add('CITY');
  if (p.roles.includes('ORG_ADMIN')) {
    const level = CENTRE_LEVEL[(await unitLevel(em, p.unitId)) ?? ''];
    if (level) levels.add(level);
  }
  return [...levels];
}

registerDueItems('warning', async (em, p, limit) => {
  const levels = await handlerLevelsOf(em, p);
  if (!levels.length) return [];
  return (await warningsToHandle(em, p.scopes, levels, limit)).map((w) => ({
    kind: 'WARNING_TO_HANDLE', title: `${w.indicatorCode} ${w.level === 'RED' ? '红灯' : '黄灯'}：${w.facts}`, dueOn: w.dueOn, unitId: w.unitId, refId: toGlobalId('Warning', w.id),
  }));
});

// Notices with deadlines, for whom they are addressed to: a warning notice (警示通知) to its village (the
// village's reporters and its dynamic manager) until its warning is resolved, due by the warning's
// follow-up deadline; a deadline rectification notice (限期整改通知) to its lead department, and to the
// village and its township station, until the matter is settled (its warning resolved; a notice on a
// village: the village GREEN again), due by its deadline.
const VILLAGE_ROLES = ['REPORTER', 'WARNING_MANAGER'];
registerDueItems('warning-notices', async (em, p, limit) => {
  const atVillage = p.roles.some((r) => VILLAGE_ROLES.includes(r));
  const items: DueItemRow[] = [];
  const add = (kind: string, type: string, label: string, rows: NoticeDueRow[]) => {
    for (const n of rows) items.push({ kind, title: `${label}：${n.text}`, dueOn: n.dueOn, unitId: n.unitId, refId: toGlobalId(type, n.id) });
  };
  if (atVillage) add('WARNING_NOTICE', 'WarningNotice', '警示通知', await warningNoticesDue(em, p.scopes, limit));
  if (atVillage || p.roles.includes('WARNING_STATION')) add('RECTIFICATION_NOTICE', 'RectificationNotice', '限期整改通知', await rectificationNoticesDue(em, p.scopes, limit));
  if (p.roles.includes('DEPARTMENT')) {
    const seen = new Set(items.map((i) => i.refId));
    add('RECTIFICATION_NOTICE', 'RectificationNotice', '限期整改通知', (await departmentNoticesDue(em, p.userId, limit)).filter((n) => !seen.has(toGlobalId('RectificationNotice', n.id))));
  }
  return items;
});
