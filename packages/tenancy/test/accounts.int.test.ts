import { createLogger } from '@jiceng/core';
import { test, expect, describe, GraphQLClient, TEST_PASSWORD } from '@jiceng/testkit';

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username roles disabled } }`;
const UNIT_ID = `query($c: String!) { adminUnit(code: $c) { id } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
let n = 0;
const input = (unitId: string, roles: string[]) => ({ username: `acct-${process.pid}-${++n}`, displayName: '张三', password: 'a-long-password', unitId, roles });

describe('accounts', () => {
  test('an ORG_ADMIN creates users inside the subtree, granting only grantable roles', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const admin = await app.user(county, ['ORG_ADMIN']);
    const countyId = (await admin.client.ok(UNIT_ID, { c: county.code })).adminUnit.id;
    const township = await county.township();
    const townshipId = (await admin.client.ok(UNIT_ID, { c: township.code })).adminUnit.id;
    const made = await admin.client.ok(CREATE, { input: input(townshipId, ['ORG_ADMIN', 'FINANCE']) });
    expect(made.createUser.roles).toEqual(['ORG_ADMIN', 'FINANCE']);
    // nobody grants PLATFORM_ADMIN but the platform; admin roles only below one's own unit
    await admin.client.fails('FORBIDDEN', CREATE, { input: input(townshipId, ['PLATFORM_ADMIN']) });
    await admin.client.fails('FORBIDDEN', CREATE, { input: input(countyId, ['ORG_ADMIN']) });
    await admin.client.fails('BAD_USER_INPUT', CREATE, { input: input(townshipId, ['KING']) });
    const weak = await admin.client.fails('BAD_USER_INPUT', CREATE, { input: { ...input(townshipId, ['REPORTER']), password: 'short' } });
    expect(weak.extensions?.field).toBe('password');
  });

  test('nobody raises their own rights', async ({ app }) => {
    const county = await (await app.tree.region()).county();
    const admin = await app.user(county, ['ORG_ADMIN']);
    const me = await admin.client.ok(`{ me { user { id } } }`);
    await admin.client.fails('FORBIDDEN', `mutation($id: ID!) { updateUser(id: $id, input: { roles: ["ORG_ADMIN", "FINANCE"] }) { id } }`, { id: me.me.user.id });
    await admin.client.fails('FORBIDDEN', `mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: me.me.user.id });
    // a peer admin at the same unit is not theirs to change
    const peer = await app.user(county, ['ORG_ADMIN']);
    const peerId = (await peer.client.ok(`{ me { user { id } } }`)).me.user.id;
    await admin.client.fails('FORBIDDEN', `mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: peerId });
  });

  test("a disabled user's token stops working at once; a duplicate username is a clean CONFLICT", async ({ app }) => {
    const county = await (await app.tree.region()).county();
    const township = await county.township();
    const admin = await app.user(county, ['ORG_ADMIN']);
    const townshipId = (await admin.client.ok(UNIT_ID, { c: township.code })).adminUnit.id;
    const body = input(townshipId, ['REPORTER']);
    const created = await admin.client.ok(CREATE, { input: body });
    const dup = await admin.client.fails('CONFLICT', CREATE, { input: body });
    expect(JSON.stringify(dup)).not.toMatch(/unique|constraint|app_user|duplicate key|stack/i);
    const token = (await app.anonymous.ok(LOGIN, { u: body.username, p: body.password })).login.token;
    const reporter = new GraphQLClient(app.url, token);
    await reporter.ok(`{ me { user { username } } }`);
    await admin.client.ok(`mutation($id: ID!) { disableUser(id: $id) { disabled } }`, { id: created.createUser.id });
    await reporter.fails('UNAUTHENTICATED', `{ me { user { username } } }`);
    await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: body.username, p: body.password });
  });

  test('changing the password ends older sessions', async ({ app }) => {
    const u = await app.user(await app.tree.region(), ['INSPECTOR']);
    const token = (await app.anonymous.ok(LOGIN, { u: u.username, p: TEST_PASSWORD })).login.token;
    const c = new GraphQLClient(app.url, token);
    await c.ok(`mutation { changePassword(newPassword: "another-long-password") }`);
    await c.fails('UNAUTHENTICATED', `{ me { user { id } } }`);
    await app.anonymous.ok(LOGIN, { u: u.username, p: 'another-long-password' });
  });

  test('failed logins are limited per account, even with the right password afterwards', async ({ app }) => {
    const u = await app.user(await app.tree.region(), ['INSPECTOR']);
    for (let i = 0; i < 5; i++) await app.anonymous.fails('UNAUTHENTICATED', LOGIN, { u: u.username, p: 'wrong-password' });
    await app.anonymous.fails('TOO_MANY_ATTEMPTS', LOGIN, { u: u.username, p: TEST_PASSWORD });
  });

  test('logs never carry passwords or tokens', () => {
    const lines: string[] = [];
    const log = createLogger('debug', {}, (l) => lines.push(l));
    log.info('login', { username: 'a', password: 'secret-1', token: 'secret-2', nested: { authorization: 'Bearer secret-3' } });
    expect(lines.join()).not.toMatch(/secret-/);
    expect(lines.join()).toContain('"username":"a"');
  });
});

describe('moving a unit (撤乡并镇)', () => {
  const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code ancestors { code } } }`;

  test('carries the whole subtree, every row on it, and the counts of both ancestors', async ({ app }) => {
    const region = await app.tree.region();
    const a = await region.county();
    const b = await region.county();
    const township = await a.township();
    const village = await township.village();
    await app.user(village, ['REPORTER']);
    const admin = await app.user(region, ['ORG_ADMIN']);
    const ids = await admin.client.ok(`query($t: String!, $b: String!) { t: adminUnit(code: $t) { id } b: adminUnit(code: $b) { id } }`, { t: township.code, b: b.code });
    const moved = await admin.client.ok(MOVE, { u: ids.t.id, p: ids.b.id });
    expect(moved.moveAdminUnit.ancestors.map((x: any) => x.code)).toEqual([region.code, b.code]);
    const rows = await app.asOwner((em) =>
      em.execute<{ path: string; county_id: string }[]>(`select unit_path::text as path, county_id from app_user where unit_id = ?`, [village.id]),
    );
    expect(rows[0]!.path.startsWith(`${b.path}.`)).toBe(true);
    expect(String(rows[0]!.county_id)).toBe(b.id);
    const counts = await admin.client.ok(`query($a: String!, $b: String!) { a: adminUnit(code: $a) { count(level: VILLAGE) } b: adminUnit(code: $b) { count(level: VILLAGE) } }`, { a: a.code, b: b.code });
    expect(counts).toEqual({ a: { count: 0 }, b: { count: 1 } });
  });

  test('a wrong-level move or a move under its own subtree changes nothing', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const township = await county.township();
    const village = await township.village();
    const admin = await app.user(region, ['ORG_ADMIN']);
    const ids = await admin.client.ok(`query($c: String!, $t: String!, $v: String!) { c: adminUnit(code: $c) { id } t: adminUnit(code: $t) { id } v: adminUnit(code: $v) { id } }`, { c: county.code, t: township.code, v: village.code });
    await admin.client.fails('BAD_USER_INPUT', MOVE, { u: ids.v.id, p: ids.c.id });
    await admin.client.fails('BAD_USER_INPUT', MOVE, { u: ids.c.id, p: ids.t.id });
    const after = await admin.client.ok(`query($v: String!) { adminUnit(code: $v) { ancestors { code } } }`, { v: village.code });
    expect(after.adminUnit.ancestors.map((x: any) => x.code)).toEqual([region.code, county.code, township.code]);
  });
});

describe('tree queries', () => {
  test('children page with Relay cursors; search finds by name within the subtree', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const township = await county.township();
    for (let i = 0; i < 5; i++) await township.village(`富家窝铺${i}村`);
    const admin = await app.user(county, ['INSPECTOR']);
    const Q = `query($c: String!, $after: String) { adminUnit(code: $c) { children(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } }`;
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await admin.client.ok(Q, { c: township.code, after });
      names.push(...r.adminUnit.children.edges.map((e: any) => e.node.name));
      if (!r.adminUnit.children.pageInfo.hasNextPage) break;
      after = r.adminUnit.children.pageInfo.endCursor;
    }
    expect(names).toHaveLength(5);
    const found = await admin.client.ok(`query($c: String!) { adminUnit(code: $c) { search(name: "窝铺3", level: VILLAGE) { edges { node { name } } } } }`, { c: county.code });
    expect(found.adminUnit.search.edges[0].node.name).toBe('富家窝铺3村');
    await admin.client.fails('BAD_USER_INPUT', `query($c: String!) { adminUnit(code: $c) { children(first: 9999) { edges { node { name } } } } }`, { c: county.code });
  });

  test('a nested query region → counties → townships → villages costs the same SQL at two sizes', async ({ app }) => {
    const Q = `query($c: String!) { adminUnit(code: $c) { name count(level: VILLAGE) children { edges { node { name parent { name }
      children { edges { node { name parent { name } children { edges { node { name parent { name } count(level: VILLAGE) } } } } } } } } } } }`;
    const statements: number[] = [];
    for (const [counties, townships, villages] of [[2, 2, 3], [4, 4, 6]] as const) {
      const region = await app.tree.region();
      for (let c = 0; c < counties; c++) {
        const county = await region.county();
        for (let t = 0; t < townships; t++) {
          const township = await county.township();
          for (let v = 0; v < villages; v++) await township.village();
        }
      }
      const u = await app.user(region, ['INSPECTOR']);
      app.sqlCount = 0;
      const r = await u.client.ok(Q, { c: region.code });
      statements.push(app.sqlCount);
      expect(r.adminUnit.count).toBe(counties * townships * villages);
    }
    expect(statements[1]).toBe(statements[0]);
    expect(statements[0]).toBeLessThan(12);
  });
});
