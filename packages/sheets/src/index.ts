// Ledgers as spreadsheets (台账): exports of each module's registers per subtree and year, and
// validated imports. A client of the other modules' exported functions only; it owns no ledger.
export const SHEETS_MODULE = 'sheets';
export * from './columns.js';
export * from './export/ledgers.js';
export * from './export/export.js';
