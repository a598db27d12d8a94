import { createOrm, inScope, scopeLiteral, withClient, type EntityManager } from '@jiceng/db';
import { AdminUnitEntity, UserEntity } from '@jiceng/tenancy';
import { test, expect, describe, allEntities, isolationWorld, type TestApp } from '@jiceng/testkit';

// Layer 2 on its own: what the API role's connection can see and do when nothing above the
// database (no shield, no service check, no MikroORM filter) stands in the way.

/** Tables and views holding tenant rows, and the column their policy keys on. */
async function tenantRelations(app: TestApp): Promise<{ name: string; kind: string; column: string }[]> {
  return app.asOwner((em) =>
    em.execute(
      `select c.relname as name, c.relkind as kind, case when c.relname in ('admin_unit', 'tenancy_unit') then 'path' else 'unit_path' end as column
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and not a.attisdropped
                       and (a.attname = 'unit_path' or (c.relname in ('admin_unit', 'tenancy_unit') and a.attname = 'path')))
        order by 1`,
    ),
  );
}

/** Rows of every tenant relation outside the given scope, as the API role sees them with only RLS. */
async function foreignRows(em: EntityManager, relations: { name: string; column: string }[], scope: string[]) {
  const out: Record<string, number> = {};
  for (const r of relations) {
    const [row] = await em.execute<{ n: number }[]>(
      `select count(*)::int as n from ${r.name} where not (${r.column} <@ any (?::ltree[]))`,
      [scopeLiteral(scope) || '{}'],
    );
    out[r.name] = row!.n;
  }
  return out;
}

const zeroes = (relations: { name: string }[]) => Object.fromEntries(relations.map((r) => [r.name, 0]));

describe('RLS alone, with the MikroORM filter switched off', () => {
  test('em.find with filters: false returns only rows inside the scope, for every scoped entity', async ({ app }) => {
    const w = await isolationWorld(app);
    for (const n of [w.region, w.home, w.village, w.sibling, w.siblingVillage, w.elsewhere]) await app.user(n, ['REPORTER']);
    const scoped = allEntities().filter((e) => e.meta.properties.unitPath || e.meta.tableName === 'admin_unit');
    expect(scoped.map((e) => e.meta.tableName).sort()).toEqual(expect.arrayContaining(['admin_unit', 'app_user']));

    const pathOf = (row: any): string => row.unitPath ?? row.path;
    // the rows are there: the owner with the whole country sees foreign ones
    await app.asOwner(async (em) => {
      const all = await em.find(UserEntity, {}, { filters: false });
      expect(all.some((u) => !u.unitPath!.startsWith(w.home.path))).toBe(true);
    });
    // entities with no rows in this world are exercised by their module's own tests (e.g. pairing's store test)
    const withRows = await app.asOwner(async (em) => {
      const out: typeof scoped = [];
      for (const e of scoped) if ((await em.count(e as any, {}, { filters: false })) > 0) out.push(e);
      return out;
    });
    expect(withRows.map((e) => e.meta.tableName)).toEqual(expect.arrayContaining(['admin_unit', 'app_user']));
    await inScope(app.orm, [w.home.path], async (em) => {
      for (const entity of withRows) {
        const rows = await em.find(entity as any, {}, { filters: false });
        // the world holds tenancy's rows; each module's own entities are checked with rows in its tests
        if (['admin_unit', 'app_user'].includes(entity.meta.tableName)) expect(rows.length, entity.meta.className).toBeGreaterThan(0);
        const outside = rows.map(pathOf).filter((p) => p !== w.home.path && !p.startsWith(`${w.home.path}.`));
        expect(outside, entity.meta.className).toEqual([]);
      }
    });
  });

  test('raw SQL as the API role: zero foreign rows in every tenant table and view', async ({ app }) => {
    const w = await isolationWorld(app);
    for (const n of [w.region, w.home, w.village, w.siblingVillage, w.elsewhere]) await app.user(n, ['REPORTER']);
    const relations = await tenantRelations(app);
    // tenancy's published views (what other modules join) included
    expect(relations.map((r) => r.name)).toEqual(expect.arrayContaining(['admin_unit', 'app_user', 'tenancy_unit', 'tenancy_account']));
    await inScope(app.orm, [w.home.path], async (em) => {
      expect(await foreignRows(em, relations, [w.home.path])).toEqual(zeroes(relations));
      const [own] = await em.execute<{ n: number }[]>(`select count(*)::int as n from admin_unit`);
      expect(own!.n).toBe(4); // home, its two townships and the village
    });
    // a partner-like scope of two villages in different counties
    await inScope(app.orm, [w.village.path, w.siblingVillage.path], async (em) => {
      expect(await foreignRows(em, relations, [w.village.path, w.siblingVillage.path])).toEqual(zeroes(relations));
      expect(await em.execute(`select code from admin_unit order by code`)).toEqual(
        [{ code: w.village.code }, { code: w.siblingVillage.code }].sort((a, b) => a.code.localeCompare(b.code)),
      );
    });
  });

  test('writes outside the scope change nothing or are refused', async ({ app }) => {
    const w = await isolationWorld(app);
    const foreign = await app.user(w.siblingVillage, ['REPORTER']);
    const own = await app.user(w.village, ['REPORTER']);
    const asHome = <T>(fn: (em: EntityManager) => Promise<T>) => inScope(app.orm, [w.home.path], fn);

    // update and delete simply do not see foreign rows
    await asHome((em) => em.execute(`update admin_unit set name = 'x' where id = ?`, [w.siblingVillage.id]));
    await asHome((em) => em.execute(`update app_user set display_name = 'x' where id = ?`, [foreign.id]));
    await asHome((em) => em.execute(`delete from app_user where id = ?`, [foreign.id]));
    const [unit] = await app.asOwner((em) => em.execute<{ name: string }[]>(`select name from admin_unit where id = ?`, [w.siblingVillage.id]));
    expect(unit!.name).not.toBe('x');
    const [user] = await app.asOwner((em) => em.execute<{ display_name: string }[]>(`select display_name from app_user where id = ?`, [foreign.id]));
    expect(user!.display_name).not.toBe('x');

    // a row cannot be created at, or moved to, a unit outside the scope
    await expect(
      asHome((em) => em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values ('intruder', 'i', 'x', ?, '{REPORTER}')`, [w.siblingVillage.id])),
    ).rejects.toThrow();
    await expect(asHome((em) => em.execute(`update app_user set unit_id = ? where id = ?`, [w.siblingVillage.id, own.id]))).rejects.toThrow();
    // nor can a unit be re-pathed out of the scope, or a unit_path be forged past the trigger
    await expect(asHome((em) => em.execute(`update admin_unit set path = ?::ltree where id = ?`, [`${w.sibling.path}.x1`, w.village.id]))).rejects.toThrow();
    await expect(asHome((em) => em.execute(`update app_user set unit_path = ?::ltree where id = ?`, [w.siblingVillage.path, own.id]))).rejects.toThrow();
    const [still] = await app.asOwner((em) => em.execute<{ unit_path: string }[]>(`select unit_path::text from app_user where id = ?`, [own.id]));
    expect(still!.unit_path).toBe(w.village.path);
  });
});

describe('the scope setting', () => {
  test('a pool of ONE connection alternating tenants hundreds of times never leaks a scope', async ({ app }) => {
    const w = await isolationWorld(app);
    const relations = await tenantRelations(app);
    const orm = await createOrm({ url: app.db.apiUrl, entities: allEntities(), poolMax: 1 });
    try {
      const tenants = [[w.home.path], [w.sibling.path], [w.township.path], [w.siblingTownship.path], [], [w.village.path, w.siblingVillage.path]];
      const backends = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const scope = tenants[i % tenants.length]!;
        if (i % 20 === 3) {
          // an errored transaction, and one rolled back on purpose, leave nothing behind
          await expect(inScope(orm, [w.region.path], (em) => em.execute('select 1/0'))).rejects.toThrow();
          await expect(inScope(orm, ['cn'], async () => { throw new Error('rolled back'); })).rejects.toThrow('rolled back');
        }
        await inScope(orm, scope, async (em) => {
          backends.add((await em.execute<{ pid: number }[]>('select pg_backend_pid() as pid'))[0]!.pid);
          // both layers: the MikroORM filter and RLS under it
          const units = await em.find(AdminUnitEntity, {});
          const raw = await em.execute<{ path: string }[]>('select path::text from admin_unit');
          expect(units.length).toBe(raw.length);
          for (const p of raw.map((r) => r.path)) expect(scope.some((s) => p === s || p.startsWith(`${s}.`)), p).toBe(true);
          if (i % 50 === 0) expect(await foreignRows(em, relations, scope)).toEqual(zeroes(relations));
        });
        // between requests the connection carries no scope at all
        const between = await orm.em.fork().getConnection().execute(`select current_setting('app.scopes', true) as s, (select count(*)::int from admin_unit) as n`);
        expect(between[0]).toEqual({ s: '', n: 0 });
      }
      expect(backends.size).toBe(1);
    } finally {
      await orm.close();
    }
  });

  test("an absent, empty or malformed setting sees nothing (the '' ltree root trap)", async ({ app }) => {
    const w = await isolationWorld(app);
    const relations = await tenantRelations(app);
    await withClient(app.db.apiUrl, async (api) => {
      const rows = async () => {
        let n = 0;
        for (const r of relations) n += (await api.query(`select count(*)::int as n from ${r.name}`)).rows[0].n;
        return n;
      };
      const setting = async () => (await api.query(`select current_setting('app.scopes', true) as s`)).rows[0].s;
      const seen = async (scopes: string) => {
        await api.query('begin');
        try {
          await api.query(`select set_config('app.scopes', $1, true)`, [scopes]);
          return { rows: await rows(), scopes: (await api.query(`select jiceng_scopes()::text as s`)).rows[0].s };
        } finally {
          await api.query('commit');
        }
      };
      // a fresh session that never set it
      expect(await setting()).toBeNull();
      expect(await rows()).toBe(0);
      // empty, an empty array, and an empty label (which as an ltree is the root, above every path)
      expect(await seen('')).toEqual({ rows: 0, scopes: '{}' });
      expect(await seen('{}')).toEqual({ rows: 0, scopes: '{}' });
      expect(await seen('{""}')).toEqual({ rows: 0, scopes: '{}' });
      expect(await seen(`{"",${w.home.path}}`)).toEqual(await seen(`{${w.home.path}}`));
      // after a transaction-local scope ends, the session reads '' (not null): still nothing
      expect((await seen('{cn}')).rows).toBeGreaterThan(0);
      expect(await setting()).toBe('');
      expect(await rows()).toBe(0);
      // something that is not an ltree array fails closed
      await api.query('begin');
      await api.query(`select set_config('app.scopes', 'cn', true)`);
      await expect(api.query('select count(*) from admin_unit')).rejects.toThrow();
      await api.query('rollback');
    });
  });

  test('scopeLiteral refuses anything that is not a list of ltree paths', () => {
    expect(() => scopeLiteral(["cn'; drop table x"])).toThrow();
    expect(() => scopeLiteral([''])).toThrow();
    expect(() => scopeLiteral(['cn.r15,cn'])).toThrow();
    expect(scopeLiteral([])).toBe('');
    expect(scopeLiteral(['cn.r15', 'cn.r14'])).toBe('{cn.r15,cn.r14}');
  });
});

describe('catalog', () => {
  test('a unit\'s path label starts with its level\'s letter (paths alone tell a county from a township)', async ({ app }) => {
    const region = await app.tree.region();
    const insert = (level: string, label: string) =>
      app.asOwner((em) => em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('999999999999', 'x', ?, ?, ?::ltree)`, [level, region.id, `${region.path}.${label}`]));
    await expect(insert('COUNTY', 't999999')).rejects.toThrow(/admin_unit_label_matches_level/);
    await expect(insert('VILLAGE', 'c999999')).rejects.toThrow(/admin_unit_label_matches_level/);
  });

  test('every table with a unit path has RLS enabled and forced, and policies keyed on the scope', async ({ app }) => {
    await app.asOwner(async (em) => {
      const tables = await em.execute<{ name: string; rls: boolean; forced: boolean; owner: string; policies: number }[]>(
        `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced, pg_get_userbyid(c.relowner) as owner,
                (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p')
            and exists (select 1 from pg_attribute a where a.attrelid = c.oid and not a.attisdropped
                         and (a.attname = 'unit_path' or (c.relname = 'admin_unit' and a.attname = 'path')))
          order by 1`,
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['admin_unit', 'app_user']));
      for (const t of tables) expect(t, t.name).toMatchObject({ rls: true, forced: true, owner: 'jiceng_owner', policies: expect.any(Number) });
      for (const t of tables) expect(t.policies, t.name).toBeGreaterThan(0);

      // every permissive policy that applies to the API role (directly, via PUBLIC or a role it is in)
      // checks the scope (restrictive ones only narrow what those let through)
      const loose = await em.execute<{ policy: string; qual: string | null; check: string | null }[]>(
        `select p.polrelid::regclass::text || '.' || p.polname as policy, pg_get_expr(p.polqual, p.polrelid) as qual,
                pg_get_expr(p.polwithcheck, p.polrelid) as check
           from pg_policy p
          where p.polpermissive and exists (select 1 from unnest(p.polroles) r where r = 0 or pg_has_role('jiceng_api', r, 'member'))
            and ((p.polqual is not null and pg_get_expr(p.polqual, p.polrelid) not like '%jiceng_scopes()%')
              or (p.polwithcheck is not null and pg_get_expr(p.polwithcheck, p.polrelid) not like '%jiceng_scopes()%'))`,
      );
      expect(loose).toEqual([]);

      // views over tenant rows run as the caller; no materialized view (RLS does not apply to them) is readable
      const views = await em.execute<{ name: string; kind: string; invoker: boolean }[]>(
        `select c.relname as name, c.relkind as kind, coalesce('security_invoker=true' = any (c.reloptions), false) as invoker
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('v', 'm') and has_table_privilege('jiceng_api', c.oid, 'select')
            and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'unit_path')`,
      );
      for (const v of views) expect(v, v.name).toMatchObject({ kind: 'v', invoker: true });

      // functions that run as their owner cannot be hijacked through search_path
      const definers = await em.execute<{ name: string }[]>(
        `select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.prosecdef and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')`,
      );
      expect(definers).toEqual([]);
    });
  });

  test('the API role is not superuser, cannot bypass RLS, owns nothing and belongs to no role', async ({ app }) => {
    const [role] = await app.asOwner((em) =>
      em.execute(
        `select r.rolsuper as super, r.rolbypassrls as bypass, r.rolcreaterole as createrole, r.rolcreatedb as createdb,
                (select count(*)::int from pg_class c where c.relowner = r.oid) as relations,
                (select count(*)::int from pg_proc p where p.proowner = r.oid) as functions,
                (select count(*)::int from pg_namespace s where s.nspowner = r.oid) as schemas,
                (select count(*)::int from pg_auth_members m where m.member = r.oid) as memberships
           from pg_roles r where r.rolname = 'jiceng_api'`,
      ),
    );
    expect(role).toEqual({ super: false, bypass: false, createrole: false, createdb: false, relations: 0, functions: 0, schemas: 0, memberships: 0 });
  });

  test('the API role cannot become the owner, change policies or create objects', async ({ app }) => {
    const attempts = [
      'set role jiceng_owner',
      'set role jiceng_auth',
      'set session authorization jiceng_owner',
      'alter table admin_unit disable row level security',
      'alter table app_user no force row level security',
      'alter policy app_user_in_scope on app_user using (true)',
      'drop policy app_user_in_scope on app_user',
      'create policy everything on app_user using (true)',
      'alter table app_user owner to jiceng_api',
      'create table stash (id int)',
      `create function jiceng_scopes() returns ltree[] language sql as $$ select '{cn}'::ltree[] $$`,
      'grant jiceng_owner to jiceng_api',
      'alter role jiceng_api bypassrls',
      `select set_config('role', 'jiceng_owner', true)`,
    ];
    const refused: string[] = [];
    for (const sql of attempts) {
      try {
        await inScope(app.orm, ['cn'], (em) => em.execute(sql));
      } catch {
        refused.push(sql);
      }
    }
    expect(refused).toEqual(attempts);
    const [check] = await app.asOwner((em) =>
      em.execute(`select current_user as who, (select count(*)::int from pg_policy where polname = 'everything') as extra`),
    );
    expect(check).toEqual({ who: 'jiceng_owner', extra: 0 });
  });
});
