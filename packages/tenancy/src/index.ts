import 'reflect-metadata';
import { AdminUnitEntity } from './entities/admin-unit.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { AdminUnitResolver } from './graphql/admin-unit.resolver.js';
import { UserResolver } from './graphql/user.resolver.js';
import { ImportResolver } from './graphql/import.resolver.js';
import { LiveResolver } from './graphql/live.js';
import { DueItemsResolver } from './graphql/due-items.resolver.js';
import { seedTenancyDemo } from './demo/seed.js';
import { tenancyMigrations } from './migrations.js';
import { tenancyRules } from './rules.js';
import type { JicengModule } from './module.js';
import { ruralVillagesCheck } from './tenancy.store.js';

export * from './roles.js';
export * from './principal.js';
export * from './config.js';
export * from './context.js';
export * from './module.js';
export * from './shield.js';
export * from './text-limits.js';
export * from './pagination.js';
export * from './password.js';
export * from './auth.service.js';
export * from './admin-unit.service.js';
export * from './user.service.js';
export * from './loaders.js';
export * from './placement.js';
export * from './due-items.js';
export { DueItem } from './graphql/due-items.resolver.js';
export { AdminUnitEntity, ADMIN_LEVELS, COUNTRY_CODE, COUNTRY_PATH, type AdminUnitRow } from './entities/admin-unit.entity.js';
export * from './entities/user.entity.js';
export * from './migrations.js';
export * from './import/code-list.js';
export * from './import/import.service.js';
export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo/seed.js';
export * from './graphql/connection.js';
export * from './graphql/scalars.js';
export * from './graphql/live.js';
export * from './live.js';
export * from './graphql/admin-unit.types.js';
export { unitGlobalId, unitDbId } from './graphql/admin-unit.resolver.js';
export { requirePrincipal } from './graphql/principal.js';

export const tenancyModule: JicengModule = {
  name: 'tenancy',
  entities: [AdminUnitEntity, UserEntity],
  resolvers: [AdminUnitResolver, UserResolver, ImportResolver, LiveResolver, DueItemsResolver],
  rules: tenancyRules,
  migrations: tenancyMigrations,
  seedDemo: seedTenancyDemo,
  rollupCheck: ruralVillagesCheck,
};
/** `pnpm rollup:check`'s part for tenancy: each unit's rural_villages against its children. */
export { ruralVillagesCheck };
