// What is due for the caller (me.dueItems), across modules: each module registers a provider that
// returns the caller's items of its own kinds, at most `limit` of them, earliest due first.
import type { EntityManager } from '@jiceng/db';
import type { Principal } from './principal.js';

export interface DueItemRow {
  /** the module's kind, e.g. WARNING_TO_HANDLE, COMPLAINT_REPLY, PROBLEM_ITEM_OVERDUE, CASE_ACCEPTANCE */
  kind: string;
  title: string;
  /** YYYY-MM-DD; null when the item has no deadline (it sorts last) */
  dueOn: string | null;
  unitId: string;
  /** the global id of the thing that is due */
  refId: string;
}

/** Reads under the caller's scope through the request's EntityManager; returns at most `limit` items, earliest due first. */
export type DueItemProvider = (em: EntityManager, principal: Principal, limit: number) => Promise<DueItemRow[]>;

const providers = new Map<string, DueItemProvider>();

/** Registers a module's part of me.dueItems (once per name; registering a name again replaces it). */
export function registerDueItems(name: string, provider: DueItemProvider): void {
  providers.set(name, provider);
}

export const DUE_ITEMS_MAX = 200;

/** The caller's due items from every module: the first `limit`, by due date (no date last), then kind and ref. */
export async function dueItemsOf(em: EntityManager, principal: Principal, limit: number): Promise<DueItemRow[]> {
  const all: DueItemRow[] = [];
  // one request, one connection: providers run one after another
  for (const provider of providers.values()) all.push(...(await provider(em, principal, limit)));
  const key = (r: DueItemRow) => r.dueOn ?? '9999-12-31';
  all.sort((a, b) => key(a).localeCompare(key(b)) || a.kind.localeCompare(b.kind) || a.refId.localeCompare(b.refId));
  return all.slice(0, limit);
}
