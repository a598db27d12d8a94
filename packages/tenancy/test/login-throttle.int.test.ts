import { request } from 'node:http';
import { LOGIN_LIMITS } from '@jiceng/tenancy';
import { test, expect, describe, TEST_PASSWORD, userGlobalId, type TestApp, type TestUser } from '@jiceng/testkit';

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;
const CLEAR = `mutation($id: ID!) { clearLoginFailures(id: $id) { username } }`;
const L = LOGIN_LIMITS;

interface Answer {
  code: string;
  retryAfterSeconds?: number;
  field?: string;
}

/** A GraphQL request over a chosen loopback source address, optionally with headers (X-Forwarded-For, a token). */
function post(app: TestApp, from: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(app.url);
  const body = JSON.stringify({ query, variables });
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const e = JSON.parse(text).errors?.[0];
          ok(e ? { code: e.extensions?.code, retryAfterSeconds: e.extensions?.retryAfterSeconds, field: e.extensions?.field } : { code: 'ok' });
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

const login = (app: TestApp, from: string, u: string, p: string, headers?: Record<string, string>) => post(app, from, LOGIN, { u, p }, headers);

/** Failures of (username, address) as if they had happened `secondsAgo` (the database clock decides). */
async function pastFailures(app: TestApp, username: string, address: string, count: number, secondsAgo: number) {
  await app.asOwner((em) =>
    em.execute(`insert into login_failure (username, address, at) select ?, ?, now() - make_interval(secs => ?) from generate_series(1, ?)`, [username, address, secondsAgo, count]),
  );
}

async function failureCount(app: TestApp, where: { username?: string; address?: string }) {
  const [r] = await app.asOwner((em) =>
    em.execute<{ n: number }[]>(`select count(*)::int as n from login_failure where (?::text is null or username = ?) and (?::text is null or address = ?)`, [
      where.username ?? null, where.username ?? null, where.address ?? null, where.address ?? null,
    ]),
  );
  return r!.n;
}

const account = async (app: TestApp): Promise<TestUser> => app.user(await app.tree.region(), ['INSPECTOR']);

describe('per (account, address): growing delays, never a lockout by others', () => {
  test(`after ${L.freeAttempts} failures the next attempt waits, doubling up to the cap; the delay expires`, async ({ app }) => {
    const u = await account(app);
    for (let i = 0; i < L.freeAttempts; i++) expect((await login(app, '127.0.0.2', u.username, 'wrong-password')).code).toBe('UNAUTHENTICATED');
    const held = await login(app, '127.0.0.2', u.username, TEST_PASSWORD);
    expect(held.code).toBe('TOO_MANY_ATTEMPTS');
    expect(held.retryAfterSeconds).toBeGreaterThan(L.baseDelaySeconds - 5);
    expect(held.retryAfterSeconds).toBeLessThanOrEqual(L.baseDelaySeconds);
    // refusals are not counted: the wait does not grow while the owner waits
    expect(await failureCount(app, { username: u.username })).toBe(L.freeAttempts);
    // the delay passes (the failures move into the past): the right password gets in and clears them
    await app.asOwner((em) => em.execute(`update login_failure set at = at - make_interval(secs => ?) where username = ?`, [L.baseDelaySeconds + 1, u.username]));
    expect((await login(app, '127.0.0.2', u.username, TEST_PASSWORD)).code).toBe('ok');
    expect(await failureCount(app, { username: u.username })).toBe(0);

    // two more failures than free: four base delays from the last one
    const v = await account(app);
    await pastFailures(app, v.username, '127.0.0.2', L.freeAttempts + 2, 10);
    const twice = await login(app, '127.0.0.2', v.username, TEST_PASSWORD);
    expect(twice.code).toBe('TOO_MANY_ATTEMPTS');
    expect(twice.retryAfterSeconds).toBeGreaterThan(4 * L.baseDelaySeconds - 15);
    expect(twice.retryAfterSeconds).toBeLessThanOrEqual(4 * L.baseDelaySeconds - 10);
    // many failures: the cap
    await pastFailures(app, v.username, '127.0.0.2', 40, 1);
    expect((await login(app, '127.0.0.2', v.username, TEST_PASSWORD)).retryAfterSeconds).toBeLessThanOrEqual(L.maxDelaySeconds);
    expect((await login(app, '127.0.0.2', v.username, TEST_PASSWORD)).retryAfterSeconds).toBeGreaterThan(L.maxDelaySeconds - 10);
    // failures older than the window are forgotten
    const w = await account(app);
    await pastFailures(app, w.username, '127.0.0.2', 10, L.pairWindowSeconds + 60);
    expect((await login(app, '127.0.0.2', w.username, TEST_PASSWORD)).code).toBe('ok');
  });

  test('guesses arriving all at once are counted one after another', async ({ app }) => {
    const u = await account(app);
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(app, '127.0.0.2', u.username, 'wrong-password')));
    expect(answers.filter((a) => a.code === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(L.freeAttempts);
    expect((await login(app, '127.0.0.2', u.username, TEST_PASSWORD)).code).toBe('TOO_MANY_ATTEMPTS');
  });

  test("guesses from another address do not hold back the owner's own address, nor any other account", async ({ app }) => {
    const u = await account(app);
    const other = await account(app);
    expect((await login(app, '127.0.0.3', u.username, TEST_PASSWORD)).code).toBe('ok'); // the owner's address is known good
    for (let i = 0; i < L.freeAttempts; i++) await login(app, '127.0.0.4', u.username, 'wrong-password');
    expect((await login(app, '127.0.0.4', u.username, TEST_PASSWORD)).code).toBe('TOO_MANY_ATTEMPTS');
    expect((await login(app, '127.0.0.3', u.username, TEST_PASSWORD)).code).toBe('ok');
    expect((await login(app, '127.0.0.4', other.username, TEST_PASSWORD)).code).toBe('ok');
    // many addresses guessing one account: new addresses wait, the owner's does not
    for (let i = 0; i < L.perAccount; i++) await pastFailures(app, u.username, `198.51.100.${i}`, 1, 5);
    const fresh = await login(app, '127.0.0.5', u.username, TEST_PASSWORD);
    expect(fresh.code).toBe('TOO_MANY_ATTEMPTS');
    expect(fresh.retryAfterSeconds).toBeGreaterThan(L.accountWindowSeconds - 15);
    expect((await login(app, '127.0.0.3', u.username, TEST_PASSWORD)).code).toBe('ok');
  });

  test(`per address (softer): ${L.perAddress} failures over any accounts hold back that address, except for accounts signed in from it before`, async ({ app }) => {
    const known = await account(app);
    const unknown = await account(app);
    expect((await login(app, '127.0.0.6', known.username, TEST_PASSWORD)).code).toBe('ok');
    await app.asOwner((em) =>
      em.execute(`insert into login_failure (username, address, at) select 'sprayed-' || g, '127.0.0.6', now() - interval '1 minute' from generate_series(1, ?) g`, [L.perAddress]),
    );
    const refused = await login(app, '127.0.0.6', unknown.username, TEST_PASSWORD);
    expect(refused.code).toBe('TOO_MANY_ATTEMPTS');
    expect(refused.retryAfterSeconds).toBeGreaterThan(L.addressWindowSeconds - 70);
    expect((await login(app, '127.0.0.6', known.username, TEST_PASSWORD)).code).toBe('ok');
    expect((await login(app, '127.0.0.7', unknown.username, TEST_PASSWORD)).code).toBe('ok');
  });

  test("the owner's recovery: an administrator above clears the account's failures; a peer cannot", async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const u = await app.user(county, ['INSPECTOR']);
    const admin = await app.user(region, ['ORG_ADMIN']);
    const elsewhere = await app.user(await region.county(), ['ORG_ADMIN']);
    await pastFailures(app, u.username, '127.0.0.8', 10, 1);
    expect((await login(app, '127.0.0.8', u.username, TEST_PASSWORD)).code).toBe('TOO_MANY_ATTEMPTS');
    await elsewhere.client.fails('NOT_FOUND', CLEAR, { id: userGlobalId(u.id) });
    await u.client.fails('FORBIDDEN', CLEAR, { id: userGlobalId(u.id) });
    expect((await admin.client.ok(CLEAR, { id: userGlobalId(u.id) })).clearLoginFailures.username).toBe(u.username);
    expect((await login(app, '127.0.0.8', u.username, TEST_PASSWORD)).code).toBe('ok');
  });
});

describe('what counts', () => {
  test('a username of 10 KB is bad input naming the field, counted, and no internal error', async ({ app }) => {
    const before = await failureCount(app, { address: '127.0.0.9' });
    const long = await login(app, '127.0.0.9', 'x'.repeat(10 * 1024), 'whatever-password');
    expect(long).toMatchObject({ code: 'BAD_USER_INPUT', field: 'username' });
    expect(await failureCount(app, { address: '127.0.0.9' })).toBe(before + 1);
    const huge = await login(app, '127.0.0.9', 'y'.repeat(1024 * 1024), 'whatever-password');
    expect(huge).toMatchObject({ code: 'BAD_USER_INPUT', field: 'username' });
    // an over-long password is wrong (no account has one) and counted
    const u = await account(app);
    expect((await login(app, '127.0.0.9', u.username, 'p'.repeat(100_000))).code).toBe('UNAUTHENTICATED');
    expect(await failureCount(app, { username: u.username, address: '127.0.0.9' })).toBe(1);
  });

  test('a wrong current password in changePassword counts like a failed login, although the mutation is rolled back', async ({ app }) => {
    const u = await account(app);
    const auth = { authorization: `Bearer ${u.token}` };
    for (let i = 0; i < L.freeAttempts; i++) {
      expect(await post(app, '127.0.0.10', CHANGE, { c: `guess-${i}-password`, n: 'a-brand-new-password' }, auth)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    }
    expect(await failureCount(app, { username: u.username, address: '127.0.0.10' })).toBe(L.freeAttempts);
    // the stolen token's holder waits, even with the right password; and so does a login from there
    expect((await post(app, '127.0.0.10', CHANGE, { c: TEST_PASSWORD, n: 'a-brand-new-password' }, auth)).code).toBe('TOO_MANY_ATTEMPTS');
    expect((await login(app, '127.0.0.10', u.username, TEST_PASSWORD)).code).toBe('TOO_MANY_ATTEMPTS');
    // nothing else of the failed mutation was kept: the password is unchanged
    expect((await login(app, '127.0.0.11', u.username, TEST_PASSWORD)).code).toBe('ok');
  });

  test('login and changePassword run only as the one field of their operation (no batches of guesses)', async ({ app }) => {
    const u = await account(app);
    const batch = `mutation($u: String!) { a: login(username: $u, password: "guess-one") { token } b: login(username: $u, password: "guess-two") { token } }`;
    expect((await post(app, '127.0.0.12', batch, { u: u.username })).code).toBe('BAD_USER_INPUT');
    const withFragment = `mutation($u: String!) { ...F } fragment F on Mutation { a: login(username: $u, password: "guess-one") { token } b: login(username: $u, password: "x") { token } }`;
    expect((await post(app, '127.0.0.12', withFragment, { u: u.username })).code).toBe('BAD_USER_INPUT');
    const mixed = `mutation { a: changePassword(currentPassword: "guess-one", newPassword: "a-brand-new-password") b: changePassword(currentPassword: "guess-two", newPassword: "a-brand-new-password") }`;
    expect((await post(app, '127.0.0.12', mixed, {}, { authorization: `Bearer ${u.token}` })).code).toBe('BAD_USER_INPUT');
    expect(await failureCount(app, { username: u.username })).toBe(0);
    expect((await post(app, '127.0.0.12', `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } __typename }`, { u: u.username, p: TEST_PASSWORD })).code).toBe('ok');
  });
});

describe('the client address', () => {
  test('comes from X-Forwarded-For only through a trusted proxy', async ({ app }) => {
    const u = await account(app);
    // untrusted: the header is ignored, the socket's address counts
    await login(app, '127.0.0.13', u.username, 'wrong-password', { 'x-forwarded-for': '203.0.113.9' });
    expect(await failureCount(app, { username: u.username, address: '127.0.0.13' })).toBe(1);
    app.settings.trustedProxies = ['127.0.0.14', '10.0.0.0/8'];
    try {
      // through two trusted hops, the first untrusted address from the right is the client
      await login(app, '127.0.0.14', u.username, 'wrong-password', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 10.1.2.3' });
      expect(await failureCount(app, { username: u.username, address: '203.0.113.7' })).toBe(1);
      // clients behind one proxy are told apart: one address's delay does not hold back another's
      await pastFailures(app, u.username, '203.0.113.7', 10, 1);
      expect((await login(app, '127.0.0.14', u.username, TEST_PASSWORD, { 'x-forwarded-for': '203.0.113.7' })).code).toBe('TOO_MANY_ATTEMPTS');
      expect((await login(app, '127.0.0.14', u.username, TEST_PASSWORD, { 'x-forwarded-for': '203.0.113.8' })).code).toBe('ok');
    } finally {
      app.settings.trustedProxies = undefined;
    }
  });
});

describe('the failure records', () => {
  test('the API role can neither read, write nor delete them; only the login functions reach them', async ({ app }) => {
    await pastFailures(app, 'someone', '192.0.2.1', 1, 1);
    const em = app.orm.em.fork();
    for (const sql of [
      'select * from login_failure',
      'delete from login_failure',
      `insert into login_failure (username, address) values ('x', 'y')`,
      'select * from login_known_address',
      'delete from login_known_address',
    ]) {
      await expect(em.getConnection().execute(sql), sql).rejects.toThrow(/permission denied/);
    }
    expect(await failureCount(app, { username: 'someone' })).toBe(1);
    const [fn] = await app.asOwner((e) =>
      e.execute<{ n: number }[]>(
        `select count(*)::int as n from pg_proc where prosecdef and proconfig::text like '%search_path%'
            and proname in ('jiceng_login_throttle', 'jiceng_record_login_failure', 'jiceng_login_succeeded', 'jiceng_clear_login_failures')`,
      ),
    );
    expect(fn!.n).toBe(4);
  });
});
