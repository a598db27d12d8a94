// Checks the funding ledger's invariants over the whole tree (ledgerProblems): entries sum to zero,
// every transfer has one debit and one credit, every balance is the sum of its entries, and the
// per-county rollup equals the accounts. Prints what it found; exits 1 when anything is off.
// Usage: pnpm ledger:check
import { createLogger, readConfig } from '@jiceng/core';
import { createOrm, inScope } from '@jiceng/db';
import { ledgerProblems } from '@jiceng/funding';
import { allEntities, openConfiguredDatabase } from '../boot.js';

const log = createLogger('info', { cli: 'ledger-check' });
const db = await openConfiguredDatabase(readConfig());
let ok = false;
try {
  const orm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 1 });
  const found = await inScope(orm, ['cn'], ledgerProblems);
  await orm.close();
  ok = found.entrySum === '0' && !found.driftingAccounts.length && !found.unbalancedTransfers.length && !found.rollupDrift.length;
  if (ok) log.info('ledger consistent');
  else log.error('ledger inconsistent', { ...found, rollupDrift: found.rollupDrift.slice(0, 20) });
} finally {
  await db.stop();
}
process.exitCode = ok ? 0 : 1;
