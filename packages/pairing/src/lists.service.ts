import { notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, type Principal } from '@jiceng/tenancy';
import { validatePeriod } from './inputs.js';
import { maskPartner, type PartnerView } from './pairing.service.js';
import * as store from './pairing.store.js';
import type { PartnerRecord, SupportEntryRecord } from './pairing.store.js';
import type { PartnerKind } from './values.js';

// Lists to find records by: a unit's partners and the support entries of a subtree (a partner finds the
// entry to correct). A page is `size` rows after a cursor plus one to tell whether more follow.

export interface Page<T> {
  rows: T[];
  total: () => Promise<number>;
}

/** Partners registered in a subtree (with serving: also those paired with its villages), oldest first. */
export async function partnersUnder(em: EntityManager, p: Principal, view: PartnerView, unit: { path: string },
  f: { kind: PartnerKind | null; serving: boolean }, afterId: string | null, limit: number): Promise<Page<PartnerRecord>> {
  assertCan(p, 'pairing:read', { path: unit.path, what: 'admin unit' });
  const filter = { path: unit.path, serving: f.serving, kind: f.kind };
  const rows = await store.partnersPage(em, filter, afterId, limit);
  return { rows: rows.map((r) => maskPartner(view, r)), total: () => store.countPartners(em, filter) };
}

/** Support entries for villages of a subtree in a period, newest first (a partner user: its own partner's only). */
export async function supportEntriesUnder(em: EntityManager, p: Principal, view: PartnerView, unit: { path: string },
  period: { from: string; to: string }, partnerId: string | null, beforeId: string | null, limit: number): Promise<Page<SupportEntryRecord>> {
  assertCan(p, 'support:read', { path: unit.path, what: 'admin unit' });
  const { from, to } = validatePeriod(period.from, period.to);
  if (view.partnerOnly && (!view.own || (partnerId && partnerId !== view.own))) throw notFound('partner');
  const filter = { path: unit.path, from, to, partnerId: view.partnerOnly ? view.own : partnerId };
  return { rows: await store.supportEntriesPage(em, filter, beforeId, limit), total: () => store.countSupportEntries(em, filter) };
}

/** Partners by id for entries that name them, as the viewer may see them (null when out of reach). */
export async function partnersByIds(em: EntityManager, view: PartnerView, ids: readonly string[]): Promise<PartnerRecord[]> {
  return (await store.partnersByIds(em, ids)).map((r) => maskPartner(view, r));
}
