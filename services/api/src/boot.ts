import { createLogger, readConfig, type AppConfig, type Logger } from '@jiceng/core';
import type { AddressInfo } from 'node:net';
import { createOrm, inScope, localSecrets, migrate, openDatabase, withClient, type DatabaseHandle, type Orm } from '@jiceng/db';
import type { JicengModule, ServiceSettings } from '@jiceng/tenancy';
import { modules as allModules } from './modules.js';
import { HEARTBEAT_MS, failAbandonedJobs, readImportLimits } from '@jiceng/sheets';
import { buildAppSchema } from './schema.js';
import { createApp, type App } from './server.js';
import { resolveLimits, sessionTimeoutsFor } from './limits.js';

export const allMigrations = (mods: JicengModule[] = allModules) => mods.flatMap((m) => m.migrations);
export const allEntities = (mods: JicengModule[] = allModules) => mods.flatMap((m) => m.entities);

/** Runs every module's demo seed in order, as the owner. Refused in production. */
export async function seedDemo(ownerUrl: string, log: Logger, mods: JicengModule[] = allModules): Promise<void> {
  const orm = await createOrm({ url: ownerUrl, entities: allEntities(mods), poolMax: 4 });
  try {
    for (const m of mods) {
      if (!m.seedDemo) continue;
      const t = performance.now();
      await m.seedDemo({ orm, log });
      log.info('demo seed', { module: m.name, ms: Math.round(performance.now() - t) });
    }
  } finally {
    await orm.close();
  }
}

export interface Service {
  app: App;
  orm: Orm;
  db: DatabaseHandle;
  /** drains requests (up to drainMs), then stops maintenance, the pool and the database */
  stop(drainMs?: number): Promise<{ cutOff: number }>;
}

export interface ServiceHooks {
  /** The service cannot go on (its embedded database died and would not restart): exit non-zero. */
  onFatal?: (error: Error) => void;
}

/** Everything `pnpm start` does: database, migrations, demo data, then the API. */
export async function startService(config: AppConfig = readConfig(), log: Logger = createLogger(config.logLevel), hooks: ServiceHooks = {}): Promise<Service> {
  const lost = (cause: string) => void recoverDatabase(db, cause, log, hooks.onFatal ?? (() => process.exit(1)));
  const db = await openConfiguredDatabase(config, { onExit: lost });
  log.info('database ready', { embedded: db.embedded });
  const applied = await migrate(db.ownerUrl, allMigrations());
  if (applied.length) log.info('migrations applied', { applied });
  const demo = process.env.JICENG_DEMO ?? (config.production ? '0' : '1');
  if (demo === '1') {
    if (config.production) throw new Error('demo data and demo accounts are refused in production mode');
    await seedDemo(db.ownerUrl, log);
  }
  // freshly loaded tables have no planner statistics until autovacuum comes round
  await analyzeStale(db.ownerUrl);
  // the pool's sessions start with the request timeouts, so a request needs no statement to set them
  const sessionTimeouts = sessionTimeoutsFor(resolveLimits(config.limits, config.production));
  const orm = await createOrm({ url: config.databaseApiUrl ?? db.apiUrl, entities: allEntities(), poolMax: Number(process.env.DB_POOL_MAX ?? 20), sessionTimeouts, timeZone: config.timeZone });
  // import jobs left running by a process that died are marked FAILED (the periodic sweep catches the rest)
  const abandoned = await inScope(orm, ['cn'], (em) => failAbandonedJobs(em, 2 * HEARTBEAT_MS));
  if (abandoned) log.warn('import jobs interrupted by a restart marked FAILED', { abandoned });
  const { schema } = await buildAppSchema(allModules);
  const recheckMs = Number(process.env.LIVE_RECHECK_MS) || undefined;
  const app = await createApp({ orm, schema, settings: serviceSettings(config), log, limits: config.limits, live: { recheckMs }, imports: readImportLimits() });
  await new Promise<void>((ok) => app.server.listen(config.port, ok));
  const { port } = app.server.address() as AddressInfo;
  log.info('listening', { port, graphql: `http://localhost:${port}/graphql` });
  const stopMaintenance = startMaintenance(orm, log);
  return {
    app,
    orm,
    db,
    async stop(drainMs?: number) {
      const drained = await app.stop(drainMs);
      await stopMaintenance();
      await orm.close();
      await db.stop();
      return drained;
    },
  };
}

/**
 * The embedded database died under the service (killed, crashed): start it again; requests meanwhile
 * answer SERVICE_UNAVAILABLE. When it will not come back, the service gives up (exits non-zero) so
 * that a supervisor restarts it. With DATABASE_URL the pool reconnects by itself.
 */
async function recoverDatabase(db: DatabaseHandle, cause: string, log: Logger, fatal: (e: Error) => void): Promise<void> {
  log.error('database lost', { cause });
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await db.restart();
      log.warn('database restarted', { attempt });
      return;
    } catch (e) {
      log.error('database restart failed', { attempt, error: e });
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  fatal(new Error(`the embedded database could not be restarted after: ${cause}`));
}

/** ANALYZE every table whose rows changed much since its statistics were taken (after bulk loads). */
export async function analyzeStale(ownerUrl: string): Promise<string[]> {
  return withClient(ownerUrl, async (c) => {
    const { rows } = await c.query<{ t: string }>(`select jiceng_analyze_stale() as t`);
    return rows.map((r) => r.t).filter(Boolean);
  });
}

/** Runs each module's maintenance tasks on their intervals, one at a time per task; stop waits for a running one. */
export function startMaintenance(orm: Orm, log: Logger, mods: JicengModule[] = allModules): () => Promise<void> {
  const tasks = mods.flatMap((m) => m.maintenance ?? []).map((task) => {
    const state: { current?: Promise<void>; timer?: NodeJS.Timeout } = {};
    state.timer = setInterval(() => {
      // not bound by the request timeouts the pool's sessions start with
      state.current ??= inScope(orm, ['cn'], async (em) => {
        await em.execute(`select set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)`);
        return task.run(em);
      })
        .then((n) => { if (n) log.debug('maintenance', { task: task.name, n }); })
        .catch((e: unknown) => log.error('maintenance failed', { task: task.name, error: String(e) }))
        .finally(() => { state.current = undefined; });
    }, task.everyMs);
    state.timer.unref();
    return state;
  });
  return async () => {
    for (const t of tasks) clearInterval(t.timer);
    await Promise.all(tasks.map((t) => t.current));
  };
}

/** The database the configuration names (DATABASE_URL, else embedded in the data directory), roles ensured. */
export function openConfiguredDatabase(config: AppConfig, opts: { attach?: boolean; onExit?: (cause: string) => void } = {}): Promise<DatabaseHandle> {
  return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, passwords: productionPasswords(config), ...opts });
}

function productionPasswords(config: AppConfig) {
  const owner = process.env.JICENG_OWNER_PASSWORD;
  const api = process.env.JICENG_API_PASSWORD;
  if (owner && api) return { owner, api };
  if (config.production && config.databaseUrl) throw new Error('JICENG_OWNER_PASSWORD and JICENG_API_PASSWORD are required in production');
  return undefined;
}

export function serviceSettings(config: AppConfig): ServiceSettings {
  let secret = config.jwtSecret;
  if (!secret) {
    if (config.production) throw new Error('JWT_SECRET is required in production');
    secret = localSecrets(config.dataDir).jwtSecret; // generated once for dev mode
  }
  return { jwtKey: new TextEncoder().encode(secret), tokenTtlSeconds: 12 * 3600, production: config.production, trustedProxies: config.trustedProxies };
}
