// GraphQL subscriptions (docs/architecture.md, "Live"): graphql-ws on the HTTP server's /graphql path,
// events fanned out to every instance through PostgreSQL LISTEN/NOTIFY, each event checked against the
// subscriber's account as re-read just before it is delivered.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, getOperationAST, parse, subscribe, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { AppError, ErrorCode, clientAddressOf, type Logger } from '@jiceng/core';
import { beginRequest, endRequest, setScope, timeZoneOption, type EntityManager, type Orm } from '@jiceng/db';
import {
  STAFF_ROLES,
  authenticate,
  inScope,
  isWithin,
  loaderCache,
  readPrincipals,
  verifyToken,
  type JicengContext,
  type LiveEvent,
  type LiveStreams,
  type Principal,
  type ServiceSettings,
} from '@jiceng/tenancy';
import { checkQuery, RequestGuard, tokenLimitError, type Limits } from './limits.js';
import { sameOrigin, tokenOf } from './credentials.js';

/** Close codes: a token missing or refused at connection_init, and an account that lost its access later. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

export interface LiveOptions {
  /** re-read every connected account this often and close the revoked ones (ms; LIVE_RECHECK_MS) */
  recheckMs?: number;
  /** the database the listening connection logs into (default: the ORM's) */
  listenUrl?: string;
}

export const DEFAULT_RECHECK_MS = 2000;

interface Connection {
  id: string;
  socket: WebSocket;
  token: string;
  userId: string;
  version: number;
  expiresAt: number;
  principal: Principal;
  address: string;
  streams: Set<Stream>;
  revoked: boolean;
}

interface Stream {
  conn: Connection;
  ctx: JicengContext;
  channel: string;
  under: string;
  parse: (payload: unknown) => LiveEvent | null;
  queue: { event: LiveEvent; batch: Batch }[];
  current?: Batch;
  wake?: () => void;
  ended: boolean;
}

/**
 * One event's database work for the subscribers who see the same thing (same scopes and roles; a partner
 * account alone): one transaction under that scope and one loader cache, shared while their copies of
 * the event resolve, committed when the last is done (or at the request deadline).
 */
class Batch {
  private refs = 0;
  private opened?: Promise<EntityManager>;
  private guard?: RequestGuard;
  private timer?: NodeJS.Timeout;
  private closed = false;
  readonly loader: JicengContext['loader'] = loaderCache();

  constructor(
    private readonly orm: Orm,
    private readonly limits: Limits,
    private readonly principal: Principal,
    private readonly partnerOnly: boolean,
  ) {}

  hold(): void {
    this.refs++;
  }

  open(): Promise<EntityManager> {
    this.opened ??= (async () => {
      const em = await beginRequest(this.orm);
      this.guard = new RequestGuard(this.limits, this.orm);
      try {
        await this.guard.start(em);
        // a partner account's requests also carry its partner (app.partner_view), set by jiceng_principal
        if (this.partnerOnly) await em.execute('select 1 from jiceng_principal(?)', [this.principal.userId]);
        await setScope(em, this.principal.scopes);
      } catch (e) {
        await this.guard.finish();
        await endRequest(em, false).catch(() => undefined);
        throw e;
      }
      this.timer = setTimeout(() => void this.close(), this.limits.deadlineMs).unref();
      return em;
    })();
    return this.opened;
  }

  release(): void {
    if (--this.refs <= 0) void this.close();
  }

  private async close(): Promise<void> {
    if (this.closed || !this.opened) return;
    this.closed = true;
    clearTimeout(this.timer);
    try {
      const em = await this.opened;
      await this.guard?.finish();
      await endRequest(em, true);
    } catch {
      // it failed to open, or the database went away: nothing to keep
    }
  }
}

const isPartnerOnly = (p: Principal) => !p.roles.some((r) => STAFF_ROLES.includes(r));
/** Subscribers with the same key see exactly the same rows (scopes and roles; a partner account only itself). */
const batchKey = (p: Principal) => (isPartnerOnly(p) ? `u:${p.userId}` : `s:${[...p.roles].sort().join(',')}|${[...p.scopes].sort().join(',')}`);

/**
 * The dedicated LISTEN connection of one API process (never a pooled one): it reconnects, with growing
 * pauses up to 5 s, whenever the connection is lost, and listens again on every channel asked for.
 * NOTIFYs sent while it is disconnected are not delivered.
 */
export class PgListener {
  private client?: pg.Client;
  private channels = new Set<string>();
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private attempt = 0;
  /** the listening backend's pid while connected (tests end it to check the reconnect) */
  pid: number | null = null;

  constructor(
    private readonly url: string,
    private readonly onNotify: (channel: string, payload: string) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async listen(channel: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    if (this.pid !== null) await this.client!.query(`listen ${channel}`).catch(() => undefined); // a lost connection listens again on reconnect
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'jiceng-live-listener', options: timeZoneOption() });
    this.client = client;
    let lost = false;
    const onLost = (why: unknown) => {
      if (lost) return;
      lost = true;
      this.pid = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn('live listener lost its connection; reconnecting', { error: String(why) });
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost('connection ended'));
    client.on('notification', (m) => this.onNotify(m.channel, m.payload ?? ''));
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      for (const c of this.channels) await client.query(`listen ${c}`);
      if (lost || this.stopped) return;
      this.pid = Number(rows[0]!.pid);
      if (this.attempt) this.log.info('live listener reconnected', { attempts: this.attempt });
      this.attempt = 0;
    } catch (e) {
      onLost(e);
    }
  }

  private schedule(): void {
    clearTimeout(this.retry);
    const pause = Math.min(5000, 100 * 2 ** this.attempt++);
    this.retry = setTimeout(() => void this.connect(), pause);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.pid = null;
    await this.client?.end().catch(() => undefined);
  }
}

/** Local subscribers of one process, the accounts behind them, and the dispatch of each event to them. */
export class LiveHub {
  private conns = new Set<Connection>();
  private byChannel = new Map<string, Set<Stream>>();
  private chain: Promise<void> = Promise.resolve();
  private running?: Promise<void>;
  private pending?: Promise<void>;
  private timer: NodeJS.Timeout;
  closed = false;
  /** events delivered to a subscriber's stream (tests, bench) */
  delivered = 0;

  constructor(
    private readonly orm: Orm,
    private readonly limits: Limits,
    private readonly log: Logger,
    readonly listener: { listen(channel: string): Promise<void> },
    recheckMs: number,
  ) {
    this.timer = setInterval(() => void this.recheck().catch((e) => this.log.warn('live recheck failed', { error: String(e) })), recheckMs);
    this.timer.unref();
  }

  connect(socket: WebSocket, token: string, claims: { userId: string; version: number; expiresAt: number }, principal: Principal, address: string): Connection {
    const conn: Connection = { id: randomUUID(), socket, token, ...claims, principal, address, streams: new Set(), revoked: false };
    this.conns.add(conn);
    return conn;
  }

  disconnect(conn: Connection | undefined): void {
    if (!conn) return;
    this.conns.delete(conn);
    for (const s of [...conn.streams]) this.end(s);
  }

  /** Ends a connection whose account lost its access: its streams, then the socket (4403). */
  revoke(conn: Connection): void {
    conn.revoked = true;
    this.disconnect(conn);
    conn.socket.close(CLOSE_FORBIDDEN, 'Forbidden');
  }

  streams(conn: Connection, ctx: JicengContext): LiveStreams {
    return {
      subscribe: async <T extends LiveEvent>(channel: string, under: string, parse: (payload: unknown) => T | null) => {
        await this.listener.listen(channel); // listening before the subscription counts as started
        return this.stream(conn, ctx, channel, under, parse) as AsyncIterable<T>;
      },
    };
  }

  /** A NOTIFY arrived: events are delivered in the order they came. */
  dispatch(channel: string, payload: string): void {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      this.log.warn('live event is not JSON; dropped', { channel });
      return;
    }
    this.chain = this.chain.then(() => this.deliver(channel, json)).catch((e) => this.log.error('live delivery failed', { channel, error: e }));
  }

  /**
   * Re-reads every connected account in one statement; a disabled account, a bumped token version or an
   * expired token closes the connection (4403). An event waits for a read that started after it arrived.
   */
  recheck(): Promise<void> {
    if (this.pending !== undefined) return this.pending;
    const before = this.running ?? Promise.resolve();
    const next: Promise<void> = before
      .catch(() => undefined)
      .then(() => {
        this.pending = undefined;
        this.running = next;
        return this.readAccounts();
      })
      .finally(() => {
        if (this.running === next) this.running = undefined;
      });
    this.pending = next;
    return next;
  }

  private async readAccounts(): Promise<void> {
    const conns = [...this.conns];
    if (!conns.length) return;
    const em = await beginRequest(this.orm);
    let fresh: Map<string, Principal | null>;
    try {
      fresh = await readPrincipals(em, conns.map((c) => ({ userId: c.userId, version: c.version })));
    } finally {
      await endRequest(em, true).catch(() => undefined);
    }
    const now = Date.now() / 1000;
    for (const c of conns) {
      const p = fresh.get(`${c.userId}:${c.version}`);
      if (!p || c.expiresAt <= now) this.revoke(c);
      else c.principal = p;
    }
  }

  private async deliver(channel: string, json: unknown): Promise<void> {
    const streams = this.byChannel.get(channel);
    if (!streams?.size) return;
    await this.recheck(); // fails (database away): the event is not delivered rather than checked against stale scopes
    const batches = new Map<string, Batch>();
    const parsed = new Map<Stream['parse'], LiveEvent | null>();
    for (const s of streams) {
      if (s.ended || s.conn.revoked) continue;
      if (!parsed.has(s.parse)) {
        const event = s.parse(json);
        if (!event) this.log.warn('live event does not fit its channel; dropped', { channel });
        parsed.set(s.parse, event);
      }
      const event = parsed.get(s.parse);
      const p = s.conn.principal;
      if (!event || !isWithin(event.path, s.under) || !inScope(p, event.path)) continue;
      const key = batchKey(p);
      let batch = batches.get(key);
      if (!batch) {
        batch = new Batch(this.orm, this.limits, p, isPartnerOnly(p));
        batches.set(key, batch);
      }
      batch.hold();
      s.queue.push({ event, batch });
      s.wake?.();
    }
  }

  private stream(conn: Connection, ctx: JicengContext, channel: string, under: string, parse: Stream['parse']): AsyncIterable<LiveEvent> {
    const s: Stream = { conn, ctx, channel, under, parse, queue: [], ended: false };
    let set = this.byChannel.get(channel);
    if (!set) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    set.add(s);
    conn.streams.add(s);
    const release = () => {
      s.current?.release();
      s.current = undefined;
    };
    const iterator: AsyncIterableIterator<LiveEvent> = {
      next: async () => {
        release(); // the previous event has been resolved and sent
        for (;;) {
          if (s.ended) return { done: true, value: undefined };
          const item = s.queue.shift();
          if (!item) {
            await new Promise<void>((ok) => (s.wake = ok));
            s.wake = undefined;
            continue;
          }
          try {
            ctx.em = await item.batch.open();
          } catch (e) {
            this.log.warn('live event not delivered: no database', { error: String(e) });
            item.batch.release();
            continue;
          }
          if (s.ended) {
            item.batch.release();
            continue;
          }
          s.current = item.batch;
          ctx.loader = item.batch.loader;
          ctx.principal = conn.principal;
          this.delivered++;
          return { done: false, value: item.event };
        }
      },
      return: async () => {
        this.end(s);
        return { done: true, value: undefined };
      },
      throw: async (e) => {
        this.end(s);
        throw e;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  private end(s: Stream): void {
    if (s.ended) return;
    s.ended = true;
    s.current?.release();
    s.current = undefined;
    for (const item of s.queue.splice(0)) item.batch.release();
    this.byChannel.get(s.channel)?.delete(s);
    s.conn.streams.delete(s);
    s.wake?.();
  }

  /** Ends every stream (graphql-ws then sends `complete` for each) and stops rechecking. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const c of this.conns) for (const s of [...c.streams]) this.end(s);
  }

  get connections(): number {
    return this.conns.size;
  }

  /** active subscription streams (tests, bench) */
  get subscribers(): number {
    let n = 0;
    for (const c of this.conns) n += c.streams.size;
    return n;
  }
}

export interface Live {
  hub: LiveHub;
  listener: PgListener;
  /** completes every subscription, closes the sockets (1001) and the listening connection */
  stop(): Promise<void>;
}

type Extra = { conn?: Connection };

/** Serves graphql-ws on `server`'s /graphql path (the HTTP `upgrade`), beside the HTTP API. */
export async function attachLive(opts: {
  server: Server;
  orm: Orm;
  schema: GraphQLSchema;
  settings: ServiceSettings;
  log: Logger;
  limits: Limits;
  live?: LiveOptions;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}): Promise<Live> {
  const { orm, schema, settings, log, limits } = opts;
  const url = opts.live?.listenUrl ?? (orm.config.get('clientUrl') as string);
  let hub!: LiveHub;
  const listener = new PgListener(url, (channel, payload) => hub.dispatch(channel, payload), log);
  hub = new LiveHub(orm, limits, log, listener, opts.live?.recheckMs ?? DEFAULT_RECHECK_MS);
  await listener.start();

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql' || hub.closed) {
      socket.end(`HTTP/1.1 ${hub.closed ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  opts.server.on('upgrade', onUpgrade);

  const format = (errors: readonly GraphQLError[]) => errors.map((e) => opts.formatError(e.toJSON(), e));
  // the codes Apollo gives the same refusals over HTTP
  const refuse = (e: unknown, code = 'GRAPHQL_PARSE_FAILED'): GraphQLError[] => {
    if (!(e instanceof GraphQLError)) return [new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'internal error')];
    if (e instanceof AppError || e.extensions.code) return [e];
    return [tokenLimitError(e.message) ?? new GraphQLError(e.message, { nodes: e.nodes, extensions: { code } })];
  };
  // connection:subscription → settles when graphql-ws completed it (the drain waits for these)
  const operations = new Map<string, Promise<void>>();
  const completions = new Map<string, () => void>();
  const initialEm = new WeakMap<JicengContext, EntityManager>();

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : typeof params.token === 'string' ? `Bearer ${params.token}` : '';
        const socket = ctx.extra.socket;
        // the token in connection_init, else the board's session cookie (credentials.ts) — which a page of
        // another site would send too: with the cookie the handshake must come from this site's origin
        const cookie = header ? null : tokenOf(ctx.extra.request);
        // (a bearer header on the handshake itself is a program's, not a browser's: taken as it is)
        const token = header.startsWith('Bearer ') ? header.slice(7).trim() : cookie && (cookie.from === 'bearer' || sameOrigin(ctx.extra.request, true)) ? cookie.token : '';
        if (!token || hub.closed) {
          socket.close(hub.closed ? 1001 : CLOSE_UNAUTHORIZED, hub.closed ? 'Going away' : 'Unauthorized');
          return false;
        }
        try {
          const claims = await verifyToken(settings, token);
          const em = await beginRequest(orm);
          let principal: Principal;
          try {
            principal = await authenticate(em, settings, token);
          } finally {
            await endRequest(em, true).catch(() => undefined);
          }
          const address = clientAddressOf(ctx.extra.request.socket.remoteAddress, ctx.extra.request.headers['x-forwarded-for'], settings.trustedProxies);
          ctx.extra.conn = hub.connect(socket, token, claims, principal, address);
          return true;
        } catch (e) {
          const refused = e instanceof AppError && e.code === ErrorCode.UNAUTHENTICATED;
          if (!refused) log.error('live connection_init failed', { error: e });
          socket.close(refused ? CLOSE_UNAUTHORIZED : 1011, refused ? 'Unauthorized' : 'Internal error');
          return false;
        }
      },
      onSubscribe: (ctx, id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (e) {
          return refuse(e);
        }
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.flatMap((e) => refuse(e, 'GRAPHQL_VALIDATION_FAILED'));
        const op = getOperationAST(document, payload.operationName);
        if (op?.operation !== 'subscription') {
          return [new AppError(ErrorCode.BAD_USER_INPUT, 'only subscriptions are served over WebSocket; send queries and mutations over HTTP', { field: 'query' })];
        }
        try {
          checkQuery(limits, schema, document, payload.variables ?? undefined, payload.operationName ?? undefined);
        } catch (e) {
          return refuse(e);
        }
        const key = `${ctx.extra.conn?.id}:${id}`;
        operations.set(key, new Promise<void>((ok) => completions.set(key, ok)));
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName } as ExecutionArgs;
      },
      context: async (ctx, id) => {
        const conn = ctx.extra.conn!;
        const em = await beginRequest(orm);
        const lctx: JicengContext = {
          requestId: `${conn.id}:${id}`,
          principal: null,
          em,
          log: log.child({ requestId: `${conn.id}:${id}`, live: true }),
          clientAddress: conn.address,
          loader: loaderCache(),
          services: settings,
        };
        lctx.live = hub.streams(conn, lctx);
        initialEm.set(lctx, em);
        try {
          lctx.principal = await authenticate(em, settings, conn.token); // fresh: the subscribe-time check
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          hub.revoke(conn);
        }
        return lctx;
      },
      subscribe: async (args) => {
        const ctx = args.contextValue as JicengContext;
        const em = initialEm.get(ctx);
        let ok = false;
        try {
          const result = await subscribe(args);
          ok = true;
          return result;
        } finally {
          if (em) await endRequest(em, ok).catch(() => undefined);
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onComplete: (ctx, id) => {
        const key = `${ctx.extra.conn?.id}:${id}`;
        completions.get(key)?.();
        completions.delete(key);
        operations.delete(key);
      },
      onClose: (ctx) => {
        hub.disconnect(ctx.extra.conn);
        const prefix = `${ctx.extra.conn?.id}:`;
        for (const [key, done] of completions) {
          if (!key.startsWith(prefix)) continue;
          done();
          completions.delete(key);
          operations.delete(key);
        }
      },
    },
    wss,
  );

  return {
    hub,
    listener,
    async stop() {
      // every stream ends, graphql-ws sends `complete` for each; then the sockets close (1001)
      hub.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(operations.values()), new Promise<void>((ok) => (timer = setTimeout(ok, 2000)))]);
      clearTimeout(timer);
      opts.server.off('upgrade', onUpgrade);
      await server.dispose();
      await listener.stop();
    },
  };
}
