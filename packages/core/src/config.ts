import { parseTrustedProxies } from './client-address.js';

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
  };
}
