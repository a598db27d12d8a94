import { inScope } from '@jiceng/db';
import type { SeedContext } from '@jiceng/tenancy';
import { SEED_002_CATALOG, catalogRows } from './catalog.js';
import { insertCatalog } from './warning.store.js';

/** Seed 002's catalogue on the demo region (once). */
export async function seedWarningDemo({ orm, log }: SeedContext): Promise<void> {
  await inScope(orm, ['cn'], async (em) => {
    const [region] = await em.execute<{ id: string }[]>(`select id from admin_unit where code = '150000000000'`);
    if (!region) return;
    const [done] = await em.execute(`select 1 from warning_catalog where unit_id = ?`, [region.id]);
    if (done) return;
    await insertCatalog(em, String(region.id), '2025-01-01', catalogRows(SEED_002_CATALOG));
    log.info('warning demo loaded');
  });
}
