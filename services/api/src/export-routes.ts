// GET /export/<ledger>.<xlsx|csv>?unit=<code>&year=<year>: a ledger (台账) of a unit's subtree and a year as
// a spreadsheet (packages/sheets builds it). A request like /graphql's: one transaction on one connection,
// the caller's scope set the same way (server.ts's context: the token read by tokenOf, RLS and the
// MikroORM filter), the same deadline machinery with the export's own deadline. Checked before anything
// is sent: no or a bad token → 401; bad input (ledger, format, unit missing, year) → 400 with
// BAD_USER_INPUT and the field; a unit unknown or out of scope → 404; a role that may not read those
// records over GraphQL → 403. Then the file streams, a batch of rows at a time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode, type Logger, unauthenticated } from '@jiceng/core';
import { endRequest, isDatabaseUnavailable, type Orm } from '@jiceng/db';
import type { JicengContext } from '@jiceng/tenancy';
import { prepareExport } from '@jiceng/sheets';
import { isCancelled, RequestGuard, type Limits } from './limits.js';

export interface ExportRouteDeps {
  orm: Orm;
  limits: Limits;
  log: Logger;
  /** server.ts's request context: transaction, guard start, authentication and scope */
  context(req: IncomingMessage, requestId: string, guard: RequestGuard): Promise<JicengContext>;
  /** true once the server drains: new exports are refused with 503 */
  draining(): boolean;
  /** counts the export among the requests in flight (the drain waits for it) */
  tracked<T>(fn: () => Promise<T>): Promise<T>;
  onRequestEnd?: (ctx: JicengContext) => void;
}

const ROUTE = /^\/export\/([a-z][a-z-]*)\.([a-z]+)$/;
const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.TIMEOUT]: 504,
};

/** The handler of /export/…; server.ts routes every path under /export/ to it. */
export function exportRoutes(deps: ExportRouteDeps) {
  return async function exportRoute(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    res.setHeader('x-request-id', requestId);
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return fail(res, 405, ErrorCode.BAD_USER_INPUT, 'exports are read with GET');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTE.exec(url.pathname);
    if (!route) return fail(res, 404, ErrorCode.NOT_FOUND, 'no such export: /export/<ledger>.xlsx or .csv');
    if (deps.draining()) return fail(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'the server is shutting down; retry');
    const started = performance.now();
    await deps.tracked(async () => {
      const guard = new RequestGuard({ ...deps.limits, deadlineMs: deps.limits.exportDeadlineMs }, deps.orm);
      let ctx: JicengContext;
      try {
        ctx = await deps.context(req, requestId, guard);
      } catch (e) {
        return failWith(res, e, deps.log, requestId);
      }
      let rows = 0;
      // the client leaving or the deadline ends the export: its running statement (the guard) and any wait
      const stop = new AbortController();
      const left = () => {
        if (res.writableFinished) return;
        guard.abort();
        stop.abort();
      };
      const deadline = setTimeout(() => stop.abort(), deps.limits.exportDeadlineMs);
      try {
        if (!ctx.principal) throw unauthenticated('a bearer token is required');
        const prepared = await prepareExport(ctx.em, ctx.principal, {
          ledger: route[1]!, format: route[2]!, unit: url.searchParams.get('unit'), year: url.searchParams.get('year'),
        });
        res.statusCode = 200;
        res.setHeader('content-type', prepared.contentType);
        res.setHeader('content-disposition', disposition(`${prepared.ledger.key}-${prepared.unit.code}-${prepared.year}.${prepared.format}`, prepared.fileName));
        res.setHeader('cache-control', 'no-store');
        res.setHeader('x-content-type-options', 'nosniff');
        res.on('close', left);
        rows = await prepared.write(res, { signal: stop.signal });
      } catch (e) {
        if (!res.headersSent) failWith(res, e, deps.log, requestId);
        else {
          // the file is already on its way: cut it off, so the client sees a broken download, not a short file
          if (!stop.signal.aborted && !guard.aborted && !isCancelled(e)) deps.log.error('export failed', { requestId, error: e });
          res.destroy();
        }
      } finally {
        clearTimeout(deadline);
        res.off('close', left);
        await guard.finish();
        await endRequest(ctx.em, false).catch(() => undefined);
        deps.onRequestEnd?.(ctx);
        deps.log.info('export', { requestId, path: url.pathname, status: res.statusCode, rows, ms: Math.round(performance.now() - started) });
      }
    });
  };
}

/** attachment; an ASCII name for old clients and the Chinese one (RFC 6266 / 5987). */
function disposition(ascii: string, name: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function failWith(res: ServerResponse, e: unknown, log: Logger, requestId: string): void {
  if (e instanceof AppError) fail(res, STATUS[e.code] ?? 400, e.code, e.message, e.extensions.field as string | undefined);
  else if (isDatabaseUnavailable(e)) fail(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'the database is unavailable; retry shortly');
  else if (isCancelled(e) || (e as Error)?.name === 'AbortError') fail(res, 504, ErrorCode.TIMEOUT, 'the request took longer than its limit');
  else {
    log.error('export failed', { requestId, error: e });
    fail(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'internal error');
  }
}

function fail(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  res.statusCode = status;
  if (status === 401) res.setHeader('www-authenticate', 'Bearer');
  if (status === 503) res.setHeader('retry-after', '1');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] }));
}
