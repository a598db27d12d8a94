import 'reflect-metadata';
import './actions.js';
import type { JicengModule } from '@jiceng/tenancy';
import { pairingMigrations } from './migrations.js';
import { PairingResolver, PairingUnitResolver } from './graphql/pairing.resolver.js';
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
export { SUPPORT_ROLLUP, pairingRollupCheck } from './rollup.js';

export const pairingModule: JicengModule = {
  name: 'pairing',
  entities: pairingEntities,
  resolvers: [PairingUnitResolver, PairingResolver, PairingListsResolver, SupportEntryResolver, MePartnerResolver],
  rules: pairingRules,
  migrations: pairingMigrations,
  seedDemo: seedPairingDemo,
  rollupCheck: pairingRollupCheck,
};
