// The warning module's part of me.dueItems: the open warnings the caller handles (小问题不出村 → the
// village manager, 一般问题不出乡镇 → the station, 重大问题不出县区 → the county centre, then the city).
import { toGlobalId } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { registerDueItems, type Principal } from '@jiceng/tenancy';
import { unitLevel, warningsToHandle } from './accountability.store.js';
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
    kind: 'WARNING_TO_HANDLE', title: `${w.indicatorCode} ${w.level}: ${w.facts}`, dueOn: w.dueOn, unitId: w.unitId, refId: toGlobalId('Warning', w.id),
  }));
});
