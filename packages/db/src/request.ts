import { CompiledQuery } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from './orm.js';
import { SCOPE_FILTER, scopeLiteral } from './orm.js';

/**
 * A request's database work runs in one transaction on one connection. The scope is a
 * transaction-local setting, so a pooled connection never carries it into the next request.
 */
export async function beginRequest(orm: Orm): Promise<EntityManager> {
  const em = orm.em.fork({ clear: true }) as EntityManager;
  await em.begin();
  return em;
}

/** Sets both layers of the scope: the RLS setting and the MikroORM filter. */
export async function setScope(em: EntityManager, paths: readonly string[]): Promise<void> {
  await em.execute(`select set_config('app.scopes', ?, true)`, [scopeLiteral(paths)]);
  em.setFilterParams(SCOPE_FILTER, { paths });
}

/** The scope paths setScope gave this request's EntityManager (layer 1), for hand-written SQL. */
export function requestScope(em: EntityManager): readonly string[] {
  const paths = (em.getFilterParams(SCOPE_FILTER) as { paths?: readonly string[] } | undefined)?.paths;
  if (!paths) throw new Error('no request scope set on this EntityManager');
  return paths;
}

export async function endRequest(em: EntityManager, ok: boolean): Promise<void> {
  if (!em.isInTransaction()) return;
  if (ok) await em.commit();
  else await em.rollback();
}

/** Runs fn in a fresh scoped transaction (scripts, seeds and tests). */
export async function inScope<T>(orm: Orm, paths: readonly string[], fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const em = await beginRequest(orm);
  try {
    await setScope(em, paths);
    const out = await fn(em);
    await em.flush();
    await endRequest(em, true);
    return out;
  } catch (e) {
    await endRequest(em, false);
    throw e;
  }
}

/**
 * A PostgreSQL array literal for a `?::bigint[]` / `?::text[]` parameter: MikroORM's execute()
 * would expand a JS array into a list of values.
 */
export function sqlArray(values: readonly (string | number | bigint)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Runs SQL with server-side parameters ($1, $2, …) on the request's transaction. em.execute() inlines
 * parameters into the SQL text on the client, which is slow for bulk data (tens of MB of arrays).
 */
export async function executeBound<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const ctx = (em.getTransactionContext() ?? em.getConnection().getClient()) as {
    executeQuery(q: CompiledQuery): Promise<{ rows: unknown[] }>;
  };
  const res = await ctx.executeQuery(CompiledQuery.raw(sql, [...params]));
  return res.rows as T[];
}
