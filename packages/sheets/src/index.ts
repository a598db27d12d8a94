// Ledgers as spreadsheets (台账): exports of each module's registers per subtree and year, and
// validated imports. A client of the other modules' exported functions only; it owns no ledger.
import 'reflect-metadata';
import { isAuthenticated, type JicengModule } from '@jiceng/tenancy';
import { sheetsMigrations } from './migrations.js';
import { ImportJobResolver } from './graphql.js';
import { importSweepTask } from './import/jobs.js';

export const SHEETS_MODULE = 'sheets';
export * from './columns.js';
export * from './export/ledgers.js';
export * from './export/export.js';

export * from './import/limits.js';
export * from './import/read.js';
export * from './import/kinds.js';
export * from './import/jobs.js';
export * from './import/template.js';
export { jobOut } from './graphql.js';

export const sheetsModule: JicengModule = {
  name: SHEETS_MODULE,
  entities: [],
  resolvers: [ImportJobResolver],
  rules: {
    Query: { importJob: isAuthenticated, importJobs: isAuthenticated },
    ImportJob: { '*': isAuthenticated },
    ImportProblem: { '*': isAuthenticated },
    ImportOutcome: { '*': isAuthenticated },
  },
  migrations: sheetsMigrations,
  maintenance: [importSweepTask],
};
