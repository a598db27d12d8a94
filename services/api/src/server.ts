import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLResponse } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { argumentOf } from './argument-names.js';
import { AppError, ErrorCode, clientAddressOf, serviceUnavailable, type Logger } from '@jiceng/core';
import { beginRequest, endRequest, isDatabaseUnavailable, isRetryableConflict, setScope, type Orm } from '@jiceng/db';
import { authenticate, loaderCache, type JicengContext, type ServiceSettings } from '@jiceng/tenancy';
import { attachLive, type Live, type LiveOptions } from './live.js';
import { importRoutes, type ImportRoutes } from './import-routes.js';
import type { ImportLimits } from '@jiceng/sheets';
import { tokenOf } from './credentials.js';
import { readBodyBytes } from './body.js';
import { exportRoutes } from './export-routes.js';
import { serveWeb } from './web.js';
import { compiledExecution, type CompiledExecution } from './compiled-execution.js';
import { guardFields, guardOf, isCancelled, limitsPlugin, resolveLimits, RequestGuard, setGuard, tokenLimitError, type Limits } from './limits.js';

export interface AppOptions {
  orm: Orm;
  schema: GraphQLSchema;
  settings: ServiceSettings;
  log: Logger;
  /** counts each SQL statement of a request (tests) */
  onRequestEnd?: (ctx: JicengContext) => void;
  /** query, response, time and body limits; unset ones take DEFAULT_LIMITS (limits.ts, docs/operations.md) */
  limits?: Partial<Limits>;
  /** subscriptions (graphql-ws on /graphql): account recheck interval, listening connection */
  live?: LiveOptions;
  /** the web board's build (default packages/web/dist; web.ts) */
  webDir?: string;
  /** spreadsheet import limits; unset ones take DEFAULT_IMPORT_LIMITS (docs/operations.md) */
  imports?: Partial<ImportLimits>;
  /** a query document runs compiled (graphql-jit) from its n-th request on (compiled-execution.ts; default 2) */
  compileAfter?: number;
}

/** An error the client may see as it is (ours, or GraphQL's own); anything else is logged and masked. */
function isExpected(error: unknown, code: string | undefined): boolean {
  const original = (error as any)?.originalError ?? error;
  return original instanceof AppError || (!!code && code !== 'INTERNAL_SERVER_ERROR' && !original?.stack?.includes('@mikro-orm') && code !== 'UNKNOWN');
}

/** No stack traces, SQL or constraint names reach a client: unknown errors become INTERNAL_SERVER_ERROR. */
export function formatError() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as any)?.originalError ?? error;
    const tokens = formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitError(formatted.message) : null;
    if (tokens) return { message: tokens.message, extensions: tokens.extensions };
    if (isCancelled(error)) return { message: 'the statement was cancelled', path: formatted.path, extensions: { code: ErrorCode.TIMEOUT } };
    if (isExpected(error, formatted.extensions?.code as string | undefined)) {
      const { stacktrace: _s, exception: _e, ...ext } = (formatted.extensions ?? {}) as Record<string, unknown>;
      // our own code wins: a bad literal (Money, Date) is BAD_USER_INPUT, not GRAPHQL_VALIDATION_FAILED
      if (original instanceof AppError) ext.code = original.code;
      // a bad LocalDate names the argument it was given for, not the scalar
      if (original instanceof AppError && ext.field === 'date') ext.field = argumentOf(error as GraphQLError) ?? ext.field;
      return { message: clip(formatted.message), locations: formatted.locations, path: formatted.path, extensions: ext };
    }
    if (isDatabaseUnavailable(original)) return unavailableError(formatted.path);
    return { message: 'internal error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

const unavailableError = (path?: GraphQLFormattedError['path']): GraphQLFormattedError => ({
  message: 'the database is unavailable; retry shortly',
  path,
  extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
});
/** GraphQL's own messages quote the invalid value ("got invalid value …"): a long one is cut, not echoed. */
const MAX_MESSAGE = 500;
const clip = (m: string) => (m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE)}… (cut)` : m);
/** Logs the errors formatError masks, with the request's id (the request's logger carries it). */
function errorLogPlugin(): ApolloServerPlugin<JicengContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          const guard = guardOf(contextValue);
          for (const error of errors) {
            if (isCancelled(error) || isExpected(error, error.extensions?.code as string | undefined) || isDatabaseUnavailable(error.originalError)) continue;
            if (guard?.aborted || guard?.timedOut) continue; // a statement broken by the cancel
            contextValue.log.error('unexpected error', { error: error.originalError ?? error, path: error.path });
          }
        },
      };
    },
  };
}

function transactionPlugin(): ApolloServerPlugin<JicengContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation }) {
          // a mutation request is all or nothing: when any of it fails, none of it stays
          const failed = response.body.kind === 'single' && !!response.body.singleResult.errors?.length;
          const rollBack = failed && operation?.operation === 'mutation' && !contextValue.keepWritesOnError;
          try {
            await endRequest(contextValue.em, !rollBack);
            // results of the mutations that did run were not saved: report none
            if (rollBack && response.body.kind === 'single') response.body.singleResult.data = null;
          } catch (e) {
            // only a serialization failure or deadlock is a CONFLICT to retry; a lost connection is
            // SERVICE_UNAVAILABLE, and anything else an internal error (a read has nothing to conflict on)
            const unavailable = isDatabaseUnavailable(e);
            const retry = !unavailable && isRetryableConflict(e);
            if (!unavailable) contextValue.log.error('commit failed', { error: e });
            if (response.body.kind === 'single') {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                unavailable
                  ? unavailableError()
                  : retry
                    ? { message: 'the request conflicted with another; retry', extensions: { code: ErrorCode.CONFLICT } }
                    : { message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } },
              ];
            }
          }
          // a retryable outage is a 503 at the HTTP level too, so proxies and clients back off
          if (response.body.kind === 'single' && response.body.singleResult.errors?.some((x) => x.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        },
      };
    },
  };
}

/** The body as text, or null when it is over max (the rest is read and dropped, so the client gets the 413). */
async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return (await readBodyBytes(req, max))?.toString('utf8') ?? null;
}

export interface App {
  server: Server;
  apollo: ApolloServer<JicengContext>;
  /** subscriptions: the local subscribers and the LISTEN connection */
  live: Live;
  /** spreadsheet imports: their limits and the jobs running here */
  imports: ImportRoutes;
  /** how queries run: compiled or by graphql-js (compiled-execution.ts) */
  execution: CompiledExecution;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Drains: /readyz turns 503 at once, no new connection or request is taken, and requests in flight
   * finish, for up to drainMs; those still running then are cut off. Resolves how many were.
   * Subscriptions are completed at once (graphql-ws `complete`, then close 1001) and the listener stops.
   */
  stop(drainMs?: number): Promise<{ cutOff: number }>;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const limits = resolveLimits(opts.limits, opts.settings.production);
  const schema = guardFields(opts.schema);
  const compiled = compiledExecution(schema, opts.compileAfter);
  const apollo = new ApolloServer<JicengContext>({
    // Apollo's one hook for running an operation some other way than graphql-js's execute: a gateway
    // whose schema is ours and whose executor runs repeated queries compiled
    gateway: {
      async load() {
        return {
          executor: (rc) =>
            compiled.execute({ document: rc.document, operationName: rc.operationName, variables: rc.request.variables, context: rc.context, operation: rc.operation.operation }),
        };
      },
      onSchemaLoadOrUpdate(listener) {
        listener({ apiSchema: schema, coreSupergraphSdl: '' });
        return () => {};
      },
      async stop() {},
    },
    includeStacktraceInErrorResponses: false,
    formatError: formatError(),
    // limitsPlugin first: its willSendResponse settles the errors the transaction plugin decides on
    // Apollo's default plugins buy nothing here (no HTTP caching of POSTs, no Apollo Studio), and cache
    // control alone wraps every field's resolution in a callback: off
    plugins: [
      limitsPlugin(limits),
      errorLogPlugin(),
      transactionPlugin(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
    introspection: limits.introspection,
    parseOptions: { maxTokens: limits.maxTokens },
    // the process owns its signals (main.ts drains, then stops)
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const imports = importRoutes({ orm: opts.orm, settings: opts.settings, log: opts.log, limits: opts.imports });
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  async function context(req: IncomingMessage, requestId: string, guard: RequestGuard, token: string | null = tokenOf(req)?.token ?? null): Promise<JicengContext> {
    const em = await beginRequest(opts.orm);
    const ctx: JicengContext = {
      requestId,
      principal: null,
      em,
      log: opts.log.child({ requestId }),
      clientAddress: clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], opts.settings.trustedProxies),
      loader: loaderCache(),
      services: opts.settings,
    };
    setGuard(ctx, guard);
    try {
      await guard.start(em); // the timeouts cover authentication too
      if (token) ctx.principal = await authenticate(em, opts.settings, token, (pid) => guard.setBackend(pid));
      else guard.setBackend(await setScope(em, []));
    } catch (e) {
      await guard.finish();
      await endRequest(em, false);
      throw e;
    }
    return ctx;
  }

  /** Counts a request in flight while fn runs: the drain waits for it. */
  async function tracked<T>(fn: () => Promise<T>): Promise<T> {
    inFlight++;
    try {
      return await fn();
    } finally {
      if (--inFlight === 0) drained?.();
    }
  }
  // spreadsheet exports (export-routes.ts): the same context, guard and drain as /graphql
  const exportRoute = exportRoutes({ orm: opts.orm, limits, log: opts.log, context, draining: () => draining, tracked, onRequestEnd: opts.onRequestEnd });

  async function graphql(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: unknown;
    if (req.method === 'POST') {
      const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        res.setHeader('accept', 'application/json');
        return send(res, 415, { errors: [{ message: 'a POST body must be application/json', extensions: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE } }] });
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      const text = declared > limits.maxBodyBytes ? null : await readBody(req, limits.maxBodyBytes);
      if (text === null) {
        res.setHeader('connection', 'close');
        const max = limits.maxBodyBytes;
        return send(res, 413, { errors: [{ message: `the request body is larger than the limit of ${max} bytes`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE, limit: 'maxBodyBytes', max } }] });
      }
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return send(res, 400, { errors: [{ message: 'request body is not JSON', extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      }
    }
    // PostgreSQL text cannot hold NUL: refuse it here as the caller's mistake, naming where it was
    const nul = findNul(req.method === 'POST' ? body : searchParams(url));
    if (nul) return send(res, 200, { errors: [{ message: `${nul}: text must not contain NUL characters`, extensions: { code: ErrorCode.BAD_USER_INPUT, field: nul } }] });
    // authenticate before Apollo, so a bad token is a clean UNAUTHENTICATED, not a context failure
    const guard = new RequestGuard(limits, opts.orm);
    const ctx = await context(req, requestId, guard);
    // a client that leaves before its answer stops the work done for it
    const left = () => { if (!res.writableFinished) guard.abort(); };
    res.on('close', left);
    let result: HTTPGraphQLResponse;
    try {
      result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ctx,
      });
    } finally {
      await guard.finish();
      await endRequest(ctx.em, true).catch(() => undefined);
      opts.onRequestEnd?.(ctx);
    }
    res.off('close', left);
    if (guard.aborted) return;
    res.statusCode = specStatus(result);
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.setHeader('x-request-id', requestId);
    if (result.body.kind === 'complete') res.end(result.body.string);
    else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  /** One operation for an endpoint beside /graphql (POST /session): as over /graphql, but with no credentials. */
  async function execute(req: IncomingMessage, requestId: string, query: string, variables: Record<string, unknown>) {
    const guard = new RequestGuard(limits, opts.orm);
    const ctx = await context(req, requestId, guard, null);
    try {
      const r = await apollo.executeOperation({ query, variables }, { contextValue: ctx });
      return r.body.kind === 'single' ? r.body.singleResult : { errors: [{ message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] };
    } finally {
      await guard.finish();
      await endRequest(ctx.em, true).catch(() => undefined);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = (req.headers['x-request-id'] as string)?.slice(0, 64) || randomUUID();
    // while draining, keep-alive connections close after their response instead of idling to the timeout
    if (draining) res.setHeader('connection', 'close');
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/healthz') return send(res, 200, { status: 'ok', inFlight });
      if (path === '/readyz') {
        if (draining) return send(res, 503, { status: 'draining' });
        try {
          await opts.orm.em.getConnection().execute('select 1');
          return send(res, 200, { status: 'ready' });
        } catch {
          return send(res, 503, { status: 'database unreachable' });
        }
      }
      if (path === '/graphql') {
        if (draining) return send(res, 503, { errors: [{ message: 'the server is shutting down; retry', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] });
        inFlight++;
        try {
          return await graphql(req, res, requestId);
        } finally {
          if (--inFlight === 0) drained?.();
        }
      }
      if (/^\/(import\/|export\/template\/)/.test(path)) return await tracked(() => imports.handle(req, res, path));
      if (path.startsWith('/export/')) return await exportRoute(req, res, requestId);
      if (await serveWeb(req, res, path, { orm: opts.orm, settings: opts.settings, dir: opts.webDir, execute: (q, v) => execute(req, requestId, q, v), readBody: () => readBody(req, limits.maxBodyBytes) })) return;
      return send(res, 404, { error: 'not found' });
    } catch (e) {
      const known = e instanceof AppError ? e : isDatabaseUnavailable(e) ? serviceUnavailable('the database is unavailable; retry shortly') : null;
      const timedOut = !known && isCancelled(e); // authentication past the statement timeout
      if (!known && !timedOut) opts.log.error('request failed', { requestId, error: e });
      const status = timedOut ? 200 : !known ? 500 : known.code === ErrorCode.SERVICE_UNAVAILABLE ? 503 : 200;
      const err = known
        ? { message: known.message, extensions: { code: known.code } }
        : timedOut
          ? { message: 'the request took longer than its limit', extensions: { code: ErrorCode.TIMEOUT } }
          : { message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
      if (!res.headersSent) send(res, status, { errors: [err] });
    } finally {
      if (path === '/graphql') opts.log.info('request', { requestId, path, status: res.statusCode, ms: Math.round(performance.now() - started) });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5000;
  const live = await attachLive({ server, orm: opts.orm, schema: opts.schema, settings: opts.settings, log: opts.log, limits, live: opts.live, formatError: formatError() });
  return {
    server,
    apollo,
    live,
    imports,
    execution: compiled,
    handle,
    async stop(drainMs = 30_000) {
      draining = true;
      // no new connection from now on; the close completes once every connection has ended
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      // subscribers reconnect elsewhere; upgraded sockets would otherwise hold server.close open
      await live.stop();
      let timer: NodeJS.Timeout | undefined;
      const finished = inFlight === 0 || (await new Promise<boolean>((ok) => {
        drained = () => ok(true);
        timer = setTimeout(() => ok(false), drainMs);
      }));
      clearTimeout(timer);
      const cutOff = finished ? 0 : inFlight;
      // answered connections close after their response; any left idle or cut off go now
      if (finished) server.closeIdleConnections();
      else server.closeAllConnections();
      // a connection that went idle in between would otherwise wait out keepAliveTimeout
      const late = setTimeout(() => server.closeAllConnections(), 1000);
      await closed;
      clearTimeout(late);
      // import jobs of this process finish (their writing transaction commits or rolls back)
      await Promise.race([Promise.all(imports.running), new Promise((ok) => setTimeout(ok, drainMs).unref())]);
      await apollo.stop();
      return { cutOff };
    },
  };
}

/** A GET request's parameters shaped like a body (variables and extensions parsed when they are JSON), for findNul. */
function searchParams(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) {
    try {
      out[k] = k === 'variables' || k === 'extensions' ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The path of the first string holding a NUL character in a request body, if any. */
function findNul(value: unknown, path = ''): string | null {
  // a NUL itself, or (in the query text) a GraphQL string escape that makes one
  if (typeof value === 'string') return value.includes('\u0000') || (path === 'query' && /\\u(0000|\{0+\})/i.test(value)) ? path || 'query' : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findNul(v, path ? `${path}.${k}` : k === 'variables' ? '' : k);
      if (found) return found;
    }
  }
  return null;
}

/**
 * GraphQL over HTTP: with application/json responses a well-formed request gets 200 even when parsing,
 * validation, variables or a limit refused it (the errors say why); a malformed request stays 400, and
 * clients accepting application/graphql-response+json get Apollo's 4xx.
 */
function specStatus(result: { status?: number; headers: HeaderMap; body: { kind: string; string?: string } }): number {
  const status = result.status ?? 200;
  if (status !== 400 || result.body.kind !== 'complete' || !result.headers.get('content-type')?.startsWith('application/json')) return status;
  try {
    const errors = (JSON.parse(result.body.string!) as { errors?: { extensions?: { code?: string } }[] }).errors;
    return errors?.length && errors.every((e) => e.extensions?.code !== 'BAD_REQUEST') ? 200 : status;
  } catch {
    return status;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
