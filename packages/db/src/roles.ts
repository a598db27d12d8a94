import pg from 'pg';
import { timeZoneOption } from './time-zone.js';

// The owner role owns every table and runs migrations; the API role owns nothing and is
// neither superuser nor BYPASSRLS, so row-level security always applies to it.
export const OWNER_ROLE = 'jiceng_owner';
export const API_ROLE = 'jiceng_api';
// Owns the few SECURITY DEFINER functions that must see across tenants (login, token checks).
export const AUTH_ROLE = 'jiceng_auth';

export interface DatabaseUrls {
  /** connects as a role that may create databases and roles (embedded superuser, or DATABASE_URL) */
  adminUrl: string;
  /** the owner: migrations and seeds */
  ownerUrl: string;
  /** the API's login role, subject to RLS */
  apiUrl: string;
}

export function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = password ?? '';
  }
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url , options: timeZoneOption() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Creates the two roles if missing and keeps the API role's password in step. Idempotent. */
export async function ensureRoles(adminUrl: string, passwords: { owner: string; api: string }): Promise<void> {
  await withClient(adminUrl, async (c) => {
    // serialize concurrent bootstraps (parallel test workers) on one cluster
    await c.query('select pg_advisory_lock(7423001)');
    try {
      for (const [role, pw, extra] of [
        [OWNER_ROLE, passwords.owner, 'CREATEDB'],
        [API_ROLE, passwords.api, ''],
      ] as const) {
        const { rowCount } = await c.query('select 1 from pg_roles where rolname = $1', [role]);
        if (!rowCount) await c.query(`CREATE ROLE ${q(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE ${extra} PASSWORD ${lit(pw)}`);
        else await c.query(`ALTER ROLE ${q(role)} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${lit(pw)}`);
      }
      if (!(await c.query('select 1 from pg_roles where rolname = $1', [AUTH_ROLE])).rowCount) {
        await c.query(`CREATE ROLE ${q(AUTH_ROLE)} NOLOGIN NOSUPERUSER NOBYPASSRLS`);
      }
      await c.query(`GRANT ${q(AUTH_ROLE)} TO ${q(OWNER_ROLE)}`);
      // lets an admin that is not superuser (managed PostgreSQL) still act as the owner
      await c.query(`GRANT ${q(OWNER_ROLE)} TO CURRENT_USER`).catch(() => undefined);
    } finally {
      await c.query('select pg_advisory_unlock(7423001)');
    }
  });
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (c) => ((await c.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0);
}

/** A database owned by the owner role, where no other role may create temporary tables (a template's
 * grants are not copied to its clones, so every new database revokes them). */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    await c.query(`CREATE DATABASE ${q(name)} OWNER ${q(OWNER_ROLE)}${template ? ` TEMPLATE ${q(template)}` : ''}`);
    await c.query(`REVOKE TEMPORARY ON DATABASE ${q(name)} FROM PUBLIC`);
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`));
}

export function databaseUrls(adminUrl: string, database: string, passwords: { owner: string; api: string }): DatabaseUrls {
  return {
    adminUrl,
    ownerUrl: withDatabase(adminUrl, database, OWNER_ROLE, passwords.owner),
    apiUrl: withDatabase(adminUrl, database, API_ROLE, passwords.api),
  };
}
