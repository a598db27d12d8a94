import 'reflect-metadata';
import './actions.js';
import type { JicengModule } from '@jiceng/tenancy';
import { pairingMigrations } from './migrations.js';
import { PairingResolver, PairingUnitResolver } from './graphql/pairing.resolver.js';
import { MePartnerResolver, PairingListsResolver, SupportEntryResolver } from './graphql/lists.resolver.js';
import { pairingRules } from './rules.js';
import { seedPairingDemo } from './demo.seed.js';

export * from './credit-code.js';
export * from './pairing.service.js';
export * from './coverage.service.js';
export * from './exports.js';

export const pairingModule: JicengModule = {
  name: 'pairing',
  entities: [],
  resolvers: [PairingUnitResolver, PairingResolver, PairingListsResolver, SupportEntryResolver, MePartnerResolver],
  rules: pairingRules,
  migrations: pairingMigrations,
  seedDemo: seedPairingDemo,
};
