import type { JicengContext } from './context.js';
import { byKey, oneByKey } from './context.js';
import { ancestorsOfMany, childrenOf, unitsByIds } from './admin-unit.service.js';
import type { AdminUnitRow } from './entities/admin-unit.entity.js';

/** Units by database id; out-of-scope ids resolve to null. */
export const unitLoader = (ctx: JicengContext) =>
  ctx.loader<string, AdminUnitRow | null>('unit:byId', async (ids) => oneByKey(ids, await unitsByIds(ctx.em, ids), (u) => u.id));

/** First pages of children, batched over every parent on the same query level. */
export const childrenLoader = (ctx: JicengContext, size: number, afterCode: string | null) =>
  ctx.loader<string, AdminUnitRow[]>(`unit:children:${size}:${afterCode ?? ''}`, async (ids) => {
    const rows = await childrenOf(ctx.em, ids, size, afterCode);
    const groups = byKey(ids, rows, (u) => u.parentId!);
    // the parent rows are known now: later `parent` lookups need no query
    return groups;
  });

/** Remembers units already loaded, so `parent` of a child listed under its parent costs nothing. */
export function primeUnits(ctx: JicengContext, units: AdminUnitRow[]) {
  const l = unitLoader(ctx);
  for (const u of units) l.prime(u.id, u);
}

/** Ancestors of every unit on the same query level, in one statement. */
export const ancestorsLoader = (ctx: JicengContext) =>
  ctx.loader<string, AdminUnitRow[]>('unit:ancestors', async (paths) => ancestorsOfMany(ctx.em, paths));
