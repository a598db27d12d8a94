// A throwaway migrated database for the benchmarks that build their own data: on DATABASE_URL or on an
// embedded server of its own (JICENG_BENCH_DATA_DIR, default <tmp>/jiceng-bench-data, kept between runs,
// fsync on), so it can run beside `pnpm start`. close() drops it and stops the server.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase, ensureRoles, migrate, databaseUrls, openDatabase } from '../../packages/db/dist/index.js';
import { allMigrations } from '../../services/api/dist/index.js';

export async function openBenchDatabase() {
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.JICENG_BENCH_DATA_DIR ?? join(tmpdir(), 'jiceng-bench-data') });
  const name = `jiceng_bench_${randomBytes(4).toString('hex')}`;
  const passwords = { owner: randomBytes(9).toString('hex'), api: randomBytes(9).toString('hex') };
  const close = async () => {
    await dropDatabase(db.adminUrl, name).catch(() => undefined);
    await db.stop();
  };
  try {
    await ensureRoles(db.adminUrl, passwords);
    await createDatabase(db.adminUrl, name);
    const urls = databaseUrls(db.adminUrl, name, passwords);
    await migrate(urls.ownerUrl, allMigrations());
    return { urls, close };
  } catch (e) {
    await close();
    throw e;
  }
}
