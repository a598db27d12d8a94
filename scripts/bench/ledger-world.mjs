// Shared by the ledger benchmarks: a throwaway database (bench-db.mjs). It holds a region, a county, a township of 50 villages, a FINANCE user,
// an appropriation and a budget in every village.
import { createOrm, inScope } from '../../packages/db/dist/index.js';
import { allEntities } from '../../services/api/dist/index.js';
import { openBenchDatabase } from './bench-db.mjs';
import { appropriate, allocate } from '../../packages/funding/dist/index.js';

export async function openLedgerWorld({ poolMax = 8 } = {}) {
  const { urls, close } = await openBenchDatabase();
  try {
    const owner = await createOrm({ url: urls.ownerUrl, entities: allEntities(), poolMax: 2 });
    const fixture = await inScope(owner, ['cn'], async (em) => {
      // a region hangs under the country, the root unit (path cn)
      const [r] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('990000000000', '基准区', 'REGION', (select id from admin_unit where path = 'cn'), 'cn.r99') returning id`);
      const [c] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('990100000000', '基准旗', 'COUNTY', ?, 'cn.r99.c990100') returning id`, [r.id]);
      await em.execute(`update admin_unit set county_id = id where id = ?`, [c.id]);
      const [t] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id) values ('990100001000', '基准镇', 'TOWNSHIP', ?, 'cn.r99.c990100.t990100001', ?) returning id`, [c.id, c.id]);
      const vs = await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id)
        select '990100001' || lpad(g::text, 3, '0'), '基准村' || g, 'VILLAGE', ?, ('cn.r99.c990100.t990100001.v990100001' || lpad(g::text, 3, '0'))::ltree, ?
          from generate_series(1, 50) g returning id, path::text as path`, [t.id, c.id]);
      const [u] = await em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values ('bench-finance', 'b', 'x', ?, '{FINANCE,PLATFORM_ADMIN}') returning id`, [r.id]);
      return { region: { id: String(r.id), path: 'cn.r99' }, county: { id: String(c.id), path: 'cn.r99.c990100' }, villages: vs.map((v) => ({ id: String(v.id), path: v.path })), user: String(u.id) };
    });
    await owner.close();
    const api = await createOrm({ url: urls.apiUrl, entities: allEntities(), poolMax });
    const principal = (path) => ({ userId: fixture.user, username: 'bench-finance', displayName: 'b', unitId: fixture.region.id, unitPath: path, roles: ['FINANCE', 'PLATFORM_ADMIN'], scopes: [path] });
    await inScope(api, [fixture.region.path], async (em) => {
      await appropriate(em, principal(fixture.region.path), { regionId: fixture.region.id, fund: 'OFFICE', year: 2026, amount: 10n ** 12n, key: 'bench-appropriation' });
      for (const v of fixture.villages) {
        await allocate(em, principal(fixture.region.path), { fromId: fixture.region.id, toId: v.id, fund: 'OFFICE', year: 2026, amount: 10n ** 9n, key: `bench-allocate-${v.id}` });
      }
    });
    return { ...fixture, urls, api, principal, close: async () => { await api.close(); await close(); } };
  } catch (e) {
    await close();
    throw e;
  }
}
