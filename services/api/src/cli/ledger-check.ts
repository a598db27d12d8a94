// Checks the funding ledger's invariants over the whole tree (ledgerProblems): entries sum to zero,
// every transfer has one debit and one credit, every balance is the sum of its entries, and the
// per-county rollup equals the accounts, and no village holds two awards. Prints what it found; exits 1 when anything is off, 2 when
// it could not check. Runs beside a started service too (it attaches to its embedded database).
// Usage: pnpm ledger:check
import { createLogger, readConfig } from '@jiceng/core';
import { createOrm, inScope, type DatabaseHandle } from '@jiceng/db';
import { ledgerProblems } from '@jiceng/funding';
import { allEntities, openConfiguredDatabase } from '../boot.js';

const log = createLogger('info', { cli: 'ledger-check' });
let db: DatabaseHandle | undefined;
let code = 2;
try {
  db = await openConfiguredDatabase(readConfig(), { attach: true });
  const orm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 1 });
  try {
    const found = await inScope(orm, ['cn'], ledgerProblems);
    const ok = found.entrySum === '0' && !found.driftingAccounts.length && !found.unbalancedTransfers.length && !found.rollupDrift.length && !found.awardedTwice.length;
    if (ok) log.info('ledger consistent');
    else log.error('ledger inconsistent', { ...found, rollupDrift: found.rollupDrift.slice(0, 20) });
    code = ok ? 0 : 1;
  } finally {
    await orm.close();
  }
} catch (e) {
  log.error('ledger check could not run', { error: e instanceof Error ? e : new Error(String(e)) });
} finally {
  await db?.stop();
}
process.exitCode = code;
