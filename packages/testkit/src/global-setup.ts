import { mkdtempSync, chmodSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, ensureRoles, migrate, startEmbedded, databaseUrls, withDatabase, withClient, type EmbeddedServer } from '@jiceng/db';
import { allMigrations } from '@jiceng/api';
import { TEST_PASSWORDS } from './passwords.js';

/**
 * One PostgreSQL per test run (embedded, or the server in DATABASE_URL), one migrated template
 * database, and then one database per test file cloned from it (see createTestDatabase).
 */
export default async function setup(project: TestProject) {
  let server: EmbeddedServer | undefined;
  let adminUrl = process.env.DATABASE_URL;
  let dir: string | undefined;
  if (!adminUrl) {
    // old runs that crashed leave their clusters behind
    for (const d of readdirSync(tmpdir())) {
      if (d.startsWith('jiceng-test-')) {
        const p = join(tmpdir(), d);
        if (Date.now() - statSync(p).mtimeMs > 3 * 3600_000) rmSync(p, { recursive: true, force: true });
      }
    }
    dir = mkdtempSync(join(tmpdir(), 'jiceng-test-'));
    chmodSync(dir, 0o755);
    server = await startEmbedded({ dataDir: join(dir, 'pg'), ephemeral: true });
    adminUrl = server.adminUrl;
  }
  await ensureRoles(adminUrl, TEST_PASSWORDS);
  const template = `jiceng_tpl_${process.pid}`;
  await dropDatabase(adminUrl, template);
  await createDatabase(adminUrl, template);
  await migrate(databaseUrls(adminUrl, template, TEST_PASSWORDS).ownerUrl, allMigrations());
  // no connections may stay open on a template
  await withClient(withDatabase(adminUrl, 'postgres'), (c) =>
    c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [template]),
  );
  project.provide('jicengDb', { adminUrl, template });
  return async () => {
    await dropDatabase(adminUrl!, template).catch(() => undefined);
    if (server) await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    jicengDb: { adminUrl: string; template: string };
  }
}
