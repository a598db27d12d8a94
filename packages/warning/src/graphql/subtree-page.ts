import { toConnection, toPage, type AdminUnitRow, type ConnectionShape, type JicengContext } from '@jiceng/tenancy';

const byUnit = { cacheKeyFn: (u: AdminUnitRow) => u.id };

/**
 * A keyset page (by id) of a list over a unit's subtree, with a lazy totalCount, batched over the units
 * of a query level: one statement for the pages of all the units (asked for size + 1 rows after afterId each), one for
 * their counts. `key` names the list with its other arguments (year, filters).
 */
export async function subtreeConnection<R extends { id: string; path: string }>(
  ctx: JicengContext, u: AdminUnitRow, key: string, page: { afterId: string | null; size: number },
  pages: (paths: string[], afterId: string | null, limit: number) => Promise<R[]>, counts: (paths: string[]) => Promise<{ path: string; n: number }[]>, view: (r: R) => unknown,
): Promise<ConnectionShape<unknown>> {
  const rows = await ctx.loader<AdminUnitRow, R[]>(`${key}:page:${page.afterId}:${page.size}`, async (units) => {
    const all = await pages(units.map((x) => x.path), page.afterId, page.size + 1);
    return units.map((x) => all.filter((r) => r.path === x.path));
  }, byUnit).load(u);
  const total = () => ctx.loader<AdminUnitRow, number>(`${key}:count`, async (units) => {
    const all = await counts(units.map((x) => x.path));
    return units.map((x) => all.find((r) => r.path === x.path)?.n ?? 0);
  }, byUnit).load(u);
  return toConnection(toPage(rows, page.size, (r) => r.id, total), view);
}
