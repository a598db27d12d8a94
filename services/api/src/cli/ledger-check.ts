// Checks the funding ledger's invariants over the whole tree (ledgerProblems): entries sum to zero,
// every transfer has one debit and one credit, every balance is the sum of its entries, and the
// per-county rollup equals the accounts, and no village holds two awards. Prints what it found; exits 1 when anything is off, 2 when
// it could not check. Runs beside a started service too (it attaches to its embedded database).
// Usage: pnpm ledger:check
import { inScope } from '@jiceng/db';
import { ledgerProblems } from '@jiceng/funding';
import { runCheck } from './check-frame.js';

await runCheck('ledger-check', async (orm, log) => {
  const found = await inScope(orm, ['cn'], ledgerProblems);
  const ok = found.entrySum === '0' && !found.driftingAccounts.length && !found.unbalancedTransfers.length && !found.rollupDrift.length && !found.awardedTwice.length;
  if (ok) log.info('ledger consistent');
  else log.error('ledger inconsistent', { ...found, rollupDrift: found.rollupDrift.slice(0, 20) });
  return ok;
});
