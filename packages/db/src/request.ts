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

/** Sets both layers of the scope: the RLS setting and the MikroORM filter. Resolves the connection's backend id. */
export async function setScope(em: EntityManager, paths: readonly string[]): Promise<number> {
  const [row] = await em.execute<{ pid: number }[]>(`select set_config('app.scopes', ?, true), pg_backend_pid() as pid`, [scopeLiteral(paths)]);
  em.setFilterParams(SCOPE_FILTER, { paths });
  return Number(row?.pid);
}

/** The scope paths setScope gave this request's EntityManager (layer 1), for hand-written SQL. */
export function requestScope(em: EntityManager): readonly string[] {
  const paths = (em.getFilterParams(SCOPE_FILTER) as { paths?: readonly string[] } | undefined)?.paths;
  if (!paths) throw new Error('no request scope set on this EntityManager');
  return paths;
}

/**
 * Runs fn with extra subtrees added to the RLS scope (layer 2) for its statements, then puts the
 * request's scope back. For a write the service has checked itself (a partner logging support for a
 * village whose pairing has ended, dated within its term): keep fn narrow.
 */
export async function withScopeAlso<T>(em: EntityManager, extra: readonly string[], fn: () => Promise<T>): Promise<T> {
  const before = requestScope(em);
  await em.execute(`select set_config('app.scopes', ?, true)`, [scopeLiteral([...before, ...extra])]);
  let out: T;
  try {
    out = await fn();
  } catch (e) {
    // the request is rolled back; restoring may fail on an aborted transaction, the first error stands
    await em.execute(`select set_config('app.scopes', ?, true)`, [scopeLiteral(before)]).catch(() => undefined);
    throw e;
  }
  await em.execute(`select set_config('app.scopes', ?, true)`, [scopeLiteral(before)]);
  return out;
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
 * Runs SQL with server-side parameters ($1, $2, …) on the request's transaction. em.execute() inlines
 * parameters into the SQL text on the client (slow for bulk data) and expands a JS array into a list of
 * values; here a JS array is one bound array parameter (`$1::text[]`), so values with quotes,
 * backslashes, commas or braces arrive exactly as given. Logged like MikroORM's own statements (without
 * the parameters, which may be tens of MB).
 */
export async function executeBound<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  return run<T>(em, sql, sql, params);
}

/** Names of the statements executePrepared has prepared, by text (the same name on every connection). */
const preparedNames = new Map<string, string>();

/**
 * executeBound as a named prepared statement: each pooled connection parses (and PostgreSQL plans) the
 * text once, later executions send only its name and parameters, and PostgreSQL may keep a generic plan
 * (no parse, no planning). For the fixed statements every request runs (the account read, the tree read):
 * a handful of texts, each a statement kept on every connection for its life. The text must name its
 * columns (not `*`): a prepared statement whose result shape changes under it (a column added by a
 * migration while the service runs) fails with "cached plan must not change result type".
 */
export async function executePrepared<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  let name = preparedNames.get(sql);
  if (!name) {
    name = `jiceng_${preparedNames.size + 1}`;
    preparedNames.set(sql, name);
  }
  // node-postgres takes a query config ({ name, text }) where Kysely passes the text through
  return run<T>(em, sql, { name, text: sql } as unknown as string, params);
}

async function run<T>(em: EntityManager, logged: string, sql: string, params: readonly unknown[]): Promise<T[]> {
  const conn = em.getConnection() as unknown as {
    getClient(): Executor;
    executeQuery<R>(query: string, cb: () => Promise<R>, context?: Record<string, unknown>): Promise<R>;
  };
  const ctx = (em.getTransactionContext() ?? conn.getClient()) as Executor;
  return conn.executeQuery(logged, async () => (await ctx.executeQuery(CompiledQuery.raw(sql, [...params]))).rows as T[], {});
}

interface Executor {
  executeQuery(q: CompiledQuery): Promise<{ rows: unknown[] }>;
}
