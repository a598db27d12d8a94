import type { EntityManager, RollupDisagreement } from '@jiceng/db';
import { ledgerFindings, unitRollupFindings } from './funding.store.js';

export interface LedgerProblems {
  /** sum of all entries (must be 0: debits equal credits) */
  entrySum: string;
  /** accounts whose balance is not the sum of their entries */
  driftingAccounts: string[];
  /** transfers without exactly one debit and one credit of the same size */
  unbalancedTransfers: string[];
  /** rollup keys whose compacted plus pending amount differs from the accounts they sum up */
  rollupDrift: { path: string; fund: string; year: number; kind: string; accounts: string; rollup: string }[];
  /** villages holding more than one award not reversed (the award is once per village, in any year) */
  awardedTwice: string[];
}

/** The ledger's invariants, checked over everything the scope sees (the whole country for a full check). */
export async function ledgerProblems(em: EntityManager): Promise<LedgerProblems> {
  return ledgerFindings(em);
}

export type { UnitRollupDrift } from './funding.store.js';

/**
 * The per-unit rollup checked against the ledger (every unit, year, fund and kind; and each unit's days to
 * first payment): the figures that differ, by unit, year and figure. Empty when consistent.
 */
export async function fundRollupProblems(em: EntityManager) {
  return unitRollupFindings(em);
}

/** The per-unit rollup's check as `pnpm rollup:check` runs it (JicengModule.rollupCheck). */
export async function fundingRollupCheck(em: EntityManager): Promise<RollupDisagreement[]> {
  return (await unitRollupFindings(em)).map((d) => ({
    rollup: d.figure.startsWith('village ') ? 'fund_village' : 'fund_unit_rollup',
    unitId: d.unitId, unitPath: d.path, key: String(d.year), figure: d.figure, rollupValue: d.found, sourceValue: d.expected,
  }));
}
