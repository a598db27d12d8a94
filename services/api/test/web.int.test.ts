import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createLogger } from '@jiceng/core';
import { test, expect, describe, unitId, TEST_PASSWORD, type TestApp } from '@jiceng/testkit';
import { LIGHT_CHANGED_CHANNEL } from '@jiceng/tenancy';
import { buildAppSchema } from '../src/schema.js';
import { createApp, type App } from '../src/server.js';
import { modules } from '../src/modules.js';

// The web board's server side (docs/web.md): static files with their headers, the sign-in cookie, and the
// cookie accepted by /graphql and the graphql-ws upgrade — never from another site.

/** A board build of two files, and a server that serves it. */
async function serve(app: TestApp): Promise<{ app: App; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jiceng-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body></body></html>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  const { schema } = await buildAppSchema(modules);
  const server = await createApp({ orm: app.orm, schema, settings: app.settings, log: createLogger('error'), webDir: dir, live: { recheckMs: 200 } });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  return { app: server, base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}

/** Runs fn against its own server, stopped afterwards. */
async function withServer(app: TestApp, fn: (s: { app: App; base: string }) => Promise<void>): Promise<void> {
  const s = await serve(app);
  try {
    await fn(s);
  } finally {
    await s.app.stop(1000);
  }
}

const html = { accept: 'text/html,application/xhtml+xml' };

/** Waits until cond() holds, polling, up to a deadline. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function signIn(base: string, username: string, password = TEST_PASSWORD, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  return { res, body: (await res.json()) as any, cookie: res.headers.get('set-cookie') };
}

const gql = (base: string, cookie: string, query: string, variables: Record<string, unknown> = {}) =>
  fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ query, variables }) }).then(
    (r) => r.json() as Promise<any>,
  );

/** A graphql-ws subscription whose handshake carries a cookie and an Origin, as a browser's would. */
function liveWithCookie(base: string, cookie: string, origin: string | undefined, unit: string) {
  const headers: Record<string, string> = { cookie, ...(origin ? { origin } : {}) };
  class BrowserLike extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const sub = { events: [] as any[], closed: null as number | null };
  const client = createClient({
    url: `${base.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: BrowserLike,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (e: any) => {
        sub.closed ??= e.code;
      },
    },
  });
  client.subscribe(
    { query: 'subscription($u: ID!) { lightChanged(unitId: $u) { eventId to } }', variables: { u: unit } },
    {
      next: (r) => void sub.events.push(r.data),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return { sub, client };
}

describe('the web board is served by the API', () => {
  test('the page at / and at every client route, hashed assets cached for good, the security headers; API paths stay 404', async ({ app }) =>
    withServer(app, async (s) => {
      for (const path of ['/', '/login', '/board/150429000000', '/village/150429100201']) {
        const r = await fetch(`${s.base}${path}`, { headers: html });
        expect([path, r.status, r.headers.get('content-type'), r.headers.get('cache-control')]).toEqual([path, 200, 'text/html; charset=utf-8', 'no-cache']);
        expect(await r.text()).toContain('/assets/app-abc123.js');
        const csp = r.headers.get('content-security-policy')!;
        for (const d of [
          "script-src 'self'",
          "frame-ancestors 'none'",
          "object-src 'none'",
          "base-uri 'self'",
          `connect-src 'self' ws://${new URL(s.base).host}`,
        ])
          expect(csp).toContain(d);
        expect(csp).not.toMatch(/script-src[^;]*unsafe/);
        expect([r.headers.get('x-content-type-options'), r.headers.get('referrer-policy')]).toEqual(['nosniff', 'same-origin']);
      }
      const asset = await fetch(`${s.base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect([asset.status, asset.headers.get('cache-control'), asset.headers.get('content-type')]).toEqual([
        200,
        'public, max-age=31536000, immutable',
        'text/javascript; charset=utf-8',
      ]);
      expect(await asset.text()).toContain('xxxx');
      const etag = asset.headers.get('etag')!;
      expect((await fetch(`${s.base}/assets/app-abc123.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
      // not the page: a missing asset, a program's request, the API's own paths, a way out of the build
      expect((await fetch(`${s.base}/assets/missing.js`, { headers: html })).status).toBe(404);
      expect((await fetch(`${s.base}/board/150429000000`)).status).toBe(404);
      expect((await fetch(`${s.base}/graphql/x`, { headers: html })).status).toBe(404);
      expect((await fetch(`${s.base}/%2e%2e/package.json`)).status).toBe(404);
      expect((await fetch(`${s.base}/..%2f..%2fpackage.json`)).status).toBe(404);
    }));

  test('POST /session sets an HttpOnly SameSite=Strict cookie that /graphql accepts; DELETE /session ends the session everywhere', async ({ app }) =>
    withServer(app, async (s) => {
      const county = await (await app.tree.region()).county();
      const user = await app.user(county, ['ORG_ADMIN']);
      const { res, body, cookie } = await signIn(s.base, user.username);
      expect([res.status, body.data.user.username]).toEqual([200, user.username]);
      expect(body.data.user.token).toBeUndefined();
      expect(cookie).toMatch(/^jiceng_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
      const jar = cookie!.split(';')[0]!;
      expect((await gql(s.base, jar, '{ me { user { username } unit { code } } }')).data.me).toEqual({
        user: { username: user.username },
        unit: { code: county.unit.code },
      });
      // the bearer header wins over the cookie
      const other = await app.user(county, ['FINANCE']);
      const both = await fetch(`${s.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar, authorization: `Bearer ${other.token}` },
        body: JSON.stringify({ query: '{ me { user { username } } }' }),
      });
      expect(((await both.json()) as any).data.me.user.username).toBe(other.username);

      const out = await fetch(`${s.base}/session`, { method: 'DELETE', headers: { cookie: jar } });
      expect([out.status, out.headers.get('set-cookie')]).toEqual([200, 'jiceng_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0']);
      // the token is refused from now on, wherever it is presented
      expect((await gql(s.base, jar, '{ me { user { username } } }')).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      // signing out again, or with a dead cookie, is harmless; a new sign-in works
      expect((await fetch(`${s.base}/session`, { method: 'DELETE', headers: { cookie: jar } })).status).toBe(200);
      expect((await signIn(s.base, user.username)).res.status).toBe(200);
    }));

  test('POST /session: wrong passwords are UNAUTHENTICATED and throttled as on /graphql; missing fields are named; no cookie is set', async ({ app }) =>
    withServer(app, async (s) => {
      const user = await app.user(await app.tree.region(), ['ORG_ADMIN']);
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await signIn(s.base, user.username, 'wrong-password-123');
        expect(r.cookie).toBeNull();
        codes.push(r.body.errors[0].extensions.code);
      }
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_ATTEMPTS']);
      // the right password is held back too while the throttle holds
      expect((await signIn(s.base, user.username)).body.errors[0].extensions.code).toBe('TOO_MANY_ATTEMPTS');
      const missing = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'x' }),
      });
      expect(((await missing.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
      const form = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=a&password=b',
      });
      expect(form.status).toBe(415);
      const crossSite = await signIn(s.base, user.username, TEST_PASSWORD, { origin: 'https://evil.example' });
      expect([crossSite.res.status, crossSite.cookie]).toEqual([403, null]);
    }));

  test('CSRF stays on for /graphql: a cross-site form POST carrying the cookie is refused and changes nothing', async ({ app }) =>
    withServer(app, async (s) => {
      const county = await (await app.tree.region()).county();
      const user = await app.user(county, ['ORG_ADMIN']);
      const jar = (await signIn(s.base, user.username)).cookie!.split(';')[0]!;
      const mutation = `mutation { changePassword(currentPassword: "${TEST_PASSWORD}", newPassword: "an-attacker-password-1") }`;
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const r = await fetch(`${s.base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': type, cookie: jar, origin: 'https://evil.example' },
          body: `query=${encodeURIComponent(mutation)}`,
        });
        expect([type, r.status]).toEqual([type, 415]);
      }
      // a simple GET (an <img> or a link) cannot run a mutation, nor a query without the preflight header
      const get = await fetch(`${s.base}/graphql?query=${encodeURIComponent(mutation)}`, { headers: { cookie: jar } });
      expect(((await get.json()) as any).data?.changePassword).toBeUndefined();
      const read = await fetch(`${s.base}/graphql?query=${encodeURIComponent('{ me { user { username } } }')}`, { headers: { cookie: jar } });
      expect(read.status).toBe(400);
      expect((await gql(s.base, jar, '{ me { user { username } } }')).data.me.user.username).toBe(user.username);
    }));

  test('graphql-ws takes the session cookie from a page of this site only (cross-site WebSocket hijacking)', async ({ app }) =>
    withServer(app, async (s) => {
      const clients: { dispose(): void | Promise<void> }[] = [];
      try {
        const county = await (await app.tree.region()).county();
        const village = await (await county.township()).village();
        const user = await app.user(county, ['ORG_ADMIN']);
        const jar = (await signIn(s.base, user.username)).cookie!.split(';')[0]!;
        const host = new URL(s.base).host;
        const good = liveWithCookie(s.base, jar, `http://${host}`, unitId(county));
        const foreign = liveWithCookie(s.base, jar, 'https://evil.example', unitId(county));
        const noOrigin = liveWithCookie(s.base, jar, undefined, unitId(county));
        clients.push(good.client, foreign.client, noOrigin.client);
        await until(() => foreign.sub.closed !== null && noOrigin.sub.closed !== null, 'the refusals');
        expect([foreign.sub.closed, noOrigin.sub.closed]).toEqual([4401, 4401]);
        await until(() => s.app.live.hub.subscribers > 0, 'the subscription');
        const notify = () =>
          app.asOwner((em) =>
            em.execute(`select pg_notify(?, ?)`, [
              LIGHT_CHANGED_CHANNEL,
              JSON.stringify({
                villageId: village.unit.id,
                path: village.unit.path,
                from: 'GREEN',
                to: 'YELLOW',
                at: new Date().toISOString(),
                eventId: String(Math.random()),
              }),
            ]),
          );
        await notify();
        await until(() => good.sub.events.length === 1, 'the event');
        expect(good.sub.events[0].lightChanged.to).toBe('YELLOW');
        // signing out closes the socket the cookie opened
        await fetch(`${s.base}/session`, { method: 'DELETE', headers: { cookie: jar } });
        await until(() => good.sub.closed !== null, 'the close after sign-out');
        expect(good.sub.closed).toBe(4403);
      } finally {
        for (const c of clients) await c.dispose();
      }
    }));
});
