// Creates (or resets) a PLATFORM_ADMIN account: the first account of a production deployment.
// Usage: JICENG_ADMIN_PASSWORD=... pnpm admin:create <username> [unit-code]
// Its home unit is the country (000000000000) unless a unit code is given; its scope is the whole
// country either way.
import { createLogger, readConfig } from '@jiceng/core';
import { createOrm, inScope, migrate } from '@jiceng/db';
import { assertPassword, COUNTRY_CODE, hashPassword } from '@jiceng/tenancy';
import { allEntities, allMigrations, openConfiguredDatabase } from '../boot.js';

const [username, unitCode = COUNTRY_CODE] = process.argv.slice(2);
const password = process.env.JICENG_ADMIN_PASSWORD ?? '';
const log = createLogger('info', { cli: 'create-admin' });
if (!username || !/^\d{12}$/.test(unitCode ?? '')) {
  console.error('usage: JICENG_ADMIN_PASSWORD=... pnpm admin:create <username> [12-digit unit code, default the country 000000000000]');
  process.exit(2);
}
assertPassword(password, 'JICENG_ADMIN_PASSWORD');
const config = readConfig();
const db = await openConfiguredDatabase(config, { attach: true });
try {
  await migrate(db.ownerUrl, allMigrations());
  const orm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 1 });
  const hash = await hashPassword(password);
  await inScope(orm, ['cn'], async (em) => {
    const [unit] = await em.execute<{ id: string }[]>('select id from admin_unit where code = ?', [unitCode]);
    if (!unit) throw new Error(`no unit with code ${unitCode}: import the code list first (pnpm import:units)`);
    await em.execute(
      `insert into app_user (username, display_name, password_hash, unit_id, roles) values (?, ?, ?, ?, '{PLATFORM_ADMIN}')
       on conflict (username) do update set password_hash = excluded.password_hash, roles = excluded.roles,
         disabled = false, token_version = app_user.token_version + 1, updated_at = now()`,
      [username.toLowerCase(), username, hash, unit.id],
    );
  });
  await orm.close();
  log.info('platform admin ready', { username });
} finally {
  await db.stop();
}
