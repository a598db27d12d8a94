import { notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, type Principal } from '@jiceng/tenancy';
import { validatePeriod } from './inputs.js';
import { maskPartner, type PartnerView } from './pairing.service.js';
import * as store from './pairing.store.js';
import type { PartnerFilter, PartnerRecord, SupportEntryRecord } from './pairing.store.js';

// Lists to find records by: a unit's partners and the support entries of a subtree (a partner finds the
// entry to correct). Each function takes every unit of a query level at once: one statement for the
// pages of all of them, one for their counts. A page is `limit` rows after a cursor (ask one more than
// you show, to tell whether more follow).

const byRoot = <T extends { root: string }>(units: readonly { path: string }[], rows: T[]): Omit<T, 'root'>[][] =>
  units.map((u) => rows.filter((r) => r.root === u.path).map(({ root: _r, ...r }) => r));
const distinctPaths = (units: readonly { path: string }[]) => [...new Set(units.map((u) => u.path))];

/** Partners registered in each subtree (with serving: also those paired with its villages), oldest first. */
export async function partnerPages(em: EntityManager, p: Principal, view: PartnerView, units: readonly { path: string }[],
  f: PartnerFilter, afterId: string | null, limit: number): Promise<PartnerRecord[][]> {
  for (const u of units) assertCan(p, 'pairing:read', { path: u.path, what: 'admin unit' });
  const rows = await store.partnerPagesUnder(em, distinctPaths(units), f, afterId, limit);
  return byRoot(units, rows).map((page) => page.map((r) => maskPartner(view, r)));
}

export async function partnerCounts(em: EntityManager, p: Principal, units: readonly { path: string }[], f: PartnerFilter): Promise<number[]> {
  for (const u of units) assertCan(p, 'pairing:read', { path: u.path, what: 'admin unit' });
  const counts = new Map((await store.countPartnersUnder(em, distinctPaths(units), f)).map((r) => [r.root, r.n]));
  return units.map((u) => counts.get(u.path) ?? 0);
}

/** Which entries a caller lists: a partner user only its own partner's (naming another is NOT_FOUND). */
function supportFilter(view: PartnerView, period: { from: string; to: string }, partnerId: string | null): store.SupportFilter {
  const { from, to } = validatePeriod(period.from, period.to);
  if (view.partnerOnly && (!view.own || (partnerId && partnerId !== view.own))) throw notFound('partner');
  return { from, to, partnerId: view.partnerOnly ? view.own : partnerId };
}

/** Support entries for villages of each subtree in a period, newest first. */
export async function supportEntryPages(em: EntityManager, p: Principal, view: PartnerView, units: readonly { path: string }[],
  period: { from: string; to: string }, partnerId: string | null, beforeId: string | null, limit: number): Promise<SupportEntryRecord[][]> {
  for (const u of units) assertCan(p, 'support:read', { path: u.path, what: 'admin unit' });
  const rows = await store.supportEntryPagesUnder(em, distinctPaths(units), supportFilter(view, period, partnerId), beforeId, limit);
  return byRoot(units, rows);
}

export async function supportEntryCounts(em: EntityManager, p: Principal, view: PartnerView, units: readonly { path: string }[],
  period: { from: string; to: string }, partnerId: string | null): Promise<number[]> {
  for (const u of units) assertCan(p, 'support:read', { path: u.path, what: 'admin unit' });
  const counts = new Map((await store.countSupportEntriesUnder(em, distinctPaths(units), supportFilter(view, period, partnerId))).map((r) => [r.root, r.n]));
  return units.map((u) => counts.get(u.path) ?? 0);
}

/** Partners by id for entries that name them, as the viewer may see them (null when out of reach). */
export async function partnersByIds(em: EntityManager, view: PartnerView, ids: readonly string[]): Promise<PartnerRecord[]> {
  return (await store.partnersByIds(em, ids)).map((r) => maskPartner(view, r));
}
