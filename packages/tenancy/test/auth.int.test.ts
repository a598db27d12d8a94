import { test, expect, GraphQLClient, TEST_PASSWORD } from '@jiceng/testkit';
import { signToken } from '../src/auth.service.js';

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }`;
const ME = `{ me { user { username roles } unit { code name } scope { code } actions } }`;

test('login returns a token that authenticates me', async ({ app }) => {
  const region = await app.tree.region();
  const admin = await app.user(region, ['ORG_ADMIN']);
  const r = await app.anonymous.ok(LOGIN, { u: admin.username, p: TEST_PASSWORD });
  expect(r.login.user.username).toBe(admin.username);
  const me = await new GraphQLClient(app.url, r.login.token).ok(ME);
  expect(me.me.unit.code).toBe(region.code);
  expect(me.me.scope.map((u: any) => u.code)).toEqual([region.code]);
  expect(me.me.actions).toContain('user:manage');
});

test("me lists the roots of the caller's scope: the country for the platform, none for an unpaired partner", async ({ app }) => {
  const region = await app.tree.region();
  const village = await (await (await region.county()).township()).village();
  const platform = await app.user(village, ['PLATFORM_ADMIN']);
  expect((await platform.client.ok(ME)).me.scope.map((u: any) => u.code)).toEqual(['000000000000']);

  const partner = await app.user(village, ['ENTERPRISE']);
  const me = (await partner.client.ok(ME)).me;
  // their own account and home unit, but nothing in scope until a pairing exists
  expect(me).toMatchObject({ user: { username: partner.username, roles: ['ENTERPRISE'] }, unit: { code: village.code }, scope: [] });
  expect(me.actions).not.toContain('user:read');
});

test('a wrong password, an unknown account and a disabled account fail the same way', async ({ app }) => {
  const region = await app.tree.region();
  const user = await app.user(region, ['INSPECTOR']);
  const disabled = await app.user(region, ['INSPECTOR']);
  await app.asOwner((em) => em.execute(`update app_user set disabled = true where id = ?`, [disabled.id]));
  const a = await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: user.username, p: 'wrong-password' });
  const b = await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: 'nobody-here', p: 'wrong-password' });
  const c = await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: disabled.username, p: TEST_PASSWORD });
  expect(new Set([a.message, b.message, c.message]).size).toBe(1);
  const empty = await app.anonymous.fails('BAD_USER_INPUT', LOGIN, { u: '', p: 'x' });
  expect(empty.extensions?.field).toBe('username');
});

test('a token accepted before is refused once it expires, and at once when its account is revoked', async ({ app }) => {
  const region = await app.tree.region();
  const user = await app.user(region, ['INSPECTOR']);
  const short = await signToken({ ...app.settings, tokenTtlSeconds: 1 }, user.id, 1);
  const client = new GraphQLClient(app.url, short);
  // accepted (and its signature remembered), then refused after its expiry however often it was used
  expect((await client.ok(ME)).me.user.username).toBe(user.username);
  const deadline = Date.now() + 10_000;
  let refused: any = null;
  while (!refused && Date.now() < deadline) {
    const r = await client.request(ME);
    if (r.errors) refused = r.errors[0];
    else await new Promise((ok) => setTimeout(ok, 25));
  }
  expect(refused?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await client.request(ME)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

  // a remembered token of a revoked session (token version bumped) is refused on the next request
  expect((await user.client.ok(ME)).me.user.username).toBe(user.username);
  await app.asOwner((em) => em.execute(`update app_user set token_version = token_version + 1 where id = ?`, [user.id]));
  await user.client.fails('UNAUTHENTICATED', ME);
});
