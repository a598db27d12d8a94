import 'reflect-metadata';
import './actions.js';
import './due-items.js';
import type { JicengModule } from '@jiceng/tenancy';
import { warningMigrations } from './migrations.js';
import { WarningResolver, WarningUnitResolver } from './graphql/warning.resolver.js';
import { AccountabilityResolver, AccountabilityUnitResolver } from './graphql/accountability.resolver.js';
import { warningRules } from './rules.js';
import { seedWarningDemo } from './demo.seed.js';
import { seedAccountabilityDemo } from './accountability.demo.js';
import { escalationTask } from './handling.service.js';
import { DisputeResolver, DisputeUnitResolver } from './graphql/disputes.resolver.js';
import { HandlingResolver, HandlingUnitResolver, HandlingWarningResolver } from './graphql/handling.resolver.js';

export * from './catalog.js';
export { insertCatalog } from './warning.store.js';
export * from './warning.service.js';
export * from './accountability.service.js';
export * from './handling.service.js';
export * from './exports.js';

export const warningModule: JicengModule = {
  name: 'warning',
  entities: [],
  resolvers: [WarningResolver, WarningUnitResolver, AccountabilityResolver, AccountabilityUnitResolver, HandlingResolver, HandlingWarningResolver, HandlingUnitResolver,
    DisputeResolver, DisputeUnitResolver],
  rules: warningRules,
  migrations: warningMigrations,
  seedDemo: async (seed) => {
    await seedWarningDemo(seed);
    await seedAccountabilityDemo(seed);
  },
  maintenance: [escalationTask],
};
