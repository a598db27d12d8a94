import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { createOrm, inScope, postmasterInfo, withClient, withDatabase, type Orm } from '@jiceng/db';
import { hashPassword, signToken } from '@jiceng/tenancy';
import { test, expect, describe, allEntities, GraphQLClient, TreeBuilder, TEST_JWT_SECRET, TEST_PASSWORDS, type TestApp } from '@jiceng/testkit';
import { CLI, ServiceProcess, waitFor } from './support/service-process.js';

const run = promisify(execFile);
const APPROPRIATE = `mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k) { id } }`;
const UNIT = `query($c: String!) { adminUnit(code: $c) { id name } }`;
let seq = 0;
const key = (s: string) => `${s}-${process.pid}-${++seq}`;

/** The service as `pnpm start` runs it with DATABASE_URL, on this test file's database. */
function startOnTestDatabase(app: TestApp, env: Record<string, string> = {}) {
  return ServiceProcess.start({
    DATABASE_URL: withDatabase(inject('jicengDb').adminUrl, app.db.name),
    JICENG_OWNER_PASSWORD: TEST_PASSWORDS.owner,
    JICENG_API_PASSWORD: TEST_PASSWORDS.api,
    JWT_SECRET: TEST_JWT_SECRET,
    JICENG_DEMO: '0',
    ...env,
  });
}

/** A region with a FINANCE account, built as the owner through orm; the token is signed with secret. */
async function financeWorld(orm: Orm, secret: string) {
  const region = await new TreeBuilder(orm).region();
  const hash = await hashPassword('chaos-test-password');
  const [u] = await inScope(orm, ['cn'], (em) => em.execute<{ id: string }[]>(
    `insert into app_user (username, display_name, password_hash, unit_id, roles) values (?, ?, ?, ?, '{FINANCE}') returning id`,
    [`chaos-${process.pid}-${++seq}`, 'chaos', hash, region.id],
  ));
  const token = await signToken({ jwtKey: new TextEncoder().encode(secret), tokenTtlSeconds: 3600, production: false }, String(u!.id), 1);
  return { region, token };
}

/** A GraphQL POST on a connection of its own, its body sent only in part until finish(). */
function halfPost(port: number, token: string, query: string, variables: Record<string, unknown>) {
  const body = JSON.stringify({ query, variables });
  let req: ReturnType<typeof httpRequest>;
  const answer = new Promise<{ status: number; errors?: any[] }>((ok, fail) => {
    req = httpRequest(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => ok({ status: res.statusCode!, ...JSON.parse(text) }));
      },
    );
    req.on('error', fail);
    req.write(body.slice(0, 10));
  });
  return { answer, finish: () => req.end(body.slice(10)) };
}

describe('signals', { timeout: 120_000 }, () => {
  test('SIGTERM with 20 requests in flight (reads and keyed writes): all 20 complete, new connections are refused, exit 0', async ({ app }) => {
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    const service = await startOnTestDatabase(app, { DB_POOL_MAX: '30' });
    const client = new GraphQLClient(`${service.base}/graphql`, finance.token);
    const regionId = (await client.ok(UNIT, { c: region.code })).adminUnit.id;
    try {
      // 20 requests whose bodies are half sent: the server is handling all of them when the signal comes
      const keys = Array.from({ length: 10 }, () => key('term'));
      const pending = [
        ...keys.map((k) => halfPost(service.port, finance.token, APPROPRIATE, { r: regionId, a: '10.00', k })),
        ...keys.map(() => halfPost(service.port, finance.token, UNIT, { c: region.code })),
      ];
      await waitFor('20 requests in flight', async () => ((await (await fetch(`${service.base}/healthz`)).json()) as any).inFlight === 20);
      service.child.kill('SIGTERM');
      await waitFor('the drain to start', () => service.logged('shutting down'));
      await expect(fetch(`${service.base}/healthz`)).rejects.toThrow(); // no new connections
      for (const p of pending) p.finish();
      const results = await Promise.all(pending.map((p) => p.answer));
      expect(results.map((r) => [r.status, r.errors?.[0]?.extensions?.code ?? 'ok'])).toEqual(results.map(() => [200, 'ok']));
      expect(await service.exited).toEqual({ code: 0, signal: null });
      expect(service.logged('stopped')).toBeTruthy();
      const written = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from transfer where idempotency_key = any(?::text[])`, [`{${keys.join(',')}}`]));
      expect(written[0]!.n).toBe(10);
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  test('a startup failure says its cause', async () => {
    const service = ServiceProcess.start({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', JICENG_DEMO: '0' });
    await expect(service).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('database loss with DATABASE_URL', () => {
  test('when every connection is cut, requests answer SERVICE_UNAVAILABLE (503) or succeed, and the pool reconnects', async ({ app }) => {
    const region = await app.tree.region();
    const user = await app.user(region, ['INSPECTOR']);
    const service = await startOnTestDatabase(app);
    try {
      const client = new GraphQLClient(`${service.base}/graphql`, user.token);
      await Promise.all(Array.from({ length: 6 }, () => client.ok(UNIT, { c: region.code }))); // fills the pool
      await withClient(withDatabase(inject('jicengDb').adminUrl, app.db.name), (admin) =>
        admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and usename = 'jiceng_api'`, [app.db.name]),
      );
      const during = await Promise.all(Array.from({ length: 6 }, () => client.request(UNIT, { c: region.code })));
      for (const r of during) {
        if (r.errors) expect([r.status, r.errors[0]!.extensions!.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
        else expect(r.data.adminUnit.name).toBe(region.unit.name);
      }
      await waitFor('answers again', async () => !(await client.request(UNIT, { c: region.code })).errors);
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});

describe('embedded database', { timeout: 180_000 }, () => {
  test('kill -9 of the service, then a start: the orphaned postmaster is stopped and the service is ready; ledger:check runs beside it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jiceng-chaos-'));
    chmodSync(dataDir, 0o755);
    const env = { JICENG_DATA_DIR: dataDir, JICENG_DEMO: '0', DATABASE_URL: '' };
    try {
      const first = await ServiceProcess.start(env);
      const orphan = postmasterInfo(join(dataDir, 'pg'))!;
      first.child.kill('SIGKILL');
      await first.exited;
      expect(() => process.kill(orphan.pid, 0)).not.toThrow(); // the crash left its database running

      const second = await ServiceProcess.start(env);
      expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
      expect(postmasterInfo(join(dataDir, 'pg'))!.pid).not.toBe(orphan.pid);
      const check = await run(process.execPath, [CLI('ledger-check')], { env: { ...process.env, ...env } });
      expect(check.stdout).toContain('ledger consistent');

      second.child.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
      const pid = postmasterInfo(join(dataDir, 'pg'))?.pid;
      if (pid) expect(() => process.kill(pid, 0)).toThrow(); // nothing outlives the service
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // its own deadlines (a 90 s start, 30 s per wait) decide; the default 60 s is less than their sum and
  // was hit on a loaded 2-core machine (54–62 s) before any of them was
  test('kill -9 of the postmaster under load: requests answer SERVICE_UNAVAILABLE meanwhile, the database is restarted, and no confirmed write is lost', { timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jiceng-chaos-'));
    chmodSync(dataDir, 0o755);
    const env = { JICENG_DATA_DIR: dataDir, JICENG_DEMO: '0', DATABASE_URL: '' };
    const service = await ServiceProcess.start(env);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'));
    const { port } = postmasterInfo(join(dataDir, 'pg'))!;
    const ownerUrl = `postgres://jiceng_owner:${encodeURIComponent(secrets.ownerPassword)}@127.0.0.1:${port}/jiceng`;
    let orm = await createOrm({ url: ownerUrl, entities: allEntities(), poolMax: 2 });
    try {
      const { region, token } = await financeWorld(orm, secrets.jwtSecret);
      await orm.close();
      const client = new GraphQLClient(`${service.base}/graphql`, token);
      const regionId = (await client.ok(UNIT, { c: region.code })).adminUnit.id;
      const confirmed: string[] = [];
      const codes = new Set<string>();
      let stop = false;
      const worker = async () => {
        while (!stop) {
          const k = key('load');
          const r = await client.request(APPROPRIATE, { r: regionId, a: '1.00', k }).catch(() => null);
          if (r && !r.errors) confirmed.push(k);
          else if (r) codes.add(`${r.status} ${r.errors![0]!.extensions!.code}`);
        }
      };
      const load = Promise.all([worker(), worker(), worker(), worker()]);
      await waitFor('writes before the crash', () => confirmed.length >= 10);
      process.kill(postmasterInfo(join(dataDir, 'pg'))!.pid, 'SIGKILL');
      await waitFor('the restart', () => service.logged('database restarted'));
      const after = confirmed.length;
      await waitFor('writes after the restart', () => confirmed.length >= after + 10);
      stop = true;
      await load;
      expect(service.logged('database lost')).toBeTruthy();
      // every failure meanwhile was the retryable one
      expect([...codes].filter((c) => c !== '503 SERVICE_UNAVAILABLE')).toEqual([]);

      const { port: newPort } = postmasterInfo(join(dataDir, 'pg'))!;
      orm = await createOrm({ url: ownerUrl.replace(`:${port}/`, `:${newPort}/`), entities: allEntities(), poolMax: 2 });
      const [row] = await inScope(orm, ['cn'], (em) => em.execute<{ n: number }[]>(
        `select count(*)::int as n from transfer where idempotency_key = any(?::text[])`,
        [`{${confirmed.join(',')}}`],
      ));
      expect(row!.n).toBe(confirmed.length);
      const check = await run(process.execPath, [CLI('ledger-check')], { env: { ...process.env, ...env } });
      expect(check.stdout).toContain('ledger consistent');
    } finally {
      await orm.close().catch(() => undefined);
      service.child.kill('SIGTERM');
      await service.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
