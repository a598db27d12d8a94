#!/usr/bin/env node
// Wipes the embedded database and dev secrets (JICENG_DATA_DIR, `.data` by default) so the next
// `pnpm start` begins from scratch: migrations, the Inner Mongolia import and the demo seeds.
// It never touches a DATABASE_URL database, and refuses while the embedded server is running.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = resolve(process.env.JICENG_DATA_DIR || '.data');

if (process.env.DATABASE_URL) {
  console.error('db:reset wipes only the embedded database; DATABASE_URL is set, so nothing was done.');
  process.exit(1);
}
if (!existsSync(dir)) {
  console.log(`nothing to reset: ${dir} does not exist`);
  process.exit(0);
}
const pidFile = resolve(dir, 'pg', 'postmaster.pid');
if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch {
    // a stale pid file from a crashed run
  }
  if (alive) {
    console.error(`the embedded PostgreSQL (pid ${pid}) is running on ${dir}; stop the service first (Ctrl-C or SIGTERM).`);
    process.exit(1);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`removed ${dir}; the next \`pnpm start\` sets everything up again`);
