import 'reflect-metadata';
import './actions.js';
import type { JicengModule } from '@jiceng/tenancy';
import { fundingMigrations } from './migrations.js';
import { FundingResolver, FundingUnitResolver } from './graphql/funding.resolver.js';
import { fundingRules } from './rules.js';
import { seedFundingDemo } from './demo.seed.js';
import { compactFundRollup } from './funding.service.js';
import { pruneIdempotencyClaims } from './ledger.service.js';
import { fundingEntities } from './entities/funding.entities.js';
import { fundingRollupCheck } from './invariants.js';

export * from './enums.js';
export * from './entities/funding.entities.js';
export * from './ledger.service.js';
export * from './funding.service.js';
export * from './standards.js';
export * from './invariants.js';
// the spreadsheet exports (packages/sheets): the disbursement list, a page at a time
export { disbursementPage, type DisbursementRow } from './funding.store.js';

export const fundingModule: JicengModule = {
  name: 'funding',
  entities: fundingEntities,
  resolvers: [FundingUnitResolver, FundingResolver],
  rules: fundingRules,
  migrations: fundingMigrations,
  seedDemo: seedFundingDemo,
  rollupCheck: fundingRollupCheck,
  maintenance: [
    { name: 'compact fund rollup', everyMs: 2_000, run: compactFundRollup },
    { name: 'prune idempotency claims', everyMs: 3_600_000, run: pruneIdempotencyClaims },
  ],
};
