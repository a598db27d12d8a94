import pg from 'pg';
import { timeZoneOption } from './time-zone.js';
import { OWNER_ROLE, API_ROLE, AUTH_ROLE } from './roles.js';
import { PIN_SEARCH_PATH_SQL } from './tenant-sql.js';

/**
 * A schema change, written in SQL: RLS policies, ltree, GiST indexes and triggers are
 * clearer as DDL than as entity metadata. Ids sort in the order modules are composed.
 */
export interface Migration {
  id: string;
  sql: string;
}

const LEDGER = `create table if not exists schema_migration (
  id text primary key,
  applied_at timestamptz not null default now()
)`;

/**
 * Applies pending migrations as the owner, each in its own transaction, under an advisory lock; each
 * ends by pinning the search_path of the functions in public that lack one.
 */
export async function migrate(ownerUrl: string, migrations: readonly Migration[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
  const c = new pg.Client({ connectionString: ownerUrl , options: timeZoneOption() });
  await c.connect();
  const applied: string[] = [];
  try {
    await c.query('select pg_advisory_lock(7423002)');
    await c.query(LEDGER);
    const done = new Set((await c.query<{ id: string }>('select id from schema_migration')).rows.map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await c.query('begin');
      try {
        await c.query(m.sql.replaceAll(':api_role', `"${API_ROLE}"`).replaceAll(':owner_role', `"${OWNER_ROLE}"`).replaceAll(':auth_role', `"${AUTH_ROLE}"`));
        // functions the migration created get a fixed search_path (see PIN_SEARCH_PATH_SQL)
        await c.query(PIN_SEARCH_PATH_SQL);
        await c.query('insert into schema_migration (id) values ($1)', [m.id]);
        await c.query('commit');
        applied.push(m.id);
      } catch (e) {
        await c.query('rollback');
        throw new Error(`migration ${m.id} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    await c.query('select pg_advisory_unlock(7423002)').catch(() => undefined);
    await c.end();
  }
  return applied;
}
