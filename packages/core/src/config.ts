import { parseTrustedProxies } from './client-address.js';
import { readTimeZone } from './time-zone.js';

// Process configuration from the environment, read once.
export interface AppConfig {
  port: number;
  databaseUrl: string | undefined;
  databaseApiUrl: string | undefined;
  dataDir: string;
  jwtSecret: string | undefined;
  production: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** on SIGTERM/SIGINT, how long requests in flight may take to finish */
  shutdownDrainMs: number;
  /** reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks) */
  trustedProxies: string[];
  /** request limits set in the environment; unset ones take the API's defaults (docs/operations.md) */
  limits: LimitSettings;
  /** JICENG_TIME_ZONE: the zone whose date is "today" (JavaScript and every database session); default Asia/Shanghai */
  timeZone: string;
}

/** The environment variable of each request limit (numbers; GRAPHQL_INTROSPECTION is 1 or 0). */
export const LIMIT_ENV = {
  maxDepth: 'GRAPHQL_MAX_DEPTH',
  maxAliases: 'GRAPHQL_MAX_ALIASES',
  maxTokens: 'GRAPHQL_MAX_TOKENS',
  maxDirectives: 'GRAPHQL_MAX_DIRECTIVES',
  maxCost: 'GRAPHQL_MAX_COST',
  defaultPageSize: 'GRAPHQL_COST_PAGE_SIZE',
  listSize: 'GRAPHQL_COST_LIST_SIZE',
  maxResponseNodes: 'GRAPHQL_MAX_RESPONSE_NODES',
  deadlineMs: 'REQUEST_DEADLINE_MS',
  statementTimeoutMs: 'DB_STATEMENT_TIMEOUT_MS',
  idleInTransactionTimeoutMs: 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  maxBodyBytes: 'HTTP_MAX_BODY_BYTES',
  exportDeadlineMs: 'EXPORT_DEADLINE_MS',
} as const;

export type LimitSettings = { -readonly [K in keyof typeof LIMIT_ENV]?: number } & { introspection?: boolean };

function readLimits(env: NodeJS.ProcessEnv): LimitSettings {
  const limits: LimitSettings = {};
  for (const [key, name] of Object.entries(LIMIT_ENV) as [keyof typeof LIMIT_ENV, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    limits[key] = n;
  }
  const introspection = env.GRAPHQL_INTROSPECTION;
  if (introspection === '1' || introspection === '0') limits.introspection = introspection === '1';
  else if (introspection) throw new Error(`GRAPHQL_INTROSPECTION must be 1 or 0, got ${JSON.stringify(introspection)}`);
  return limits;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: Number(env.PORT ?? 4000),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseApiUrl: env.DATABASE_API_URL || undefined,
    dataDir: env.JICENG_DATA_DIR ?? '.data',
    jwtSecret: env.JWT_SECRET || undefined,
    production: env.NODE_ENV === 'production',
    logLevel: (env.LOG_LEVEL as AppConfig['logLevel']) ?? 'info',
    shutdownDrainMs: Number(env.SHUTDOWN_DRAIN_MS ?? 30_000),
    trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES),
    limits: readLimits(env),
    timeZone: readTimeZone(env),
  };
}
