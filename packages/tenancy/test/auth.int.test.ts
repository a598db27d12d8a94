import { test, expect, TEST_PASSWORD } from '@jiceng/testkit';

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }`;
const ME = `{ me { user { username roles } unit { code name } scope { code } actions } }`;

test('login returns a token that authenticates me', async ({ app }) => {
  const region = await app.tree.region();
  const admin = await app.user(region, ['ORG_ADMIN']);
  const r = await app.anonymous.ok(LOGIN, { u: admin.username, p: TEST_PASSWORD });
  expect(r.login.user.username).toBe(admin.username);
  const { GraphQLClient } = await import('@jiceng/testkit');
  const me = await new GraphQLClient(app.url, r.login.token).ok(ME);
  expect(me.me.unit.code).toBe(region.code);
  expect(me.me.scope.map((u: any) => u.code)).toEqual([region.code]);
  expect(me.me.actions).toContain('user:manage');
});

test('a wrong password and an unknown account fail the same way', async ({ app }) => {
  const region = await app.tree.region();
  const admin = await app.user(region, ['INSPECTOR']);
  const a = await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: admin.username, p: 'wrong-password' });
  const b = await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: 'nobody-here', p: 'wrong-password' });
  expect(a.message).toBe(b.message);
});
