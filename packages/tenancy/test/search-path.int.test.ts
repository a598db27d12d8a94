import { withClient } from '@jiceng/db';
import { test, expect, describe } from '@jiceng/testkit';

// A temporary table named like a real one shadows it for every name resolved through a search_path
// that does not place pg_temp last (PostgreSQL searches pg_temp first unless it is named).
describe('function search paths and temporary tables', () => {
  test('every function in schema public (extensions aside) has a fixed search_path with pg_temp last', async ({ app }) => {
    const rows = await app.asOwner((em) =>
      em.execute<{ fn: string; config: string[] | null }[]>(
        `select p.oid::regprocedure::text as fn, p.proconfig as config from pg_proc p
          where p.pronamespace = 'public'::regnamespace and p.prokind in ('f', 'p')
            and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
          order by 1`,
      ),
    );
    expect(rows.map((r) => r.fn)).toContain('jiceng_fill_tenant_keys()');
    expect(rows.map((r) => r.fn)).toContain('jiceng_post_transfer(text,text,text,text,integer,bigint,text,bigint,text,bigint,date,text,text,text,text,bigint,bigint)');
    const unpinned = rows.filter((r) => {
      const sp = (r.config ?? []).find((c) => c.startsWith('search_path='));
      return !sp || !/^search_path=(pg_catalog, )?public, pg_temp$/.test(sp);
    });
    expect(unpinned).toEqual([]);
  });

  test('the API role may not create temporary tables', async ({ app }) => {
    const err = await withClient(app.db.apiUrl, (c) => c.query('create temp table admin_unit (id bigint, path ltree, county_id bigint)')).then(() => null, (e) => e);
    expect(err?.code).toBe('42501');
    const [priv] = await app.asOwner((em) => em.execute<{ temp: boolean }[]>(`select has_database_privilege('jiceng_api', current_database(), 'TEMPORARY') as temp`));
    expect(priv!.temp).toBe(false);
  });

  test('a temporary admin_unit cannot redirect the tenant-keys trigger to another unit', async ({ app }) => {
    const region = await app.tree.region();
    const mine = await (await (await region.county()).township()).village();
    const theirs = await (await (await region.county()).township()).village();
    // the owner may still create temporary tables (demo seeds do): even then the trigger reads the real table
    const path = await app.asOwner(async (em) => {
      await em.execute(`create temp table admin_unit (id bigint, path ltree, county_id bigint) on commit drop`);
      await em.execute(`insert into pg_temp.admin_unit values (?, ?::ltree, ?)`, [mine.id, theirs.path, theirs.unit.countyId]);
      const [r] = await em.execute<{ unit_path: string }[]>(
        `insert into app_user (username, display_name, password_hash, unit_id, roles) values ('shadow-test', 'x', 'x', ?, '{REPORTER}') returning unit_path::text`,
        [mine.id],
      );
      return r!.unit_path;
    });
    expect(path).toBe(mine.path);
  });
});
