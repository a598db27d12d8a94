import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, type GraphQLInputType, type GraphQLField } from 'graphql';
import { createLogger, today, type Logger } from '@jiceng/core';
import { createOrm, executeBound, inScope, type Orm } from '@jiceng/db';
import { test, expect, describe, allEntities, GraphQLClient, TEST_PASSWORD, unitId, type TestApp } from '@jiceng/testkit';
import { buildAppSchema } from '../src/schema.js';
import { createApp } from '../src/server.js';
import { modules } from '../src/modules.js';

/** A second server over the test database, with its own pool or logger. */
async function serve(app: TestApp, opts: { orm?: Orm; log?: Logger } = {}) {
  const { schema } = await buildAppSchema(modules);
  const server = await createApp({ orm: opts.orm ?? app.orm, schema, settings: app.settings, log: opts.log ?? createLogger('error'), compileAfter: 1 });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  const { port } = server.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return { app: server, base, url: `${base}/graphql`, port };
}

describe('time zone', () => {
  test('by default every session runs in China\'s zone: the database\'s today is core\'s today()', async ({ app }) => {
    const SQL = `select current_setting('TimeZone') as zone, current_date::text as d`;
    const before = today();
    const [api] = await inScope(app.orm, ['cn'], (em) => executeBound<{ zone: string; d: string }>(em, SQL, []));
    const [owner] = await app.asOwner((em) => executeBound<{ zone: string; d: string }>(em, SQL, []));
    expect([api!.zone, owner!.zone]).toEqual(['Asia/Shanghai', 'Asia/Shanghai']);
    expect([before, today()]).toContain(api!.d);
  });
});

describe('health', () => {
  test('healthz says the process is up, readyz that the database answers; unknown paths are 404', async ({ app }) => {
    const base = app.url.replace('/graphql', '');
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok', inFlight: 0 }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const bad = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect([bad.status, ((await bad.json()) as any).errors[0].extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
  });

  test('readyz is 503 when the database cannot be reached, while healthz stays 200', async ({ app }) => {
    const orm = await createOrm({ url: app.db.apiUrl.replace(/:\d+\//, ':1/'), entities: allEntities(), poolMax: 1 });
    const s = await serve(app, { orm });
    try {
      const ready = await fetch(`${s.base}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([503, { status: 'database unreachable' }]);
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    } finally {
      await s.app.stop();
      await orm.close();
    }
  });
});

describe('graceful shutdown', () => {
  test('a request in flight when stop() is called still gets its answer; new connections are refused', async ({ app }) => {
    const region = await app.tree.region();
    const user = await app.user(region, ['INSPECTOR']);
    const s = await serve(app);
    const body = JSON.stringify({ query: `query($c: String!) { adminUnit(code: $c) { name } }`, variables: { c: region.code } });
    let answer: Promise<{ status: number; body: any }>;
    const sent = new Promise<void>((started) => {
      answer = new Promise((ok, fail) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: s.port,
            path: '/graphql',
            method: 'POST',
            agent: false,
            // an idle keep-alive connection would hold stop() until keepAliveTimeout; this test is about the request
            headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${user.token}` },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => ok({ status: res.statusCode!, body: JSON.parse(text) }));
          },
        );
        req.on('error', fail);
        // half the body now: the server is reading this request when stop() comes
        req.write(body.slice(0, 20));
        req.flushHeaders();
        setTimeout(() => {
          started();
          setTimeout(() => req.end(body.slice(20)), 150);
        }, 100);
      });
    });
    await sent;
    let stopped = false;
    const stopping = s.app.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false); // waits for the request in flight
    await expect(fetch(`${s.base}/healthz`)).rejects.toThrow(); // no longer accepting
    expect(await answer!).toEqual({ status: 200, body: { data: { adminUnit: { name: region.unit.name } } } });
    await stopping;
    expect(stopped).toBe(true);
  });
});

/** A value of the right shape for an argument, so a request reaches the shield rule of its field. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  }
  const scalar: Record<string, unknown> = { Int: 1, Float: 1, Boolean: true, ID: 'QWRtaW5Vbml0OjE', String: 'x', Money: '1.00', Date: '2026-01-01', LocalDate: '2026-01-01' };
  return scalar[getNamedType(type).name] ?? 'x';
}

function anonymousRequest(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
  const args = field.args;
  const vars = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  const query = `${kind}${vars ? ` (${vars})` : ''} { ${field.name}${call}${selection} }`;
  const variables = Object.fromEntries(args.filter((a) => isNonNullType(a.type)).map((a) => [a.name, sample(a.type)]));
  return { query, variables };
}

describe('authentication', () => {
  test('every query and mutation but login answers an anonymous caller with UNAUTHENTICATED', async ({ app }) => {
    const { bare } = await buildAppSchema(modules);
    const roots = [['query', bare.getQueryType()!], ['mutation', bare.getMutationType()!]] as const;
    const answers: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [kind, root] of roots) {
      for (const field of Object.values(root.getFields())) {
        if (field.name === 'login') continue;
        const { query, variables } = anonymousRequest(kind, field);
        const r = await app.anonymous.request(query, variables);
        answers[`${root.name}.${field.name}`] = r.errors?.map((e) => e.extensions?.code).join(',') ?? `data: ${JSON.stringify(r.data)}`;
        expected[`${root.name}.${field.name}`] = 'UNAUTHENTICATED';
      }
    }
    expect(Object.keys(answers).length).toBeGreaterThan(10);
    expect(answers).toEqual(expected);
    // the same with a token that does not check out
    await new GraphQLClient(app.url, 'not-a-token').fails('UNAUTHENTICATED', '{ me { user { id } } }');
    await new GraphQLClient(app.url, app.anonymous.token).fails('UNAUTHENTICATED', '{ me { user { id } } }');
  });
});

describe('logs', () => {
  test('passwords, tokens and hashes never appear in the logs, whatever happens', async ({ app }) => {
    const lines: string[] = [];
    const s = await serve(app, { log: createLogger('debug', { service: 'test' }, (l) => lines.push(l)) });
    const anon = new GraphQLClient(s.url);
    const region = await app.tree.region();
    const admin = await app.user(region, ['ORG_ADMIN']);
    const secrets = [TEST_PASSWORD, 'wrong-password-1234', 'brand-new-password-5678', 'created-user-password-90', admin.token];
    const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
    await anon.fails('UNAUTHENTICATED', LOGIN, { u: admin.username, p: 'wrong-password-1234' });
    const token = (await anon.ok(LOGIN, { u: admin.username, p: TEST_PASSWORD })).login.token as string;
    secrets.push(token);
    const client = new GraphQLClient(s.url, token);
    await client.ok(`{ me { user { username } } }`);
    await new GraphQLClient(s.url, `${token}x`).fails('UNAUTHENTICATED', `{ me { user { username } } }`);
    const township = await region.county();
    await client.ok(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { username: `log-${process.pid}`, displayName: 'x', password: 'created-user-password-90', unitId: unitId(township), roles: ['REPORTER'] },
    });
    // an unexpected failure is logged with its error, still without the secrets of the request
    await client.request(`query($c: String!, $q: String!) { adminUnit(code: $c) { search(name: $q) { edges { node { id } } } } }`, { c: region.code, q: `brand-new-password-5678\u0000` });
    await client.ok(`mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "brand-new-password-5678") }`, { c: TEST_PASSWORD });
    await s.app.stop();

    expect(lines.length).toBeGreaterThan(5);
    const log = lines.join('\n');
    for (const secret of secrets) expect(log).not.toContain(secret);
    for (const part of token.split('.')) expect(log).not.toContain(part);
    expect(log).not.toMatch(/\$argon2|Bearer/);
    // every line is one JSON object; every request line has its request id
    for (const line of lines) {
      const entry = JSON.parse(line);
      if (entry.msg === 'request') expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(log).toContain(admin.username); // the logs are still useful
  });
});

describe('a server on a pool of ONE connection', () => {
  test('alternating callers of different tenants, with failures in between, never see each other', async ({ app }) => {
    const region = await app.tree.region();
    const a = await region.county();
    const b = await region.county();
    const aVillage = await (await a.township()).village();
    const bVillage = await (await b.township()).village();
    const orm = await createOrm({ url: app.db.apiUrl, entities: allEntities(), poolMax: 1 });
    const s = await serve(app, { orm });
    try {
      const callers = [
        { own: a, other: bVillage, client: new GraphQLClient(s.url, (await app.user(a, ['INSPECTOR'])).token) },
        { own: b, other: aVillage, client: new GraphQLClient(s.url, (await app.user(b, ['FINANCE'])).token) },
      ];
      const Q = `query($own: String!, $other: String!) { own: adminUnit(code: $own) { search(name: "测试") { edges { node { code } } } } other: adminUnit(code: $other) { code } }`;
      const bad = new GraphQLClient(s.url, 'not-a-token');
      for (let i = 0; i < 120; i++) {
        const c = callers[i % 2]!;
        if (i % 10 === 5) {
          await bad.fails('UNAUTHENTICATED', Q, { own: c.own.code, other: c.other.code });
          await c.client.fails('FORBIDDEN', `mutation { importAdminUnits(csv: "") { inserted } }`);
          // a statement the database refuses, which aborts that request's transaction
          expect((await c.client.request(`query($c: String!) { adminUnit(code: $c) { search(name: "a\\u0000") { edges { node { code } } } } }`, { c: c.own.code })).errors).toBeDefined();
        }
        const r = await c.client.ok(Q, { own: c.own.code, other: c.other.code });
        expect(r.other).toBeNull();
        const codes = r.own.search.edges.map((e: any) => e.node.code);
        expect(codes).toHaveLength(2); // its township and village
        expect(codes).not.toContain(c.other.code);
      }
    } finally {
      await s.app.stop();
      await orm.close();
    }
  });
});
