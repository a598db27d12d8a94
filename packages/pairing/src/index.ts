import 'reflect-metadata';
import './actions.js';
import type { JicengModule } from '@jiceng/tenancy';
import { pairingMigrations } from './migrations.js';
import { PairingCoverageResolver, PairingResolver, PairingUnitResolver } from './graphql/pairing.resolver.js';
import { MePartnerResolver, PairingListsResolver, SupportEntryResolver } from './graphql/lists.resolver.js';
import { pairingRules } from './rules.js';
import { seedPairingDemo } from './demo.seed.js';
import { pairingEntities } from './entities/pairing.entities.js';
import { pairingRollupCheck } from './rollup.js';

export * from './credit-code.js';
export * from './pairing.service.js';
export * from './coverage.service.js';
export * from './lists.service.js';
export * from './inputs.js';
export * from './values.js';
export * from './entities/pairing.entities.js';
export type { PairingRecord, PartnerRecord, SupportEntryRecord, SupportTotalsRecord } from './pairing.store.js';
export * from './exports.js';
export { COVERAGE_ROLLUP, SUPPORT_ROLLUP, pairingRollupCheck } from './rollup.js';

export const pairingModule: JicengModule = {
  name: 'pairing',
  entities: pairingEntities,
  resolvers: [PairingUnitResolver, PairingCoverageResolver, PairingResolver, PairingListsResolver, SupportEntryResolver, MePartnerResolver],
  rules: pairingRules,
  migrations: pairingMigrations,
  seedDemo: seedPairingDemo,
  rollupCheck: pairingRollupCheck,
};
