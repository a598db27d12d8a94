import type { AddressInfo } from 'node:net';
import { createLogger } from '@jiceng/core';
import { createOrm } from '@jiceng/db';
import { test, expect, GraphQLClient } from '@jiceng/testkit';
import { allEntities } from '../src/boot.js';
import { buildAppSchema } from '../src/schema.js';
import { createApp } from '../src/server.js';
import { modules } from '../src/modules.js';
import { resolveLimits, sessionTimeoutsFor } from '../src/limits.js';

// What one request costs beyond its own reads (docs/operations.md, "Execution overhead").

test('a signed-in read sends BEGIN, the account read (which sets the scope), its own statement and COMMIT: nothing else', async ({ app }) => {
  const region = await app.tree.region();
  const u = await app.user(region, ['INSPECTOR']);
  const Q = `query($c: String!) { adminUnit(code: $c) { id code name level } }`;
  await u.client.ok(Q, { c: region.code }); // the token's signature is remembered from here on
  app.sqlCount = 0;
  expect((await u.client.ok(Q, { c: region.code })).adminUnit.code).toBe(region.code);
  expect(app.sqlCount).toBe(4);
  // anonymous: BEGIN, the empty scope, COMMIT
  app.sqlCount = 0;
  await app.anonymous.fails('UNAUTHENTICATED', Q, { c: region.code });
  expect(app.sqlCount).toBe(3);
});

test("the pool's sessions start with the default request timeouts, so the request sets none", async ({ app }) => {
  const [row] = await app.orm.em.fork().getConnection().execute<{ s: string; i: string }[]>(
    `select current_setting('statement_timeout') as s, current_setting('idle_in_transaction_session_timeout') as i`,
  );
  expect(row).toEqual({ s: '10s', i: '15s' });
});

test("a statement past the pool sessions' own statement_timeout is TIMEOUT, with no statement setting it", async ({ app }) => {
  const region = await app.tree.region();
  const finance = await app.user(region, ['FINANCE']);
  const limits = resolveLimits({ statementTimeoutMs: 200 });
  const statements: string[] = [];
  const orm = await createOrm({
    url: app.db.apiUrl, entities: allEntities(), poolMax: 2, sessionTimeouts: sessionTimeoutsFor(limits), debug: true,
    logger: (m) => { if (/\[query\]/.test(m)) statements.push(m); },
  });
  const server = await createApp({ orm, schema: (await buildAppSchema(modules)).schema, settings: app.settings, log: createLogger('error'), limits });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  const client = new GraphQLClient(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/graphql`, finance.token);
  const lock = app.ownerOrm.em.fork();
  await lock.begin();
  await lock.execute('lock table transfer in access exclusive mode');
  try {
    const t = performance.now();
    const r = await client.request(`{ adminUnit(code: "${region.code}") { transfers(first: 5) { edges { node { id } } } } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'TIMEOUT', limit: 'statementTimeoutMs' });
    expect(performance.now() - t).toBeLessThan(3000);
    // the request ran without a statement of its own setting its timeouts
    expect(statements.length).toBeGreaterThan(2);
    expect(statements.filter((m) => /statement_timeout/.test(m))).toEqual([]);
  } finally {
    await lock.rollback();
    await server.stop(1000);
    await orm.close();
  }
});

test('a query that passed its limits once is not walked again, but other variables are checked anew', async ({ app }) => {
  const region = await app.tree.region();
  const u = await app.user(region, ['INSPECTOR']);
  const Q = `query($c: String!, $n: Int) { adminUnit(code: $c) { children(first: $n) { edges { node { code children(first: $n) { edges { node { code } } } } } } } }`;
  for (let i = 0; i < 2; i++) {
    await u.client.ok(Q, { c: region.code, n: 10 });
    const refused = await u.client.fails('QUERY_TOO_COMPLEX', Q, { c: region.code, n: 1000 });
    expect(refused.extensions).toMatchObject({ limit: 'cost' });
  }
});
