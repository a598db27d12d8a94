// The station's handling of warnings: escalation up the levels, notices, the ledger. SQL in handling.store.ts.
import type { EntityManager } from '@jiceng/db';
import type { MaintenanceTask } from '@jiceng/tenancy';
import * as handling from './handling.store.js';
import { WARNING_STANDARD } from './warning.service.js';

/**
 * The escalation task (跟踪复查 overdue): a warning not handled by its follow-up deadline goes one level
 * up (VILLAGE→TOWNSHIP→COUNTY→CITY) with a new deadline, on working days only. `on` (tests) stands for today.
 */
export function escalateOverdueWarnings(em: EntityManager, on?: string): Promise<number> {
  return handling.escalateOverdue(em, WARNING_STANDARD.followUpWorkingDays, on);
}

export const escalationTask: MaintenanceTask = {
  name: 'escalate overdue warnings',
  // hourly: a day's escalation happens within the first hour of the working day
  everyMs: 3_600_000,
  run: (em) => escalateOverdueWarnings(em),
};
