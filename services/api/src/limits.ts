// What one request may cost: the shape of its query (before anything runs), the size of its answer,
// its time (in Node.js and in PostgreSQL), and its client staying connected. docs/operations.md lists
// the defaults and the environment variables that change them.
import { GraphQLError, defaultFieldResolver, getNamedType, isObjectType, isListType, isNonNullType, validate, type DocumentNode, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
// the CommonJS build: its ESM build imports graphql/index.mjs, a second copy of graphql beside the one
// `import 'graphql'` loads in Node.js ("another module or realm")
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity/cjs';
import { AppError, ErrorCode, type LimitSettings } from '@jiceng/core';
import { sessionTimeoutsOf, type beginRequest, type Orm, type SessionTimeouts } from '@jiceng/db';
import type { JicengContext } from '@jiceng/tenancy';

export interface Limits extends Required<LimitSettings> {
  /** cost of one call of an expensive field that runs once per row, by `Type.field` (unbatched aggregates) */
  fieldCosts: Record<string, number>;
  /** cost of an expensive field resolved through a per-level batch, by `Type.field`: charged once where it occurs, whatever the rows */
  batchedCosts: Record<string, number>;
  /** a connection's page without `first`, by `Type.field`, where it is not defaultPageSize */
  pageSizes: Record<string, number>;
}

/**
 * Cost units: one per value resolved (every field of every row, as the lists' sizes multiply them), and an
 * expensive field its weight, in proportion to its measured time on the whole region (docs/operations.md):
 * 60 units are ~0.4 ms of a region-wide aggregate's work, rectificationSummary ~22 ms, pairingCoverage ~89 ms.
 *
 * An aggregate resolved through a DataLoader batch (BATCHED_COSTS: one statement per list level, whatever
 * the rows, reading the per-unit rollups) costs its weight ONCE where it occurs in the query, plus 1 per row
 * and per value below it like any field. An aggregate resolved row by row (FIELD_COSTS: a statement per
 * row) costs its weight on every row: the lists above it multiply it.
 */
export const BATCHED_COSTS: Record<string, number> = {
  'AdminUnit.rectificationSummary': 3000,
  'AdminUnit.relapsePatterns': 3000,
  'AdminUnit.keyTargets': 3000,
  'AdminUnit.accountability': 3000,
  'AdminUnit.fundsSummary': 3000,
  'AdminUnit.supportTotals': 6000,
  'AdminUnit.pairingCoverage': 12_000,
  'AdminUnit.departmentSuggestions': 1200,
};

/** Expensive fields resolved once per row (a statement each): their weight multiplies with the lists above them. */
export const FIELD_COSTS: Record<string, number> = {
  'AdminUnit.fundingCompliance': 6000,
  'AdminUnit.search': 600,
};

/** The resolvers' own defaults (pageSize(first, n)); every other connection pages 50. */
export const PAGE_SIZES: Record<string, number> = { 'AdminUnit.children': 100 };

export const DEFAULT_LIMITS: Limits = {
  maxDepth: 15,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  maxCost: 300_000,
  defaultPageSize: 50,
  listSize: 10,
  maxResponseNodes: 100_000,
  deadlineMs: 15_000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 15_000,
  // a code list for importAdminUnits (one region, ~1 MB) fits; larger ones go through pnpm import:units
  maxBodyBytes: 5 * 1024 * 1024,
  // a spreadsheet export (GET /export/…) streams a whole subtree's ledger: its own deadline (statements keep theirs)
  exportDeadlineMs: 120_000,
  introspection: false,
  fieldCosts: FIELD_COSTS,
  batchedCosts: BATCHED_COSTS,
  pageSizes: PAGE_SIZES,
};

/** The session timeouts a pool should start with so that requests under these limits need no statement to set them. */
export function sessionTimeoutsFor(limits: Limits): SessionTimeouts {
  return { statementMs: Math.min(limits.statementTimeoutMs, limits.deadlineMs), idleInTransactionMs: limits.idleInTransactionTimeoutMs };
}

/** The defaults, with introspection on outside production, overlaid with what was configured. */
export function resolveLimits(given: Partial<Limits> = {}, production = false): Limits {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_LIMITS, introspection: !production, ...defined, fieldCosts: { ...FIELD_COSTS, ...given.fieldCosts },
    batchedCosts: { ...BATCHED_COSTS, ...given.batchedCosts }, pageSizes: { ...PAGE_SIZES, ...given.pageSizes },
  };
}

/** A refusal that names the limit: `extensions.limit`, `max` and (when known) `found`. */
export function limitError(code: ErrorCode, limit: string, max: number, found?: number, message?: string): AppError {
  const what = message ?? `${limit} limit of ${max} exceeded${found === undefined ? '' : `, found ${found}`}`;
  // a request error: 400 for application/graphql-response+json, 200 for application/json (server.ts)
  return new AppError(code, what, { limit, max, ...(found === undefined ? {} : { found }), http: { status: 400 } });
}

/**
 * The cost estimator: a connection costs `first` (or the default page size) times what is below it, other
 * lists `listSize` times, an unbatched aggregate its weight from fieldCosts, any other field 1. Introspection
 * is free. A batched aggregate costs 1 like any field here (per row), and its weight from batchedCosts is
 * handed to `onBatch` once per occurrence in the query (the estimator runs once per field of the document,
 * not per row), for queryCost to add once.
 */
export function costEstimator(limits: Limits, onBatch: (weight: number) => void = () => {}): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    if (type.name.startsWith('__') || field.name.startsWith('__')) return 0;
    const key = `${type.name}.${field.name}`;
    const batched = limits.batchedCosts[key];
    if (batched !== undefined) onBatch(batched);
    const own = limits.fieldCosts[key] ?? 1;
    if (field.args.some((a) => a.name === 'first') && getNamedType(field.type).name.endsWith('Connection')) {
      const first = typeof args.first === 'number' && args.first >= 0 ? args.first : (limits.pageSizes[key] ?? limits.defaultPageSize);
      return own + Math.max(first, 1) * childComplexity;
    }
    // a connection's edges are counted by its `first`, not again as a list
    const many = isList(field.type) && !type.name.endsWith('Connection');
    return own + (many ? limits.listSize : 1) * childComplexity;
  };
}

function isList(t: GraphQLOutputType): boolean {
  return isListType(isNonNullType(t) ? t.ofType : t);
}

/** Depth, aliases and directives (graphql-armor), then the multiplying cost (graphql-query-complexity). */
export function checkQuery(limits: Limits, schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): void {
  const refusals: AppError[] = [];
  const refuse = (limit: string, max: number) => (_: unknown, err: Error) => {
    const found = /found (\d+)/.exec(err.message)?.[1];
    refusals.push(limitError(ErrorCode.QUERY_TOO_COMPLEX, limit, max, found === undefined ? undefined : Number(found)));
  };
  const rule = (limit: string, n: number) => ({ n, propagateOnRejection: false, onReject: [refuse(limit, n)] });
  const { validationRules } = new ApolloArmor({
    maxDepth: rule('depth', limits.maxDepth),
    maxAliases: rule('aliases', limits.maxAliases),
    maxDirectives: rule('directives', limits.maxDirectives),
    maxTokens: { enabled: false }, // graphql-js counts tokens while parsing (parseOptions in server.ts)
    costLimit: { enabled: false }, // armor's cost does not multiply by list sizes
    blockFieldSuggestion: { enabled: false }, // only anonymous callers lose suggestions (limitsPlugin)
  }).protect();
  validate(schema, document, validationRules);
  if (refusals.length) throw refusals[0];
  let cost: number;
  try {
    cost = queryCost(limits, schema, document, variables, operationName);
  } catch (e) {
    if (e instanceof GraphQLError) return; // invalid variables: execution refuses them before running anything
    throw e;
  }
  if (cost > limits.maxCost) throw limitError(ErrorCode.QUERY_TOO_COMPLEX, 'cost', limits.maxCost, cost);
}

/** The cost of one operation (throws when its variables are invalid): rows times fields, plus each batched aggregate once where it occurs. */
export function queryCost(limits: Limits, schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): number {
  let batches = 0;
  const rows = getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators: [costEstimator(limits, (w) => { batches += w; })] });
  return rows + batches;
}

/** The token limit is graphql-js's own (parse aborts); its parse error becomes a QUERY_TOO_COMPLEX refusal. */
export function tokenLimitError(message: string): AppError | null {
  const m = /Document contains more tha[nt] (\d+) tokens/.exec(message); // graphql-js 16 writes "more that"
  return m ? limitError(ErrorCode.QUERY_TOO_COMPLEX, 'tokens', Number(m[1]), undefined, `tokens limit of ${m[1]} exceeded`) : null;
}

/** One request's clock and state: the deadline, the fields resolved, whether its client left. */
export class RequestGuard {
  nodes = 0;
  timedOut = false;
  aborted = false;
  tooLarge = false;
  private pid: number | null = null;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private cancelling: Promise<unknown> = Promise.resolve();

  constructor(readonly limits: Limits, private readonly orm: Orm) {}

  /**
   * Starts the clock and gives the transaction its timeouts. When the pool's sessions already start with
   * these timeouts (createOrm's sessionTimeouts) no statement is needed: the request's first statement
   * (authentication, or the anonymous scope) reports the backend through setBackend. Otherwise one
   * statement sets them for this transaction (`set_config(…, true)` ends with it) and reads the backend.
   * Either way they cover authentication too.
   */
  async start(em: Awaited<ReturnType<typeof beginRequest>>): Promise<void> {
    const statement = this.statementTimeoutMs();
    const idle = this.limits.idleInTransactionTimeoutMs;
    this.startedAt = performance.now();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      void this.cancel();
    }, this.limits.deadlineMs);
    this.timer.unref();
    const preset = sessionTimeoutsOf(this.orm);
    if (preset && preset.statementMs === statement && preset.idleInTransactionMs === idle) return;
    const [row] = await em.execute<{ pid: number }[]>(
      `select pg_backend_pid() as pid, set_config('statement_timeout', ?, true), set_config('idle_in_transaction_session_timeout', ?, true)`,
      [String(statement), String(idle)],
    );
    this.setBackend(row ? Number(row.pid) : null);
  }

  /** The backend running this request's transaction: the one a deadline or a disconnect cancels. */
  setBackend(pid: number | null): void {
    if (this.finished) return;
    this.pid = pid;
    // the deadline passed or the client left before the backend was known
    if (this.timedOut || this.aborted) void this.cancel();
  }

  /** The client went away before its answer: stop resolving and cancel the running statement. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    void this.cancel();
  }

  /**
   * Stops the clock and waits for a cancel on its way: the connection goes back to the pool only after it,
   * so a late cancel never lands on the next request's statement.
   */
  async finish(): Promise<void> {
    clearTimeout(this.timer);
    this.finished = true;
    this.pid = null;
    await this.cancelling;
  }

  /** Cancels the statement the request's connection is running, if any (the API role may cancel its own backends). */
  private cancel(): Promise<unknown> {
    const pid = this.pid;
    if (pid === null) return this.cancelling;
    this.cancelling = this.orm.em.getConnection().execute('select pg_cancel_backend(?)', [pid]).catch(() => undefined);
    return this.cancelling;
  }

  /** Called before each field resolves: refuses past the deadline, after a disconnect, or past the node cap. */
  check(): void {
    if (this.timedOut) throw this.timeoutError();
    if (this.aborted) throw new AppError(ErrorCode.TIMEOUT, 'the client disconnected');
    if (++this.nodes > this.limits.maxResponseNodes) {
      this.tooLarge = true;
      throw this.tooLargeError();
    }
  }

  /**
   * Whether the request is past its deadline: the timer fired, or (the database's statement timeout, which
   * is never longer than the deadline, fired first on a busy machine) the time has passed all the same.
   */
  pastDeadline(): boolean {
    return this.timedOut || (this.startedAt > 0 && performance.now() - this.startedAt >= this.limits.deadlineMs);
  }

  timeoutError(): AppError {
    return limitError(ErrorCode.TIMEOUT, 'deadlineMs', this.limits.deadlineMs, undefined, `the request took longer than its limit of ${this.limits.deadlineMs} ms`);
  }

  statementTimeoutError(): AppError {
    const ms = this.statementTimeoutMs();
    return limitError(ErrorCode.TIMEOUT, 'statementTimeoutMs', ms, undefined, `a database statement took longer than its limit of ${ms} ms`);
  }

  private statementTimeoutMs(): number {
    return Math.min(this.limits.statementTimeoutMs, this.limits.deadlineMs);
  }

  tooLargeError(): AppError {
    return limitError(ErrorCode.RESPONSE_TOO_LARGE, 'responseNodes', this.limits.maxResponseNodes, undefined, `the response would hold more than ${this.limits.maxResponseNodes} values`);
  }
}

// on the context itself: Apollo executes on a shallow copy of it, which keeps symbol properties
const GUARD = Symbol('request guard');
export const guardOf = (ctx: JicengContext): RequestGuard | undefined => (ctx as { [GUARD]?: RequestGuard })[GUARD];
export const setGuard = (ctx: JicengContext, guard: RequestGuard): void => {
  (ctx as { [GUARD]?: RequestGuard })[GUARD] = guard;
};

/** PostgreSQL cancelled the statement (statement_timeout or pg_cancel_backend), or the transaction it broke. */
export function isCancelled(error: unknown): boolean {
  for (let e: any = error, i = 0; e && i < 4; e = e.originalError ?? e.cause, i++) {
    if (e.code === '57014' || e.sqlState === '57014') return true;
    if (typeof e.message === 'string' && /canceling statement due to (statement timeout|user request)/.test(e.message)) return true;
  }
  return false;
}

const SUGGESTION = / ?Did you mean .+\?$/;

/**
 * Enforces the limits around Apollo's pipeline: the query's shape before it runs, and one clear error in
 * place of a half-built answer when a guard refused. The guard's check on each field is guardFields'.
 */
export function limitsPlugin(limits: Limits): ApolloServerPlugin<JicengContext> {
  // Queries that passed, per parsed document (Apollo keeps one per query text) and operation and variables:
  // the same query is not walked again on every request. Refusals are not kept; they are checked each time.
  const passed = new WeakMap<DocumentNode, Set<string>>();
  const MAX_PER_DOCUMENT = 64;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          let key: string | undefined;
          try {
            key = `${request.operationName ?? ''}\u0000${JSON.stringify(request.variables ?? {})}`;
          } catch {
            key = undefined; // variables JSON cannot hold: check every time
          }
          const seen = passed.get(document);
          if (key !== undefined && seen?.has(key)) return;
          checkQuery(limits, schema, document, request.variables, request.operationName ?? undefined);
          if (key === undefined) return;
          if (!seen) passed.set(document, new Set([key]));
          else if (seen.size < MAX_PER_DOCUMENT) seen.add(key);
        },
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const guard = guardOf(contextValue);
          const statement = result.errors?.some((e) => e.extensions?.code === ErrorCode.TIMEOUT);
          const replace = !guard ? null : guard.tooLarge ? guard.tooLargeError() : guard.pastDeadline() ? guard.timeoutError() : statement ? guard.statementTimeoutError() : null;
          if (replace) {
            result.data = null;
            result.errors = [{ message: replace.message, extensions: { code: replace.extensions.code, limit: replace.extensions.limit, max: replace.extensions.max } }];
          }
          // field suggestions ("Did you mean …?") describe the schema: not to anonymous callers
          if (!contextValue.principal && result.errors) {
            result.errors = result.errors.map((e) => (SUGGESTION.test(e.message) ? { ...e, message: e.message.replace(SUGGESTION, '') } : e));
          }
        },
      };
    },
  };
}

const GUARDED = Symbol('fields guarded');

/**
 * Puts the request guard's check (deadline, disconnect, response size) in front of every field's resolver,
 * once per schema. It replaces a plugin's `willResolveField`, which makes Apollo wrap every field in its
 * instrumentation (an object, two lookups and a callback per field).
 */
export function guardFields(schema: GraphQLSchema): GraphQLSchema {
  if ((schema as { [GUARDED]?: true })[GUARDED]) return schema;
  Object.defineProperty(schema, GUARDED, { value: true });
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        (ctx as { [GUARD]?: RequestGuard } | undefined)?.[GUARD]?.check();
        return resolve(source, args, ctx, info);
      };
    }
  }
  return schema;
}
