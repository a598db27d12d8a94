// What the spreadsheet exports (packages/sheets) read of the warning module: the warnings ledger and the
// disputes ledger of a subtree and year, a page at a time (keyset on id). Their SQL lives in the stores.
import type { EntityManager } from '@jiceng/db';
import { disputePages, type DisputeRow } from './disputes.store.js';

export { warningRegisterPage } from './handling.store.js';
export type { WarningRow } from './warning.store.js';
export type { DisputeRow } from './disputes.store.js';

/** The disputes of a subtree recorded in a year, resolved or not, a page after an id. */
export async function disputeRegisterPage(em: EntityManager, path: string, year: number, afterId: string | null, limit: number): Promise<DisputeRow[]> {
  return (await disputePages(em, [path], year, null, afterId, limit)).map(({ path: _p, ...d }) => d);
}
