import 'reflect-metadata';
import './actions.js';
import './due-items.js';
import type { JicengModule } from '@jiceng/tenancy';
import { rectificationMigrations } from './migrations.js';
import { RectificationCaseResolver, RectificationUnitResolver, RelapsePatternsResolver } from './graphql/rectification.resolver.js';
import { rectificationRules } from './rules.js';
import { StandardsResolver } from './graphql/standards.resolver.js';
import { ComplaintResolver, ReadableCaseResolver, ReadableUnitResolver } from './graphql/readable.resolver.js';
import { seedRectificationDemo } from './demo.seed.js';
import { rectificationEntities } from './entities/rectification.entities.js';
import { rectificationRollupCheck } from './rollup.js';

export { rectificationMigrations };
export * from './lifecycle.js';
export * from './standards.js';
export * from './case.service.js';
export * from './complaint.service.js';
export * from './dashboard.service.js';
export * from './exports.js';
export * from './inputs.js';
export * from './entities/rectification.entities.js';
export { RECTIFICATION_ROLLUP, rectificationRollupCheck } from './rollup.js';

export const rectificationModule: JicengModule = {
  name: 'rectification',
  entities: rectificationEntities,
  resolvers: [RectificationUnitResolver, RectificationCaseResolver, RelapsePatternsResolver, StandardsResolver, ReadableUnitResolver, ReadableCaseResolver, ComplaintResolver],
  rules: rectificationRules,
  migrations: rectificationMigrations,
  seedDemo: seedRectificationDemo,
  rollupCheck: rectificationRollupCheck,
};
