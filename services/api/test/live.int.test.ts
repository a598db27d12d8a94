import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createLogger } from '@jiceng/core';
import { test, expect, describe, unitId, type TestApp } from '@jiceng/testkit';
import { LIGHT_CHANGED_CHANNEL } from '@jiceng/tenancy';
import { buildAppSchema } from '../src/schema.js';
import { createApp, type App } from '../src/server.js';
import { modules } from '../src/modules.js';

const LIGHT = `subscription($u: ID!) { lightChanged(unitId: $u) { village { code name } from to at eventId } }`;

/** Waits until cond() holds, polling, up to a deadline. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Sub {
  events: any[];
  errors: any[];
  completed: boolean;
  closed: { code: number; reason: string } | null;
  client: Client;
}

/** A graphql-ws client that records what it receives (no retries: a close is final). */
function live(httpUrl: string, params: Record<string, unknown> | undefined, query: string, variables: Record<string, unknown>): Sub {
  const sub: Sub = { events: [], errors: [], completed: false, closed: null, client: undefined as unknown as Client };
  sub.client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e: any) => { sub.closed ??= { code: e.code, reason: e.reason }; } },
  });
  sub.client.subscribe({ query, variables }, {
    next: (r) => (r.errors ? sub.errors.push(...r.errors) : sub.events.push(r.data)),
    error: (e: any) => void (Array.isArray(e) ? sub.errors.push(...e) : sub.errors.push(e)),
    complete: () => { sub.completed = true; },
  });
  return sub;
}

const notify = (app: TestApp, village: { id: string; path: string }, to = 'RED', eventId = String(Math.random())) =>
  app.asOwner((em) =>
    em.execute(`select pg_notify(?, ?)`, [LIGHT_CHANGED_CHANNEL, JSON.stringify({ villageId: village.id, path: village.path, from: 'GREEN', to, at: new Date().toISOString(), eventId })]),
  );

async function serve(app: TestApp, recheckMs?: number): Promise<{ app: App; url: string }> {
  const { schema } = await buildAppSchema(modules);
  const server = await createApp({ orm: app.orm, schema, settings: app.settings, log: createLogger('error'), live: { recheckMs } });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  return { app: server, url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/graphql` };
}

async function world(app: TestApp) {
  const county = await (await app.tree.region()).county();
  const t1 = await county.township();
  const t2 = await county.township();
  const v1 = await t1.village();
  const v1b = await t1.village();
  const v2 = await t2.village();
  return { county, t1, t2, v1, v1b, v2 };
}

describe('subscriptions: lightChanged over graphql-ws on /graphql', () => {
  test('the token is checked in connection_init: none or a bad one closes 4401; a good one subscribes', async ({ app }) => {
    const { t1 } = await world(app);
    const user = await app.user(t1, ['ORG_ADMIN']);
    const none = live(app.url, undefined, LIGHT, { u: unitId(t1) });
    const bad = live(app.url, { authorization: 'Bearer not-a-token' }, LIGHT, { u: unitId(t1) });
    await until(() => !!none.closed && !!bad.closed, 'refusals');
    expect([none.closed!.code, bad.closed!.code]).toEqual([4401, 4401]);
    const before = app.app.live.hub.subscribers;
    const good = live(app.url, { token: user.token }, LIGHT, { u: unitId(t1) }); // { token } works as well as { authorization }
    await until(() => app.app.live.hub.subscribers === before + 1, 'the subscription');
    expect(good.closed).toBeNull();
    await good.client.dispose();
  });

  test('scope at subscribe time: a unit outside it is NOT_FOUND; queries, limits and bad ids are refused too', async ({ app }) => {
    const { t1, t2 } = await world(app);
    const user = await app.user(t1, ['ORG_ADMIN']);
    const auth = { authorization: `Bearer ${user.token}` };
    const other = live(app.url, auth, LIGHT, { u: unitId(t2) });
    const query = live(app.url, auth, `query { __typename }`, {});
    const typo = live(app.url, auth, `subscription { lightChanged(unitId: "x") { colour } }`, {});
    const deep = live(app.url, auth, `subscription($u: ID!) { lightChanged(unitId: $u) { village { ${'parent { '.repeat(16)}code${' }'.repeat(16)} } } }`, { u: unitId(t1) });
    const badId = live(app.url, auth, LIGHT, { u: 'nope' });
    await until(() => [other, query, typo, deep, badId].every((s) => s.errors.length > 0), 'refusals');
    expect(other.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(query.errors[0].extensions.code, JSON.stringify(query.errors)).toBe('BAD_USER_INPUT');
    expect([deep.errors[0].extensions.code, deep.errors[0].extensions.limit]).toEqual(['QUERY_TOO_COMPLEX', 'depth']);
    expect(badId.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(typo.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    for (const s of [other, query, typo, deep, badId]) await s.client.dispose();
  });

  test('scope per event (the isolation idea): each subscriber receives its subtree only, village read under its scope', async ({ app }) => {
    const { county, t1, t2, v1, v1b, v2 } = await world(app);
    const reporter = await app.user(v1, ['REPORTER']);
    const township = await app.user(t1, ['ORG_ADMIN']);
    const other = await app.user(t2, ['ORG_ADMIN']);
    const centre = await app.user(county, ['ORG_ADMIN']);
    const before = app.app.live.hub.subscribers;
    const subs = {
      reporter: live(app.url, { token: reporter.token }, LIGHT, { u: unitId(v1) }),
      township: live(app.url, { token: township.token }, LIGHT, { u: unitId(t1) }),
      other: live(app.url, { token: other.token }, LIGHT, { u: unitId(t2) }),
      centre: live(app.url, { token: centre.token }, LIGHT, { u: unitId(county) }),
      // the centre subscribed to one township only: that subtree, though it could see more
      centreT2: live(app.url, { token: centre.token }, LIGHT, { u: unitId(t2) }),
    };
    await until(() => app.app.live.hub.subscribers === before + 5, 'five subscriptions');
    await notify(app, v1b, 'YELLOW', 'e1'); // township 1, not the reporter's village
    await notify(app, v2, 'RED', 'e2'); // township 2
    await notify(app, v1, 'RED', 'e3'); // the reporter's village
    await until(() => subs.reporter.events.length === 1 && subs.township.events.length === 2 && subs.other.events.length === 1 && subs.centre.events.length === 3 && subs.centreT2.events.length === 1, 'deliveries');
    const ids = (s: Sub) => s.events.map((e) => e.lightChanged.eventId);
    expect(ids(subs.reporter)).toEqual(['e3']);
    expect(ids(subs.township)).toEqual(['e1', 'e3']);
    expect(ids(subs.other)).toEqual(['e2']);
    expect(ids(subs.centre)).toEqual(['e1', 'e2', 'e3']);
    expect(ids(subs.centreT2)).toEqual(['e2']);
    expect(subs.reporter.events[0].lightChanged).toMatchObject({ village: { code: v1.code }, from: 'GREEN', to: 'RED' });
    for (const s of Object.values(subs)) expect(s.errors).toEqual([]);
    for (const s of Object.values(subs)) await s.client.dispose();
  });

  test('a scope taken away after subscribing stops the deliveries; a disabled account is closed 4403', async ({ app }) => {
    const { t1, v1 } = await world(app);
    const moved = await app.user(t1, ['ORG_ADMIN']);
    const disabled = await app.user(t1, ['ORG_ADMIN']);
    const witness = await app.user(t1, ['ORG_ADMIN']);
    const { app: fast, url } = await serve(app, 200); // rechecks every 200 ms
    try {
      const a = live(url, { token: moved.token }, LIGHT, { u: unitId(t1) });
      const b = live(url, { token: disabled.token }, LIGHT, { u: unitId(t1) });
      const w = live(url, { token: witness.token }, LIGHT, { u: unitId(t1) });
      await until(() => fast.live.hub.subscribers === 3, 'three subscriptions');
      // moved to another county with the same token version: its scope no longer holds township 1
      const elsewhere = await (await (await app.tree.region()).county()).township();
      await app.asOwner((em) => em.execute('update app_user set unit_id = ? where id = ?', [elsewhere.id, moved.id]));
      await app.asOwner((em) => em.execute('update app_user set disabled = true where id = ?', [disabled.id]));
      await until(() => b.closed !== null, 'the disabled account closed');
      expect(b.closed!.code).toBe(4403);
      await notify(app, v1, 'RED', 'after');
      await until(() => w.events.length === 1, 'the witness served');
      // the same dispatch re-read the moved account first: not delivered to it
      expect(a.events).toEqual([]);
      expect(a.closed).toBeNull();
      await w.client.dispose();
      await a.client.dispose();
    } finally {
      await fast.stop(1000);
    }
  });

  test('two instances on one database both deliver; the listener reconnects; stop completes the subscriptions', async ({ app }) => {
    const { t1, v1 } = await world(app);
    const user = await app.user(t1, ['ORG_ADMIN']);
    const second = await serve(app);
    try {
      const before = app.app.live.hub.subscribers;
      const one = live(app.url, { token: user.token }, LIGHT, { u: unitId(t1) });
      const two = live(second.url, { token: user.token }, LIGHT, { u: unitId(t1) });
      await until(() => app.app.live.hub.subscribers === before + 1 && second.app.live.hub.subscribers === 1, 'both subscribed');
      await notify(app, v1, 'RED', 'both');
      await until(() => one.events.length === 1 && two.events.length === 1, 'both delivered');
      // the second instance's listening connection is cut: it reconnects and listens again
      const pid = second.app.live.listener.pid!;
      await app.orm.em.getConnection().execute('select pg_terminate_backend(?)', [pid]);
      await until(() => second.app.live.listener.pid !== null && second.app.live.listener.pid !== pid, 'the listener back');
      await notify(app, v1, 'YELLOW', 'again');
      await until(() => one.events.length === 2 && two.events.length === 2, 'delivered after the reconnect');
      expect(two.events.map((e) => e.lightChanged.eventId)).toEqual(['both', 'again']);
      // drain: the subscription is completed (graphql-ws complete), then the socket closes
      await second.app.stop(1000);
      await until(() => two.completed && two.closed !== null, 'completed on stop');
      expect(two.closed!.code).toBe(1001);
      expect(second.app.live.listener.pid).toBeNull();
      expect(one.closed).toBeNull();
      await one.client.dispose();
    } finally {
      await second.app.stop(100).catch(() => undefined);
    }
  });
});
