import fc from 'fast-check';
import { createOrm, inScope, scopeLiteral } from '@jiceng/db';
import { AdminUnitEntity, UserEntity, type Role } from '@jiceng/tenancy';
import { test, expect, describe, allEntities, type TestApp, type Node } from '@jiceng/testkit';

/** A small world: region → two counties, each with a township and villages. */
async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const sibling = await region.county();
  const township = await county.township();
  const village = await township.village();
  const siblingTownship = await sibling.township();
  const siblingVillage = await siblingTownship.village();
  return { region, county, sibling, township, village, siblingTownship, siblingVillage };
}

const UNIT = `query($code: String!) { adminUnit(code: $code) { code children { edges { node { code } } } } }`;

describe('isolation matrix: role × target {own unit, ancestor, sibling, descendant}', () => {
  const STAFF: Role[] = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'];
  for (const role of STAFF) {
    test(`${role} at a county reads its own unit and descendants, not its ancestor or sibling`, async ({ app }) => {
      const w = await world(app);
      const u = await app.user(w.county, [role]);
      const read = async (n: Node) => (await u.client.ok(UNIT, { code: n.code })).adminUnit?.code ?? null;
      expect(await read(w.county)).toBe(w.county.code);
      expect(await read(w.village)).toBe(w.village.code);
      if (role === 'PLATFORM_ADMIN') {
        // the platform sees the whole country
        expect(await read(w.region)).toBe(w.region.code);
        expect(await read(w.siblingVillage)).toBe(w.siblingVillage.code);
      } else {
        expect(await read(w.region)).toBeNull();
        expect(await read(w.sibling)).toBeNull();
        expect(await read(w.siblingVillage)).toBeNull();
      }
    });
  }

  test('a partner role with no pairing sees nothing at all', async ({ app }) => {
    const w = await world(app);
    for (const role of ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'] as Role[]) {
      const u = await app.user(w.village, [role]);
      expect((await u.client.ok(UNIT, { code: w.village.code })).adminUnit).toBeNull();
    }
  });

  test('mutations on a target outside scope look like missing targets (NOT_FOUND), inside scope need the action (FORBIDDEN)', async ({ app }) => {
    const w = await world(app);
    const admin = await app.user(w.county, ['ORG_ADMIN']);
    const inspector = await app.user(w.county, ['INSPECTOR']);
    const ids = await admin.client.ok(`query($a: String!, $b: String!) { a: adminUnit(code: $a) { id } b: adminUnit(code: $b) { id } }`, { a: w.township.code, b: w.village.code });
    const foreign = await (await app.user(w.region, ['ORG_ADMIN'])).client.ok(`query($c: String!) { adminUnit(code: $c) { id } }`, { c: w.siblingTownship.code });
    const MOVE = `mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code } }`;
    await admin.client.fails('NOT_FOUND', MOVE, { u: ids.b.id, p: foreign.adminUnit.id });
    await inspector.client.fails('FORBIDDEN', MOVE, { u: ids.b.id, p: ids.a.id });
    const CREATE = `mutation($unit: ID!) { createUser(input: { username: "x-${Date.now()}", displayName: "x", password: "long-enough-pw", unitId: $unit, roles: ["REPORTER"] }) { id } }`;
    await admin.client.fails('NOT_FOUND', CREATE, { unit: foreign.adminUnit.id });
    await inspector.client.fails('FORBIDDEN', CREATE, { unit: ids.a.id });
  });

  test('unauthenticated requests get UNAUTHENTICATED for every query', async ({ app }) => {
    await app.anonymous.fails('UNAUTHENTICATED', `{ me { user { id } } }`);
    await app.anonymous.fails('UNAUTHENTICATED', `{ adminUnit(code: "150000000000") { id } }`);
    await app.anonymous.fails('UNAUTHENTICATED', `{ users(unitId: "x") { edges { node { id } } } }`);
    await new (await import('@jiceng/testkit')).GraphQLClient(app.url, 'not-a-token').fails('UNAUTHENTICATED', `{ me { user { id } } }`);
  });
});

test('property: random users at random nodes never see a row outside their subtree', async ({ app }) => {
  const region = await app.tree.region();
  const nodes: Node[] = [region];
  for (let c = 0; c < 2; c++) {
    const county = await region.county();
    nodes.push(county);
    for (let t = 0; t < 2; t++) {
      const township = await county.township();
      nodes.push(township);
      for (let v = 0; v < 2; v++) nodes.push(await township.village());
    }
  }
  const users = new Map<string, Awaited<ReturnType<TestApp['user']>>>();
  const seed = Number(process.env.FC_SEED ?? Date.now() % 100000);
  console.log(`isolation property seed ${seed}`);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: nodes.length - 1 }), fc.integer({ min: 0, max: nodes.length - 1 }), async (home, target) => {
      const at = nodes[home]!;
      const u = users.get(at.id) ?? (await app.user(at, ['INSPECTOR']));
      users.set(at.id, u);
      const t = nodes[target]!;
      const seen = (await u.client.ok(UNIT, { code: t.code })).adminUnit;
      const inside = t.path === at.path || t.path.startsWith(at.path + '.');
      expect(seen !== null).toBe(inside);
      for (const e of seen?.children.edges ?? []) expect(nodes.find((n) => n.code === e.node.code)!.path.startsWith(at.path)).toBe(true);
      const found = await u.client.ok(`query($c: String!) { adminUnit(code: $c) { search(name: "测试") { edges { node { code } } } } }`, { c: at.code });
      for (const e of found.adminUnit.search.edges) {
        const n = nodes.find((x) => x.code === e.node.code);
        if (n) expect(n.path.startsWith(at.path + '.')).toBe(true);
      }
    }),
    { seed, numRuns: 40 },
  );
});

describe('the database alone', () => {
  test('with the MikroORM filter off, RLS still returns zero foreign rows', async ({ app }) => {
    const w = await world(app);
    await app.user(w.siblingVillage, ['REPORTER']);
    await inScope(app.orm, [w.county.path], async (em) => {
      const units = await em.find(AdminUnitEntity, {}, { filters: false });
      expect(units.length).toBeGreaterThan(0);
      for (const u of units) expect(u.path.startsWith(w.county.path)).toBe(true);
      const users = await em.find(UserEntity, {}, { filters: false });
      for (const u of users) expect(u.unitPath!.startsWith(w.county.path)).toBe(true);
      const raw = await em.execute<{ n: string }[]>(`select count(*) as n from admin_unit where not (path <@ ?::ltree)`, [w.county.path]);
      expect(Number(raw[0]!.n)).toBe(0);
    });
  });

  test('an empty scope setting sees nothing (the ltree root trap)', async ({ app }) => {
    await world(app);
    await inScope(app.orm, [], async (em) => {
      expect(await em.execute(`select id from admin_unit`)).toEqual([]);
      await em.execute(`select set_config('app.scopes', '', true)`);
      expect(await em.execute(`select id from admin_unit`)).toEqual([]);
    });
  });

  test('writes outside the scope are refused by the policy', async ({ app }) => {
    const w = await world(app);
    await expect(
      inScope(app.orm, [w.county.path], (em) => em.execute(`update admin_unit set name = 'x' where id = ?`, [w.siblingVillage.id])),
    ).resolves.toBeDefined();
    const [row] = await app.asOwner((em) => em.execute<{ name: string }[]>(`select name from admin_unit where id = ?`, [w.siblingVillage.id]));
    expect(row!.name).not.toBe('x');
    await expect(
      inScope(app.orm, [w.county.path], (em) =>
        em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values ('intruder', 'i', 'x', ?, '{REPORTER}')`, [w.siblingVillage.id]),
      ),
    ).rejects.toThrow();
  });

  test('a pool of one connection alternating tenants hundreds of times never leaks a scope', async ({ app }) => {
    const w = await world(app);
    const orm = await createOrm({ url: app.db.apiUrl, entities: allEntities(), poolMax: 1 });
    try {
      const tenants = [w.county, w.sibling, w.township, w.siblingTownship];
      for (let i = 0; i < 300; i++) {
        const t = tenants[i % tenants.length]!;
        if (i % 25 === 7) {
          // a failed transaction must not leave its scope behind either
          await inScope(orm, [t.path], async (em) => {
            await em.execute('select 1/0');
          }).catch(() => undefined);
        }
        const paths = await inScope(orm, [t.path], (em) => em.execute<{ path: string }[]>('select path::text from admin_unit'));
        expect(paths.length).toBeGreaterThan(0);
        for (const p of paths) expect(p.path.startsWith(t.path)).toBe(true);
        // outside any request transaction the connection has no scope
        const outside = await orm.em.fork().getConnection().execute(`select count(*)::int as n from admin_unit`);
        expect(outside[0].n).toBe(0);
      }
    } finally {
      await orm.close();
    }
  });

  test('catalog: every tenant-owned table has RLS enabled and forced; the API role cannot bypass it', async ({ app }) => {
    await app.asOwner(async (em) => {
      const tables = await em.execute<{ relname: string; rls: boolean; forced: boolean; policies: number; owner: string }[]>(
        `select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
                (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies, pg_get_userbyid(c.relowner) as owner
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r'
            and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname in ('unit_path', 'path') and not a.attisdropped)`,
      );
      expect(tables.map((t) => t.relname)).toContain('admin_unit');
      expect(tables.map((t) => t.relname)).toContain('app_user');
      for (const t of tables) {
        expect(t, t.relname).toMatchObject({ rls: true, forced: true });
        expect(t.policies, t.relname).toBeGreaterThan(0);
        expect(t.owner).not.toBe('jiceng_api');
      }
      const [role] = await em.execute<{ rolsuper: boolean; rolbypassrls: boolean; owns: number }[]>(
        `select rolsuper, rolbypassrls, (select count(*)::int from pg_class where relowner = r.oid) as owns from pg_roles r where rolname = 'jiceng_api'`,
      );
      expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: 0 });
    });
    await expect(inScope(app.orm, ['cn'], (em) => em.execute('set role jiceng_owner'))).rejects.toThrow();
    await expect(inScope(app.orm, ['cn'], (em) => em.execute('alter table admin_unit disable row level security'))).rejects.toThrow();
  });
});

test('scopeLiteral refuses paths that are not ltree labels', () => {
  expect(() => scopeLiteral(["cn'; drop table x"])).toThrow();
  expect(scopeLiteral([])).toBe('');
});
