import { test, expect, describe, unitId, type Node, type TestApp } from '@jiceng/testkit';
import { beginRequest, endRequest, executeBound } from '@jiceng/db';
import { authenticate, unitByCode, unitTreeByCode } from '@jiceng/tenancy';

const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code parent { code } ancestors { code } } }`;

/** Every unit of a subtree with its tenancy keys, as the owner sees them. */
const subtree = (app: TestApp, path: string) =>
  app.asOwner((em) =>
    em.execute<{ code: string; path: string; parent_id: string | null; county_id: string | null }[]>(
      `select code, path::text, parent_id::text, county_id::text from admin_unit where path <@ ?::ltree order by code`,
      [path],
    ),
  );

/** Rows of every tenant table (any ltree column) still under a path. */
async function rowsUnder(app: TestApp, path: string): Promise<Record<string, number>> {
  return app.asOwner(async (em) => {
    const cols = await em.execute<{ t: string; c: string }[]>(
      `select c.table_name as t, c.column_name as c from information_schema.columns c
        where c.table_schema = 'public' and c.udt_name = 'ltree'
          -- was_* columns keep where units stood before a move (unit_move, unit_placement), by design
          and c.column_name not like 'was\\_%'
          and exists (select 1 from information_schema.tables t where t.table_name = c.table_name and t.table_schema = 'public' and t.table_type = 'BASE TABLE')`,
    );
    const out: Record<string, number> = {};
    for (const { t, c } of cols) {
      const [r] = await em.execute<{ n: number }[]>(`select count(*)::int as n from ${t} where ${c} <@ ?::ltree`, [path]);
      if (r!.n) out[`${t}.${c}`] = r!.n;
    }
    return out;
  });
}

describe('moving a unit (撤乡并镇)', () => {
  test('carries its whole subtree and every row on it, in keys, paths and counts', async ({ app }) => {
    const region = await app.tree.region();
    const a = await region.county();
    const b = await region.county();
    const township = await a.township();
    const v1 = await township.village();
    const v2 = await township.village();
    const onVillage = await app.user(v1, ['REPORTER']);
    const onTownship = await app.user(township, ['ORG_ADMIN']);
    const admin = await app.user(region, ['ORG_ADMIN']);
    const oldPath = township.path;

    const moved = await admin.client.ok(MOVE, { u: unitId(township), p: unitId(b) });
    expect(moved.moveAdminUnit.parent.code).toBe(b.code);
    expect(moved.moveAdminUnit.ancestors.map((x: any) => x.code)).toEqual([region.code, b.code]);

    const label = oldPath.split('.').pop();
    const units = await subtree(app, `${b.path}.${label}`);
    expect(units.map((u) => u.code)).toEqual([township.code, v1.code, v2.code].sort());
    for (const u of units) expect(u.county_id, u.code).toBe(b.id);
    expect(units.find((u) => u.code === township.code)!.parent_id).toBe(b.id);
    expect(await rowsUnder(app, oldPath)).toEqual({});
    // the move is on record: the unit, its old and new parent, and where each unit of the subtree stood
    const record = await app.asOwner(async (em) => ({
      move: await em.execute(`select unit_id::text as unit, old_parent_id::text as old, new_parent_id::text as new, was_path::text as was from unit_move where unit_id = ?`, [township.id]),
      placed: await em.execute(`select count(*)::int as n from unit_placement where was_path <@ ?::ltree and unit_path <@ ?::ltree`, [oldPath, `${b.path}.${oldPath.split('.').pop()}`]),
    }));
    expect(record).toEqual({ move: [{ unit: township.id, old: a.id, new: b.id, was: oldPath }], placed: [{ n: 3 }] });

    const accounts = await app.asOwner((em) =>
      em.execute<{ id: string; path: string; county: string }[]>(`select id::text, unit_path::text as path, county_id::text as county from app_user where id in (?, ?) order by id`, [onVillage.id, onTownship.id]),
    );
    expect(accounts).toEqual([
      { id: onVillage.id, path: `${b.path}.${label}.${v1.path.split('.').pop()}`, county: b.id },
      { id: onTownship.id, path: `${b.path}.${label}`, county: b.id },
    ].sort((x, y) => Number(x.id) - Number(y.id)));

    // the moved account still signs in and now sees its township under b
    const seen = await onTownship.client.ok(`query($c: String!) { adminUnit(code: $c) { children { edges { node { code } } } } }`, { c: township.code });
    expect(seen.adminUnit.children.edges).toHaveLength(2);
    const counts = await admin.client.ok(
      `query($a: String!, $b: String!, $r: String!) { a: adminUnit(code: $a) { count(level: VILLAGE) } b: adminUnit(code: $b) { count(level: VILLAGE) } r: adminUnit(code: $r) { count(level: VILLAGE) } }`,
      { a: a.code, b: b.code, r: region.code },
    );
    expect(counts).toEqual({ a: { count: 0 }, b: { count: 2 }, r: { count: 2 } });
  });

  test('a township moved directly under a region leaves its old county behind', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const township = await county.township();
    const village = await township.village();
    await app.user(village, ['REPORTER']);
    const admin = await app.user(region, ['ORG_ADMIN']);
    await admin.client.ok(MOVE, { u: unitId(township), p: unitId(region) });
    const units = await subtree(app, `${region.path}.${township.path.split('.').pop()}`);
    expect(units.map((u) => u.county_id)).toEqual([null, null]);
    const [account] = await app.asOwner((em) => em.execute<{ county: string }[]>(`select county_id::text as county from app_user where unit_id = ?`, [village.id]));
    // rows of a unit without a county carry the unit's own id, as the insert trigger gives a new row there
    expect(account!.county).toBe(village.id);
    const fresh = await app.user(village, ['REPORTER']);
    const [again] = await app.asOwner((em) => em.execute<{ county: string }[]>(`select county_id::text as county from app_user where id = ?`, [fresh.id]));
    expect(again!.county).toBe(village.id);
  });

  test('wrong-level moves and moves under its own subtree are BAD_USER_INPUT and change nothing', async ({ app }) => {
    const top = await app.tree.region();
    const league = await top.region();
    const county = await league.county();
    const township = await county.township();
    const village = await township.village();
    const other = await league.county();
    const admin = await app.user(top, ['ORG_ADMIN']);
    const before = await subtree(app, top.path);
    const refused: [Node, Node][] = [
      [village, county], // a village belongs under a township
      [county, township], // a county under a township (and under itself)
      [township, village],
      [other, township],
      [league, league], // under itself
    ];
    for (const [u, p] of refused) {
      const e = await admin.client.fails('BAD_USER_INPUT', MOVE, { u: unitId(u), p: unitId(p) });
      expect(e.extensions?.field).toBe('newParentId');
    }
    // a region under a region of its own subtree: the level fits, the place does not
    const sub = await league.region();
    const e = await admin.client.fails('BAD_USER_INPUT', MOVE, { u: unitId(league), p: unitId(sub) });
    expect(e.extensions?.field).toBe('newParentId');
    // nobody moves their own home unit
    expect((await admin.client.fails('BAD_USER_INPUT', MOVE, { u: unitId(top), p: unitId(sub) })).extensions?.field).toBe('unitId');
    expect((await subtree(app, top.path)).filter((u) => u.code !== sub.code)).toEqual(before);
  });

  test('a move that fails half-way changes nothing (one transaction)', async ({ app }) => {
    const region = await app.tree.region();
    const a = await region.county();
    const b = await region.county();
    const township = await a.township();
    const village = await township.village();
    const breaker = await app.user(village, ['REPORTER'], `move-breaker-${process.pid}`);
    const admin = await app.user(region, ['ORG_ADMIN']);
    const before = { units: await subtree(app, region.path), rows: await rowsUnder(app, township.path) };
    // the rows of the accounts table are rewritten after the units: make that step fail for one row
    await app.asOwner((em) =>
      em.execute(`create function test_refuse_move() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$;
        create trigger test_refuse_move before update of unit_path on app_user for each row
          when (new.username = '${breaker.username}') execute function test_refuse_move();`),
    );
    try {
      const r = await admin.client.request(MOVE, { u: unitId(township), p: unitId(b) });
      expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(r)).not.toMatch(/refused|test_refuse_move|app_user|update|stack/i);
    } finally {
      await app.asOwner((em) => em.execute(`drop trigger test_refuse_move on app_user; drop function test_refuse_move()`));
    }
    expect({ units: await subtree(app, region.path), rows: await rowsUnder(app, township.path) }).toEqual(before);
    // and the same move, unobstructed, goes through
    await admin.client.ok(MOVE, { u: unitId(township), p: unitId(b) });
    expect(await rowsUnder(app, township.path)).toEqual({});
  });
});

describe('Relay pagination', () => {
  const CHILDREN = `query($c: String!, $first: Int, $after: String) {
    adminUnit(code: $c) { children(first: $first, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }
  }`;

  async function pages(fetch: (after: string | null) => Promise<{ edges: { cursor: string; node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>) {
    const out: string[][] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const c = await fetch(after);
      out.push(c.edges.map((e) => e.node.name));
      if (c.edges.length) expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)!.cursor);
      if (!c.pageInfo.hasNextPage) return out;
      after = c.pageInfo.endCursor;
    }
    throw new Error('pagination does not end');
  }

  test('children: first/after walk every child once, in code order; hasNextPage ends it', async ({ app }) => {
    const township = await (await (await app.tree.region()).county()).township();
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push((await township.village(`富家窝铺${i}村`)).unit.name);
    const u = await app.user(township, ['INSPECTOR']);
    const got = await pages(async (after) => (await u.client.ok(CHILDREN, { c: township.code, first: 2, after })).adminUnit.children);
    expect(got).toEqual([names.slice(0, 2), names.slice(2, 4), names.slice(4)]);
    // exactly one page's worth: no further page
    const all = (await u.client.ok(CHILDREN, { c: township.code, first: 5 })).adminUnit.children;
    expect(all.pageInfo.hasNextPage).toBe(false);
    const none = (await u.client.ok(CHILDREN, { c: township.code, first: 0 })).adminUnit.children;
    expect(none).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
    expect((await u.client.fails('BAD_USER_INPUT', CHILDREN, { c: township.code, first: 501 })).extensions?.field).toBe('first');
    expect((await u.client.fails('BAD_USER_INPUT', CHILDREN, { c: township.code, first: -1 })).extensions?.field).toBe('first');
    expect((await u.client.fails('BAD_USER_INPUT', CHILDREN, { c: township.code, after: 'garbage' })).extensions?.field).toBe('after');
  });

  test('children pages of many parents at once (one batched query per level) stay separate', async ({ app }) => {
    const county = await (await app.tree.region()).county();
    const t1 = await county.township('甲镇');
    const t2 = await county.township('乙镇');
    for (let i = 0; i < 3; i++) await t1.village(`甲${i}村`);
    await t2.village('乙0村');
    const u = await app.user(county, ['INSPECTOR']);
    const r = await u.client.ok(`query($c: String!) { adminUnit(code: $c) { children { edges { node { name children(first: 2) { edges { node { name } } pageInfo { hasNextPage } } } } } } }`, { c: county.code });
    expect(r.adminUnit.children.edges.map((e: any) => [e.node.name, e.node.children.edges.map((x: any) => x.node.name), e.node.children.pageInfo.hasNextPage])).toEqual([
      ['甲镇', ['甲0村', '甲1村'], true],
      ['乙镇', ['乙0村'], false],
    ]);
  });

  test('search: pages through every match within the subtree, best match first, never outside it', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const township = await county.township('新发乡');
    for (let i = 0; i < 5; i++) await township.village(`新发${i}村`);
    await township.village('胜利村');
    const elsewhere = await (await (await region.county()).township()).village('新发村'); // same name, outside the county
    const u = await app.user(county, ['INSPECTOR']);
    const SEARCH = `query($c: String!, $q: String!, $level: AdminLevel, $first: Int, $after: String) {
      adminUnit(code: $c) { search(name: $q, level: $level, first: $first, after: $after) { edges { cursor node { code name } } pageInfo { hasNextPage endCursor } } }
    }`;
    const got = await pages(async (after) => (await u.client.ok(SEARCH, { c: county.code, q: '新发', level: 'VILLAGE', first: 2, after })).adminUnit.search);
    expect(got.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(got.flat().sort()).toEqual(['新发0村', '新发1村', '新发2村', '新发3村', '新发4村']);
    const any = await u.client.ok(SEARCH, { c: county.code, q: '新发' });
    expect(any.adminUnit.search.edges[0].node.name).toBe('新发乡'); // contains the text and is the closest
    expect(any.adminUnit.search.edges.map((e: any) => e.node.code)).not.toContain(elsewhere.code);
    // the caller's text is text, not a LIKE pattern
    expect((await u.client.ok(SEARCH, { c: county.code, q: '%' })).adminUnit.search.edges).toEqual([]);
    expect((await u.client.ok(SEARCH, { c: county.code, q: '_' })).adminUnit.search.edges).toEqual([]);
    expect((await u.client.fails('BAD_USER_INPUT', SEARCH, { c: county.code, q: ' ' })).extensions?.field).toBe('name');
    expect((await u.client.fails('BAD_USER_INPUT', SEARCH, { c: county.code, q: '新发', after: 'Yzp4' })).extensions?.field).toBe('after');
  });

  test('users: first/after over the accounts of a subtree', async ({ app }) => {
    const county = await (await app.tree.region()).county();
    const township = await county.township();
    const admin = await app.user(county, ['ORG_ADMIN'], `pg-${process.pid}-a`);
    for (const s of ['b', 'c', 'd']) await app.user(township, ['REPORTER'], `pg-${process.pid}-${s}`);
    const USERS = `query($u: ID!, $after: String) { users(unitId: $u, first: 2, after: $after) { edges { cursor node { username } } pageInfo { hasNextPage endCursor } } }`;
    const got = await pages(async (after) => {
      const c = (await admin.client.ok(USERS, { u: unitId(county), after })).users;
      return { ...c, edges: c.edges.map((e: any) => ({ cursor: e.cursor, node: { name: e.node.username } })) };
    });
    expect(got).toEqual([[`pg-${process.pid}-a`, `pg-${process.pid}-b`], [`pg-${process.pid}-c`, `pg-${process.pid}-d`]]);
  });
});

describe('errors never leak internals', () => {
  const LEAK = /sql|select |insert |update |constraint|violates|duplicate key|app_user|admin_unit|login_failure|stack|\bat \/|node_modules|postgres/i;

  test('a duplicate username is a clean CONFLICT on the username field', async ({ app }) => {
    const township = await (await (await app.tree.region()).county()).township();
    const admin = await app.user(township, ['ORG_ADMIN']);
    const taken = await app.user(township, ['REPORTER']);
    const r = await admin.client.request(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { username: taken.username.toUpperCase(), displayName: 'x', password: 'a-long-password', unitId: unitId(township), roles: ['REPORTER'] },
    });
    expect(r.errors).toEqual([{ message: 'that username is taken', locations: expect.any(Array), path: ['createUser'], extensions: { code: 'CONFLICT', field: 'username' } }]);
  });

  test('hostile input gets a clean error code, never SQL, constraint names or stack traces', async ({ app }) => {
    const township = await (await (await app.tree.region()).county()).township();
    const admin = await app.user(township, ['ORG_ADMIN']);
    const NUL = 'a\u0000b';
    const nulCursor = Buffer.from('c:\u0000').toString('base64url');
    const probes: [string, Record<string, unknown>][] = [
      [`query($c: String!) { adminUnit(code: $c) { id } }`, { c: NUL }],
      [`query($c: String!, $q: String!) { adminUnit(code: $c) { search(name: $q) { edges { node { id } } } } }`, { c: township.code, q: NUL }],
      [`query($c: String!) { adminUnit(code: $c) { search(name: "a\\u0000b") { edges { node { id } } } } }`, { c: township.code }],
      [`query($c: String!, $a: String!) { adminUnit(code: $c) { children(after: $a) { edges { node { id } } } } }`, { c: township.code, a: nulCursor }],
      [`query($u: ID!, $a: String!) { users(unitId: $u, after: $a) { edges { node { id } } } }`, { u: unitId(township), a: nulCursor }],
      [`query($id: ID!) { adminUnitById(id: $id) { id } }`, { id: 'QWRtaW5Vbml0Ojk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5' }],
      [`query($id: ID!) { user(id: $id) { id } }`, { id: "1' or '1'='1" }],
      [`mutation($u: String!) { login(username: $u, password: "x") { token } }`, { u: NUL }],
      [`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { username: 'nul-name', displayName: NUL, password: 'a-long-password', unitId: unitId(township), roles: ['REPORTER'] } }],
      [`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { username: 'nul-pass', displayName: 'x', password: `long-enough${NUL}`, unitId: unitId(township), roles: ['REPORTER'] } }],
    ];
    const codes: string[] = [];
    for (const [q, v] of probes) {
      const r = await admin.client.request(q, v);
      expect(JSON.stringify(r.errors ?? []), q).not.toMatch(LEAK);
      codes.push(r.errors?.[0]?.extensions?.code ?? 'ok');
    }
    // bad input is the caller's mistake, not the server's
    expect(codes.filter((c) => c === 'INTERNAL_SERVER_ERROR')).toEqual([]);
    await admin.client.ok(`{ me { user { id } } }`);
  });
});

describe('per-request DataLoaders', () => {
  test('region → counties → townships → villages, each with parent and count, costs the same SQL at two sizes', async ({ app }) => {
    // pages sized to the tree: three levels of default pages (100 × 100 × 100) are over the cost limit
    const Q = `query($c: String!) { adminUnit(code: $c) { name count(level: VILLAGE)
      children(first: 6) { edges { node { name parent { name } count(level: VILLAGE)
        children(first: 6) { edges { node { name parent { name } count(level: VILLAGE)
          children(first: 6) { edges { node { name parent { name } count(level: VILLAGE) } } } } } } } } } } }`;
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
      const countyNodes = r.adminUnit.children.edges;
      expect(countyNodes).toHaveLength(counties);
      for (const c of countyNodes) {
        expect(c.node.parent.name).toBe(r.adminUnit.name);
        expect(c.node.count).toBe(townships * villages);
        for (const t of c.node.children.edges) {
          expect(t.node.parent.name).toBe(c.node.name);
          expect(t.node.children.edges).toHaveLength(villages);
          for (const v of t.node.children.edges) expect(v.node).toMatchObject({ parent: { name: t.node.name }, count: 0 });
        }
      }
    }
    console.log(`nested tree query: ${statements.join(' and ')} SQL statements`);
    expect(statements[1]).toBe(statements[0]);
    // begin, the request's timeouts, authenticate, the unit, one children query per level, commit
    expect(statements[0]).toBeLessThanOrEqual(9);
  });

  test('look-ahead: a unit and three levels of children are one statement, with the answer the batched path gives', async ({ app }) => {
    const region = await app.tree.region();
    for (let c = 0; c < 3; c++) {
      const county = await region.county();
      for (let t = 0; t < 3; t++) {
        const township = await county.township();
        for (let v = 0; v < 3; v++) await township.village();
      }
    }
    // pages smaller than the levels (hasNextPage, the extra row), a variable, aliases, a fragment, other fields on the rows
    const tree = (on: string) => `query($c: String!, $n: Int) { adminUnit(code: $c) { code name count(level: VILLAGE)
      children(first: 2)${on} { pageInfo { hasNextPage endCursor } edges { cursor node { id ...F parent { code } partyMembers
        children(first: $n) { pageInfo { hasNextPage } edges { node { ...F ancestors { code }
          children { edges { node { code name parent { name } } } } } } }
        also: children(first: $n) { edges { node { code } } } } } } } }
      fragment F on AdminUnit { code name level population households economy urban counts { level count } }`;
    const u = await app.user(region, ['INSPECTOR']);
    // a session's first request costs a statement more: counted from the second on
    await u.client.ok(`{ me { user { id } } }`);
    app.sqlCount = 0;
    await u.client.ok(`query($c: String!) { adminUnit(code: $c) { code } }`, { c: region.code });
    const alone = app.sqlCount;
    app.sqlCount = 0;
    const ahead = await u.client.ok(tree(''), { c: region.code, n: 2 });
    const planned = app.sqlCount;
    // @include stops the plan: the same query level by level
    app.sqlCount = 0;
    const batched = await u.client.ok(tree(' @include(if: true)'), { c: region.code, n: 2 });
    const perLevel = app.sqlCount;
    expect(ahead).toEqual(batched);
    expect(ahead.adminUnit.children.pageInfo.hasNextPage).toBe(true);
    expect(ahead.adminUnit.children.edges).toHaveLength(2);
    for (const c of ahead.adminUnit.children.edges) {
      expect(c.node.children.edges).toHaveLength(2);
      for (const t of c.node.children.edges) expect(t.node.children.edges).toHaveLength(3);
    }
    // the tree costs what the unit alone costs (begin, the account, the unit, commit), plus what the other
    // fields need (partyMembers above villages, ancestors: one statement each); level by level, each of the
    // three levels of children is a statement of its own
    console.log(`look-ahead: unit alone ${alone}, tree ${planned}, level by level ${perLevel} statements`);
    expect(alone).toBe(4);
    expect(planned).toBe(alone + 2);
    expect(perLevel).toBe(planned + 3);
  });

  test('the account read and the unit reads are prepared statements: parsed once per connection, the same answers', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    for (let t = 0; t < 2; t++) await (await county.township()).village();
    const u = await app.user(region, ['INSPECTOR']);
    const Q = `query($c: String!) { adminUnit(code: $c) { code name children(first: 5) { edges { node { code level children(first: 5) { edges { node { code } } } } } } } }`;
    const first = await u.client.ok(Q, { c: county.code });
    // on one connection (the request's, as server.ts opens it): account, tree and unit by code, twice
    const em = await beginRequest(app.orm);
    try {
      for (let i = 0; i < 2; i++) {
        const principal = await authenticate(em, app.settings, u.token);
        expect(principal.userId).toBe(u.id);
        const tree = await unitTreeByCode(em, county.code, [5, 5]);
        expect(tree!.map((level) => level.map((x) => x.code))).toEqual([
          [county.code],
          first.adminUnit.children.edges.map((e: any) => e.node.code),
          first.adminUnit.children.edges.flatMap((e: any) => e.node.children.edges.map((v: any) => v.node.code)),
        ]);
        expect((await unitByCode(em, region.code))!.code).toBe(region.code);
      }
      const prepared = await executeBound<{ statement: string }>(em, `select statement from pg_prepared_statements where not from_sql`, []);
      // each once on this connection (earlier requests on it may have prepared trees of other depths)
      const of = (test: (text: string) => boolean) => prepared.filter((p) => test(p.statement));
      expect(of((t) => t.includes('jiceng_principal($1)'))).toHaveLength(1);
      expect(of((t) => t.includes('cross join lateral') && t.includes('l2 as') && !t.includes('l3 as') && !t.includes('parent_id from admin_unit c'))).toHaveLength(1);
      expect(new Set(prepared.map((p) => p.statement)).size).toBe(prepared.length);
      expect(of((t) => t.startsWith('select id, code') && t.includes('from admin_unit where code = $1'))).toHaveLength(1);
    } finally {
      await endRequest(em, false);
    }
    // a request on a connection that has them answers as before
    expect(await u.client.ok(Q, { c: county.code })).toEqual(first);
  });

  test('look-ahead: levels asking only for id, code, name and level read those columns; every other field still sees whole rows', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    for (let t = 0; t < 3; t++) {
      const township = await county.township();
      for (let v = 0; v < 2; v++) await township.village();
    }
    await app.asOwner((em) => em.execute(`update admin_unit set population = 1000 + id, households = 10 + id where path <@ ?::ltree`, [region.path]));
    const u = await app.user(region, ['INSPECTOR']);
    // townships lean (code and children only), villages not: their parent is a township, read whole
    const mixed = (on: string) => `query($c: String!) { adminUnit(code: $c) { code population children(first: 5)${on} { edges { cursor node { __typename id code name level
      children(first: 5) { edges { node { code parent { code population households counts { level count } } } } } } } } } }`;
    const ahead = await u.client.ok(mixed(''), { c: county.code });
    const batched = await u.client.ok(mixed(' @include(if: true)'), { c: county.code });
    expect(ahead).toEqual(batched);
    for (const t of ahead.adminUnit.children.edges) {
      for (const v of t.node.children.edges) {
        expect(v.node.parent.code).toBe(t.node.code);
        expect(v.node.parent.population).toBeGreaterThan(1000);
        expect(v.node.parent.counts.find((c: any) => c.level === 'VILLAGE').count).toBe(2);
      }
    }
    // every level lean, and a fragment that asks for more makes its level whole again
    const lean = `query($c: String!) { adminUnit(code: $c) { code children(first: 5) { edges { node { id code name level children(first: 5) { edges { node { code name } } } } } } } }`;
    const leanAhead = await u.client.ok(lean, { c: county.code });
    expect(leanAhead).toEqual(await u.client.ok(lean.replace('children(first: 5) {', 'children(first: 5) @include(if: true) {'), { c: county.code }));
    // the store reads a lean level's rows with their other columns null
    const em = await beginRequest(app.orm);
    try {
      await authenticate(em, app.settings, u.token);
      const [top, townships, villages] = (await unitTreeByCode(em, county.code, [5, 5], [true, false]))!;
      expect(top![0]!.population).toBeGreaterThan(1000);
      expect(townships!.map((t) => [t.code, t.name, t.level, t.parentId, t.population, t.path])).toEqual(
        leanAhead.adminUnit.children.edges.map((e: any) => [e.node.code, e.node.name, e.node.level, county.id, null, null]),
      );
      for (const v of villages!) expect(v.population).toBeGreaterThan(1000);
    } finally {
      await endRequest(em, false);
    }
    const withFragment = `query($c: String!) { adminUnit(code: $c) { children(first: 5) { edges { node { code ...P } } } } } fragment P on AdminUnit { population households urban }`;
    const whole = await u.client.ok(withFragment, { c: county.code });
    for (const t of whole.adminUnit.children.edges) {
      expect(t.node.population).toBeGreaterThan(1000);
      expect(t.node.households).toBeGreaterThan(10);
      expect(t.node.urban).toBe(false);
    }
  });

  test('ancestors of every unit in a list: one statement for the whole list, only those in scope', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const townships = [await county.township(), await county.township(), await county.township()];
    for (const t of townships) for (let v = 0; v < 4; v++) await t.village();
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 5) { edges { node { code ancestors { code }
      children(first: 5) { edges { node { code ancestors { code } } } } } } } } }`;
    const inspector = await app.user(region, ['INSPECTOR']);
    app.sqlCount = 0;
    const r = await inspector.client.ok(Q, { c: county.code });
    // begin, the request's timeouts, authenticate, the county, townships, their ancestors, villages, their ancestors, commit
    expect(app.sqlCount).toBeLessThanOrEqual(9);
    for (const t of r.adminUnit.children.edges) {
      expect(t.node.ancestors.map((a: any) => a.code)).toEqual([region.code, county.code]);
      for (const v of t.node.children.edges) expect(v.node.ancestors.map((a: any) => a.code)).toEqual([region.code, county.code, t.node.code]);
    }
    // a township admin sees only the ancestors inside their scope: none above the township
    const admin = await app.user(townships[0]!, ['ORG_ADMIN']);
    const own = await admin.client.ok(`query($c: String!) { adminUnit(code: $c) { children { edges { node { ancestors { code } } } } } }`, { c: townships[0]!.code });
    for (const v of own.adminUnit.children.edges) expect(v.node.ancestors.map((a: any) => a.code)).toEqual([townships[0]!.code]);
  });
});
