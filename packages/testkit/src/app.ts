import type { AddressInfo } from 'node:net';
import { createLogger } from '@jiceng/core';
import { createOrm, executeBound, inScope, type Orm } from '@jiceng/db';
import { buildAppSchema, createApp, allEntities, resolveLimits, sessionTimeoutsFor, type App } from '@jiceng/api';
import { modules } from '@jiceng/api';
import { hashPassword, signToken, type Role, type ServiceSettings, type AdminUnitRow } from '@jiceng/tenancy';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TreeBuilder, type Node } from './tree.js';
import { GraphQLClient } from './client.js';
import { TEST_JWT_SECRET } from './passwords.js';

export const TEST_PASSWORD = 'jiceng-test-password';
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  id: string;
  username: string;
  token: string;
  roles: Role[];
  unit: AdminUnitRow;
  client: GraphQLClient;
}

/** A running API on a fresh database: the world a test file builds in. */
export class TestApp {
  /** SQL statements the API has sent since the last reset (for loader tests). */
  sqlCount = 0;
  private userSeq = 0;
  readonly tree: TreeBuilder;
  readonly anonymous: GraphQLClient;

  private constructor(
    readonly db: TestDatabase,
    readonly orm: Orm,
    /** connected as the owner (still under RLS: use inScope with a scope) */
    readonly ownerOrm: Orm,
    readonly app: App,
    readonly url: string,
    readonly settings: ServiceSettings,
  ) {
    this.tree = new TreeBuilder(ownerOrm);
    this.anonymous = new GraphQLClient(url);
  }

  static async start(): Promise<TestApp> {
    const db = await createTestDatabase();
    const log = createLogger((process.env.TEST_LOG as any) ?? 'error');
    let counter: TestApp | undefined;
    const orm = await createOrm({
      url: db.apiUrl,
      entities: allEntities(),
      poolMax: 12,
      // like the service: requests under the default limits need no statement to set their timeouts
      sessionTimeouts: sessionTimeoutsFor(resolveLimits()),
      debug: true,
      logger: (m) => {
        if (counter && /\[query\]/.test(m)) counter.sqlCount++;
      },
    });
    const ownerOrm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 4 });
    const { schema } = await buildAppSchema(modules);
    const settings: ServiceSettings = { jwtKey: new TextEncoder().encode(TEST_JWT_SECRET), tokenTtlSeconds: 3600, production: false };
    // every query runs compiled from its first request: the path production takes for repeated queries
    const app = await createApp({ orm, schema, settings, log, compileAfter: 1 });
    await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
    const { port } = app.server.address() as AddressInfo;
    counter = new TestApp(db, orm, ownerOrm, app, `http://127.0.0.1:${port}/graphql`, settings);
    return counter;
  }

  /** Creates an account at a unit with the given roles and returns it with a signed-in client. */
  async user(at: Node | AdminUnitRow, roles: Role[], username?: string): Promise<TestUser> {
    const unit = 'unit' in at ? at.unit : at;
    passwordHash ??= hashPassword(TEST_PASSWORD);
    const name = username ?? `u${process.pid % 10000}-${++this.userSeq}-${roles[0]!.toLowerCase().replace(/_/g, '-')}`;
    const hash = await passwordHash;
    const id = await inScope(this.ownerOrm, ['cn'], async (em) => {
      const [r] = await executeBound<{ id: string }>(em,
        `insert into app_user (username, display_name, password_hash, unit_id, roles) values ($1, $2, $3, $4, $5::text[]) returning id`,
        [name, name, hash, unit.id, roles],
      );
      return String(r!.id);
    });
    const token = await signToken(this.settings, id, 1);
    return { id, username: name, token, roles, unit, client: new GraphQLClient(this.url, token) };
  }

  /** Runs SQL as the owner with the whole country in scope (test setup and checks). */
  asOwner<T>(fn: Parameters<typeof inScope<T>>[2]): Promise<T> {
    return inScope(this.ownerOrm, ['cn'], fn);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.orm.close();
    await this.ownerOrm.close();
    await this.db.drop();
  }
}
