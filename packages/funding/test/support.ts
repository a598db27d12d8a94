import type { Principal } from '@jiceng/tenancy';
import { afterAll, expect, type TestApp, type TestUser } from '@jiceng/testkit';
import { fundRollupProblems, ledgerProblems } from '../src/invariants.js';

let seq = 0;
/** A fresh idempotency key. */
export const key = (s: string) => `${s}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`;
export const UNIT_ID = `query($c: String!) { adminUnit(code: $c) { id } }`;

/**
 * The ledger's invariants over a whole test database: debits equal credits, each transfer has one
 * debit and one credit entry of the same size, every balance is the sum of its entries, and the
 * per-county rollup (compacted plus pending) equals the accounts it summarises, and every per-unit rollup
 * figure and village row (fund_unit_rollup, fund_village) equals what the ledger gives.
 */
export async function expectLedgerConsistent(app: TestApp): Promise<void> {
  expect(await app.asOwner(ledgerProblems)).toEqual({ entrySum: '0', driftingAccounts: [], unbalancedTransfers: [], rollupDrift: [], awardedTwice: [] });
  expect(await app.asOwner(fundRollupProblems)).toEqual([]);
}

/** Checks the ledger of the file's database after all its tests: call the returned function with the app. */
export function checkLedgerAfterAll(): (app: TestApp) => void {
  let used: TestApp | undefined;
  afterAll(async () => {
    if (used) await expectLedgerConsistent(used);
  });
  return (app) => {
    used = app;
  };
}

/** A test user as a service-layer principal, scoped to their unit. */
export const principalOf = (u: TestUser): Principal => ({
  userId: u.id, username: u.username, displayName: u.username, unitId: u.unit.id, unitPath: u.unit.path, roles: u.roles, scopes: [u.unit.path],
});
