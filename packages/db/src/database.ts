import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { revokeTempSql } from './tenant-sql.js';
import { withDatabase, ensureRoles, databaseExists, createDatabase, databaseUrls, withClient, OWNER_ROLE, type DatabaseUrls } from './roles.js';

export interface DatabaseHandle extends DatabaseUrls {
  embedded: boolean;
  stop(): Promise<void>;
  /** Starts the embedded cluster again after it died (no-op with DATABASE_URL). */
  restart(): Promise<void>;
}

export interface LocalSecrets {
  ownerPassword: string;
  apiPassword: string;
  jwtSecret: string;
}

/** Secrets for embedded dev mode, generated once and kept beside the data (mode 0600). */
export function localSecrets(dataDir: string): LocalSecrets {
  const file = resolve(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const s: LocalSecrets = {
    ownerPassword: randomBytes(18).toString('base64url'),
    apiPassword: randomBytes(18).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(s), { mode: 0o600 });
  return s;
}

/**
 * With DATABASE_URL: that server (the production path); its user must be able to create roles.
 * Without: an embedded PostgreSQL whose data lives in `<dataDir>/pg` and survives restarts.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  passwords?: { owner: string; api: string };
  database?: string;
  /** command-line tools: use the embedded cluster a running service holds instead of refusing */
  attach?: boolean;
  /** the embedded postmaster exited without stop() */
  onExit?: (cause: string) => void;
}): Promise<DatabaseHandle> {
  let server: EmbeddedServer | undefined;
  let adminUrl: string;
  let database: string;
  if (opts.databaseUrl) {
    adminUrl = opts.databaseUrl;
    database = opts.database ?? (new URL(adminUrl).pathname.slice(1) || 'jiceng');
  } else {
    server = await startEmbedded({ dataDir: resolve(opts.dataDir, 'pg'), attach: opts.attach, onExit: opts.onExit });
    adminUrl = server.adminUrl;
    database = opts.database ?? 'jiceng';
  }
  const secrets = opts.passwords ?? (() => {
    const s = localSecrets(opts.dataDir);
    return { owner: s.ownerPassword, api: s.apiPassword };
  })();
  await ensureRoles(adminUrl, secrets);
  if (!(await databaseExists(adminUrl, database))) await createDatabase(adminUrl, database);
  const urls = databaseUrls(adminUrl, database, secrets);
  // a pre-existing database (DATABASE_URL) may belong to someone else: let the owner create in it
  await withClient(withDatabase(adminUrl, database), (c) =>
    c.query(`grant create, connect, temporary on database "${database}" to "${OWNER_ROLE}"; grant create, usage on schema public to "${OWNER_ROLE}"`),
  ).catch(() => undefined);
  // and nobody else may create temporary tables there (they would shadow real tables)
  await withClient(withDatabase(adminUrl, database), (c) => c.query(revokeTempSql(database))).catch(() => undefined);
  return { ...urls, embedded: !!server, stop: async () => { await server?.stop(); }, restart: async () => { await server?.restart(); } };

}
