import { SignJWT } from 'jose';
import { test, expect, describe, GraphQLClient, TEST_JWT_SECRET, TEST_PASSWORD, unitId, userGlobalId, type TestApp } from '@jiceng/testkit';

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username roles disabled unit { code } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id displayName roles unit { code } } }`;
const DISABLE = `mutation($id: ID!) { disableUser(id: $id) { disabled } }`;
const ENABLE = `mutation($id: ID!) { enableUser(id: $id) { disabled } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const ME = `{ me { user { id username roles } } }`;

let n = 0;
const newAccount = (unit: { id: string }, roles: string[]) => ({
  username: `acct-${process.pid}-${++n}`,
  displayName: '张三',
  password: 'a-long-password',
  unitId: unitId(unit),
  roles,
});

async function roleOf(app: TestApp, id: string) {
  const [r] = await app.asOwner((em) => em.execute<{ roles: string[]; unit_id: string; disabled: boolean }[]>(`select roles, unit_id::text, disabled from app_user where id = ?`, [id]));
  return r!;
}

/** A county with two townships, a sibling county, and an ORG_ADMIN at the county. */
async function county(app: TestApp) {
  const region = await app.tree.region();
  const home = await region.county();
  const township = await home.township();
  const township2 = await home.township();
  const sibling = await region.county();
  const admin = await app.user(home, ['ORG_ADMIN']);
  return { region, home, township, township2, sibling, admin };
}

const login = (app: TestApp, username: string, password: string) => app.anonymous.request(LOGIN, { u: username, p: password });
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code ?? 'ok';

describe('an ORG_ADMIN manages accounts only inside their subtree', () => {
  test('creates accounts at their unit and below, and the new account can sign in', async ({ app }) => {
    const w = await county(app);
    const atHome = await w.admin.client.ok(CREATE, { input: newAccount(w.home, ['FINANCE']) });
    expect(atHome.createUser).toMatchObject({ roles: ['FINANCE'], disabled: false, unit: { code: w.home.code } });
    const below = newAccount(w.township, ['ORG_ADMIN', 'REPORTER']);
    await w.admin.client.ok(CREATE, { input: below });
    expect(code(await login(app, below.username, below.password))).toBe('ok');
    // outside: looks like a unit that does not exist
    const outside = await w.admin.client.fails('NOT_FOUND', CREATE, { input: newAccount(w.sibling, ['REPORTER']) });
    const missing = await w.admin.client.fails('NOT_FOUND', CREATE, { input: newAccount({ id: '900000000000000001' }, ['REPORTER']) });
    expect(outside.message).toBe(missing.message);
  });

  test('changes and disables accounts inside, never outside, and never moves one out of the subtree', async ({ app }) => {
    const w = await county(app);
    const inside = await app.user(w.township, ['REPORTER']);
    const outside = await app.user(w.sibling, ['REPORTER']);
    const changed = await w.admin.client.ok(UPDATE, { id: userGlobalId(inside.id), input: { displayName: '李四', roles: ['INSPECTOR'], unitId: unitId(w.township2) } });
    expect(changed.updateUser).toMatchObject({ displayName: '李四', roles: ['INSPECTOR'], unit: { code: w.township2.code } });
    await w.admin.client.fails('NOT_FOUND', UPDATE, { id: userGlobalId(inside.id), input: { unitId: unitId(w.sibling) } });
    await w.admin.client.fails('NOT_FOUND', UPDATE, { id: userGlobalId(outside.id), input: { displayName: 'x' } });
    await w.admin.client.fails('NOT_FOUND', DISABLE, { id: userGlobalId(outside.id) });
    await w.admin.client.fails('NOT_FOUND', ENABLE, { id: userGlobalId(outside.id) });
    expect(await roleOf(app, inside.id)).toEqual({ roles: ['INSPECTOR'], unit_id: w.township2.id, disabled: false });
    expect(await roleOf(app, outside.id)).toEqual({ roles: ['REPORTER'], unit_id: w.sibling.id, disabled: false });
  });

  test('bad input names the field and writes nothing', async ({ app }) => {
    const w = await county(app);
    const cases: [Record<string, unknown>, string][] = [
      [{ username: 'A' }, 'username'],
      [{ username: 'has space' }, 'username'],
      [{ displayName: '  ' }, 'displayName'],
      [{ password: 'short' }, 'password'],
      [{ roles: [] }, 'roles'],
      [{ roles: ['KING'] }, 'roles'],
      [{ unitId: 'not-an-id' }, 'unitId'],
      [{ unitId: userGlobalId(w.admin.id) }, 'unitId'],
    ];
    for (const [patch, field] of cases) {
      const input = { ...newAccount(w.township, ['REPORTER']), ...patch };
      const e = await w.admin.client.fails('BAD_USER_INPUT', CREATE, { input });
      expect(e.extensions?.field, JSON.stringify(patch)).toBe(field);
    }
    const [count] = await app.asOwner((em) => em.execute<{ n: number }[]>(`select count(*)::int as n from app_user where unit_id = ?`, [w.township.id]));
    expect(count!.n).toBe(0);
  });
});

describe('grants: only grantable roles, and nobody raises their own rights', () => {
  test('an ORG_ADMIN grants no PLATFORM_ADMIN, and admin roles only strictly below their unit', async ({ app }) => {
    const w = await county(app);
    await w.admin.client.fails('FORBIDDEN', CREATE, { input: newAccount(w.township, ['PLATFORM_ADMIN']) });
    await w.admin.client.fails('FORBIDDEN', CREATE, { input: newAccount(w.home, ['ORG_ADMIN']) });
    await w.admin.client.ok(CREATE, { input: newAccount(w.township, ['ORG_ADMIN']) });
    const reporter = await app.user(w.township, ['REPORTER']);
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: userGlobalId(reporter.id), input: { roles: ['REPORTER', 'PLATFORM_ADMIN'] } });
    // an admin below cannot be made a peer by moving them up to the granter's unit
    const below = await app.user(w.township, ['ORG_ADMIN']);
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: userGlobalId(below.id), input: { unitId: unitId(w.home) } });
    expect((await roleOf(app, reporter.id)).roles).toEqual(['REPORTER']);
    expect((await roleOf(app, below.id)).unit_id).toBe(w.township.id);
    // the platform grants anything, anywhere
    const platform = await app.user(w.region, ['PLATFORM_ADMIN']);
    await platform.client.ok(CREATE, { input: newAccount(w.sibling, ['PLATFORM_ADMIN']) });
  });

  test('nobody changes their own roles, unit or status; a name is fine', async ({ app }) => {
    const w = await county(app);
    const self = userGlobalId(w.admin.id);
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: self, input: { roles: ['ORG_ADMIN', 'FINANCE'] } });
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: self, input: { roles: ['ORG_ADMIN'] } });
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: self, input: { unitId: unitId(w.township) } });
    await w.admin.client.fails('FORBIDDEN', DISABLE, { id: self });
    await w.admin.client.fails('FORBIDDEN', ENABLE, { id: self });
    await w.admin.client.ok(UPDATE, { id: self, input: { displayName: '王五' } });
    expect(await roleOf(app, w.admin.id)).toEqual({ roles: ['ORG_ADMIN'], unit_id: w.home.id, disabled: false });
    // the platform admin is no exception
    const platform = await app.user(w.region, ['PLATFORM_ADMIN']);
    await platform.client.fails('FORBIDDEN', UPDATE, { id: userGlobalId(platform.id), input: { roles: ['PLATFORM_ADMIN', 'FINANCE'] } });
  });

  test('a peer admin at the same unit, a superior, and a platform admin below are out of reach', async ({ app }) => {
    const w = await county(app);
    const peer = await app.user(w.home, ['ORG_ADMIN']);
    for (const [q, input] of [[UPDATE, { roles: ['REPORTER'] }], [UPDATE, { displayName: 'x' }], [DISABLE], [ENABLE]] as const) {
      await w.admin.client.fails('FORBIDDEN', q, { id: userGlobalId(peer.id), ...(input ? { input } : {}) });
    }
    // an admin the county admin made below cannot touch the county admin (outside their subtree)
    const below = await app.user(w.township, ['ORG_ADMIN']);
    await below.client.fails('NOT_FOUND', DISABLE, { id: userGlobalId(w.admin.id) });
    // a platform admin homed inside the county is not the county admin's to change
    const platform = await app.user(w.township, ['PLATFORM_ADMIN']);
    await w.admin.client.fails('FORBIDDEN', DISABLE, { id: userGlobalId(platform.id) });
    await w.admin.client.fails('FORBIDDEN', UPDATE, { id: userGlobalId(platform.id), input: { roles: ['REPORTER'] } });
    expect((await roleOf(app, peer.id)).disabled).toBe(false);
    expect((await roleOf(app, platform.id)).roles).toEqual(['PLATFORM_ADMIN']);
  });
});

describe('sessions', () => {
  async function signedIn(app: TestApp, w: Awaited<ReturnType<typeof county>>) {
    const body = newAccount(w.township, ['REPORTER']);
    const made = await w.admin.client.ok(CREATE, { input: body });
    const token = (await app.anonymous.ok(LOGIN, { u: body.username, p: body.password })).login.token;
    return { id: made.createUser.id as string, body, client: new GraphQLClient(app.url, token) };
  }

  test("a disabled account's token stops working at the next request, and stays dead after re-enabling", async ({ app }) => {
    const w = await county(app);
    const u = await signedIn(app, w);
    await u.client.ok(ME);
    await w.admin.client.ok(DISABLE, { id: u.id });
    await u.client.fails('UNAUTHENTICATED', ME);
    await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: u.body.username, p: u.body.password });
    await w.admin.client.ok(ENABLE, { id: u.id });
    await u.client.fails('UNAUTHENTICATED', ME);
    await new GraphQLClient(app.url, (await app.anonymous.ok(LOGIN, { u: u.body.username, p: u.body.password })).login.token).ok(ME);
  });

  test('a change of roles or unit ends the sessions of that account', async ({ app }) => {
    const w = await county(app);
    const u = await signedIn(app, w);
    await w.admin.client.ok(UPDATE, { id: u.id, input: { displayName: '只改名' } });
    await u.client.ok(ME); // a name change keeps the session
    await w.admin.client.ok(UPDATE, { id: u.id, input: { roles: ['INSPECTOR'] } });
    await u.client.fails('UNAUTHENTICATED', ME);
  });

  test('changing the password ends every older session; the new password works, the old does not', async ({ app }) => {
    const u = await app.user(await app.tree.region(), ['INSPECTOR']);
    const first = new GraphQLClient(app.url, (await app.anonymous.ok(LOGIN, { u: u.username, p: TEST_PASSWORD })).login.token);
    const second = new GraphQLClient(app.url, (await app.anonymous.ok(LOGIN, { u: u.username, p: TEST_PASSWORD })).login.token);
    await first.fails('BAD_USER_INPUT', `mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "short") }`, { c: TEST_PASSWORD });
    const wrong = await first.fails('BAD_USER_INPUT', `mutation { changePassword(currentPassword: "not-my-password", newPassword: "another-long-password") }`);
    expect(wrong.extensions?.field).toBe('currentPassword');
    await first.ok(`mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "another-long-password") }`, { c: TEST_PASSWORD });
    await first.fails('UNAUTHENTICATED', ME);
    await second.fails('UNAUTHENTICATED', ME);
    await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: u.username, p: TEST_PASSWORD });
    await app.anonymous.ok(LOGIN, { u: u.username, p: 'another-long-password' });
  });

  test('forged, expired, foreign-signed and malformed tokens are UNAUTHENTICATED', async ({ app }) => {
    const u = await app.user(await app.tree.region(), ['INSPECTOR']);
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const sign = (claims: { sub: string; ver: number; exp?: number }, secret = key, alg = 'HS256') => {
      const jwt = new SignJWT({ ver: claims.ver }).setProtectedHeader({ alg }).setSubject(claims.sub).setIssuer('jiceng').setIssuedAt();
      return jwt.setExpirationTime(claims.exp ?? '1h').sign(secret);
    };
    const tokens = [
      'not-a-token',
      u.token.slice(0, -3) + 'abc',
      await sign({ sub: u.id, ver: 1, exp: Math.floor(Date.now() / 1000) - 10 }),
      await sign({ sub: u.id, ver: 1 }, new TextEncoder().encode('another-secret-0123456789abcdef')),
      await sign({ sub: u.id, ver: 2 }),
      await sign({ sub: '900000000000000001', ver: 1 }),
      await sign({ sub: 'admin', ver: 1 }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: u.id, ver: 1, iss: 'jiceng' })).toString('base64url')}.`,
    ];
    for (const t of tokens) await new GraphQLClient(app.url, t).fails('UNAUTHENTICATED', ME);
    await u.client.ok(ME);
  });
});
