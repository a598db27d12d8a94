import { notFound } from '@jiceng/core';
import { requestScope, type EntityManager } from '@jiceng/db';
import { targetsAmong, targetsUnder } from '@jiceng/rectification';
import { assertCan, configUnder, type Principal } from '@jiceng/tenancy';
import { validatePeriod } from './inputs.js';
import { DEPARTMENT_FOR_CAUSE, maskPartner, type PartnerView } from './pairing.service.js';
import * as store from './pairing.store.js';
import type { PairingRecord, PartnerRecord, SupportTotalsRecord } from './pairing.store.js';
import { SLOTS, type DepartmentType, type Slot } from './values.js';

export { SLOTS } from './values.js';

// Figures over subtrees. Each function takes every unit of a query level at once (the resolvers batch
// them per level with DataLoaders), so a list of N units costs the same few statements as one unit.

export interface PairingStandard {
  minEnterprises: number;
  minRegionEnterprises: number;
  minProjects: number;
  targetProjects: number;
}
// DOMAIN.md §4: at least 2 enterprises (one arranged by the region), a department, a county leader,
// a first secretary, and projects (at least 1; target 3)
export const DEFAULT_PAIRING_STANDARD: PairingStandard = { minEnterprises: 2, minRegionEnterprises: 1, minProjects: 1, targetProjects: 3 };

/** The deepest path that is an ancestor of (or equal to) every path given. */
export function commonAncestor(paths: readonly string[]): string {
  let common = paths[0]!.split('.');
  for (const p of paths.slice(1)) {
    const labels = p.split('.');
    let k = 0;
    while (k < common.length && k < labels.length && common[k] === labels[k]) k++;
    common = common.slice(0, k);
  }
  return common.join('.') || 'cn';
}

const isWithin = (path: string, root: string) => path === root || path.startsWith(root + '.');

/**
 * The standard for each village of the subtrees in a year: the one set nearest to the village on its
 * own ancestor line (a subtree above regions spans several regions' standards), else the default.
 */
export async function pairingStandardsUnder(em: EntityManager, paths: readonly string[], year: number): Promise<(villagePath: string) => PairingStandard> {
  const standardOf = await configUnder(em, { table: 'pairing_standard', since: 'effective_year' }, year, commonAncestor(paths), (r): PairingStandard => ({
    minEnterprises: r.min_enterprises, minRegionEnterprises: r.min_region_enterprises, minProjects: r.min_projects, targetProjects: r.target_projects,
  }));
  return (villagePath) => standardOf(villagePath) ?? DEFAULT_PAIRING_STANDARD;
}

export interface VillageSlots {
  unitId: string;
  path: string;
  cause: string | null;
  enterprises: number;
  regionEnterprises: number;
  /** departments of the type the cause calls for */
  departments: number;
  leaders: number;
  firstSecretaries: number;
  projects: number;
}

/** Each target village's five slots under the subtrees, counting pairings in force at any time during the year. */
export async function villageSlots(em: EntityManager, paths: readonly string[], year: number): Promise<VillageSlots[]> {
  // two grouped statements merged here: the planner misjudges a join against the targets view
  const targets = await targetsUnder(em, paths, year);
  const counts = new Map((await store.pairingCountsUnder(em, paths, year)).map((c) => [c.unitId, c]));
  return targets.map((t) => {
    const c = counts.get(t.unitId);
    const type = t.cause ? DEPARTMENT_FOR_CAUSE[t.cause] : undefined;
    return {
      unitId: t.unitId, path: t.path, cause: t.cause, enterprises: c?.enterprises ?? 0, regionEnterprises: c?.regionEnterprises ?? 0,
      // DOMAIN §4: the department slot is filled by a department whose type follows the cause (any, with no cause recorded)
      departments: (type ? c?.departmentsByType[type] : c?.departments) ?? 0, leaders: c?.leaders ?? 0, firstSecretaries: c?.firstSecretaries ?? 0, projects: c?.projects ?? 0,
    };
  });
}

export function missingSlots(v: VillageSlots, std: PairingStandard): Slot[] {
  const missing: Slot[] = [];
  if (v.enterprises < std.minEnterprises || v.regionEnterprises < std.minRegionEnterprises) missing.push('ENTERPRISES');
  if (v.departments < 1) missing.push('DEPARTMENT');
  if (v.leaders < 1) missing.push('LEADER');
  if (v.firstSecretaries < 1) missing.push('FIRST_SECRETARY');
  if (v.projects < std.minProjects) missing.push('PROJECTS');
  return missing;
}

export interface VillageCoverage extends VillageSlots {
  missing: Slot[];
  projectsBelowTarget: boolean;
}
export interface Coverage {
  targets: number;
  fullyCovered: number;
  rate: number;
  slots: { slot: Slot; filled: number; rate: number }[];
  villages: VillageCoverage[];
}

function summarize(villages: VillageCoverage[]): Coverage {
  const targets = villages.length;
  const fullyCovered = villages.filter((v) => v.missing.length === 0).length;
  const slots = SLOTS.map((slot) => {
    const filled = villages.filter((v) => !v.missing.includes(slot)).length;
    return { slot, filled, rate: targets ? filled / targets : 0 };
  });
  return { targets, fullyCovered, rate: targets ? fullyCovered / targets : 0, slots, villages };
}

/**
 * 五个一 coverage of each subtree's target villages in a year. A partner user reads no rectification data:
 * it sees no target villages (RLS) and no causes.
 */
export async function coverageOf(em: EntityManager, p: Principal, view: PartnerView, units: readonly { path: string }[], year: number): Promise<Coverage[]> {
  for (const u of units) assertCan(p, 'pairing:read', { path: u.path, what: 'admin unit' });
  const paths = units.map((u) => u.path);
  const [standardOf, slots] = [await pairingStandardsUnder(em, paths, year), await villageSlots(em, paths, year)];
  const villages = slots.map((v): VillageCoverage => {
    const std = standardOf(v.path);
    return { ...v, cause: view.partnerOnly ? null : v.cause, missing: missingSlots(v, std), projectsBelowTarget: v.projects < std.targetProjects };
  });
  return paths.map((root) => summarize(villages.filter((v) => isWithin(v.path, root))));
}

export type CoverageCounts = Omit<Coverage, 'villages'>;

/**
 * 五个一 coverage counts of each unit's subtree in a year, from the coverage rollup (one indexed read for
 * all of them). A partner user reads no rectification data: no row of the rollup (RLS), so no targets.
 */
export async function coverageCountsOf(em: EntityManager, p: Principal, units: readonly { id: string; path: string }[], year: number): Promise<CoverageCounts[]> {
  for (const u of units) assertCan(p, 'pairing:read', { path: u.path, what: 'admin unit' });
  const byId = new Map((await store.coverageCountsOf(em, [...new Set(units.map((u) => String(u.id)))], year)).map((r) => [r.unitId, r]));
  return units.map((u) => {
    const { targets, fullyCovered, filled } = byId.get(String(u.id))!;
    return { targets, fullyCovered, rate: targets ? fullyCovered / targets : 0, slots: SLOTS.map((slot, i) => ({ slot, filled: filled[i]!, rate: targets ? filled[i]! / targets : 0 })) };
  });
}

/** Coverage of one subtree (services and scripts). */
export async function coverage(em: EntityManager, p: Principal, view: PartnerView, unit: { path: string }, year: number): Promise<Coverage> {
  return (await coverageOf(em, p, view, [unit], year))[0]!;
}

/**
 * For each village: departments whose type fits its cause, fewest villages carried first, not already
 * paired with it; only those the caller can pair (registered inside the request's scope, not merely
 * serving it). Suggestions follow the weakness cause (rectification data): none for a partner user.
 */
export async function suggestDepartments(em: EntityManager, p: Principal, view: PartnerView, villages: readonly { id: string; path: string }[], year: number, limit = 10): Promise<PartnerRecord[][]> {
  for (const v of villages) assertCan(p, 'pairing:read', { path: v.path, what: 'admin unit' });
  if (view.partnerOnly) return villages.map(() => []);
  const typeOf = new Map<string, DepartmentType>();
  for (const t of await targetsAmong(em, villages.map((v) => v.id), year)) {
    const type = t.cause ? DEPARTMENT_FOR_CAUSE[t.cause] : undefined;
    if (type) typeOf.set(t.unitId, type);
  }
  if (!typeOf.size) return villages.map(() => []);
  const rows = await store.departmentCandidates(em, [...typeOf].map(([villageId, type]) => ({ villageId, type })), requestScope(em), limit);
  return villages.map((v) => rows.filter((r) => r.villageId === v.id).map(({ villageId: _v, ...r }) => r));
}

/** Pairings of each village, ended ones included, partners as the viewer may see them. */
export async function pairingsOf(em: EntityManager, p: Principal, view: PartnerView, units: readonly { id: string; path: string }[]): Promise<PairingRecord[][]> {
  for (const u of units) assertCan(p, 'pairing:read', { path: u.path, what: 'admin unit' });
  const rows = await store.pairingsOfUnits(em, units.map((u) => u.id));
  return units.map((u) => rows.filter((r) => r.unitId === u.id).map((r) => ({ ...r, partner: maskPartner(view, r.partner) })));
}

/**
 * Support totals over each subtree and a period (optionally one partner's); corrected entries count
 * through their corrections. A partner user reads its own partner's figures only: a co-partner's are
 * not found. Every partner's totals come from the support rollup (by unit id); one partner's from its entries.
 */
export async function supportTotalsOf(em: EntityManager, p: Principal, view: PartnerView, units: readonly { id: string; path: string }[],
  period: { from: string; to: string }, partnerId: string | null = null): Promise<SupportTotalsRecord[]> {
  for (const u of units) assertCan(p, 'support:read', { path: u.path, what: 'admin unit' });
  const { from, to } = validatePeriod(period.from, period.to);
  if (view.partnerOnly && (!view.own || (partnerId && partnerId !== view.own))) throw notFound('partner');
  const only = view.partnerOnly ? view.own : partnerId;
  if (!only) {
    const byId = new Map((await store.supportTotalsOfUnits(em, [...new Set(units.map((u) => String(u.id)))], from, to)).map(({ unitId, ...r }) => [unitId, r]));
    return units.map((u) => byId.get(String(u.id))!);
  }
  const rows = await store.supportTotalsUnder(em, [...new Set(units.map((u) => u.path))], from, to, only);
  const byPath = new Map(rows.map(({ path, ...r }) => [path, r]));
  return units.map((u) => byPath.get(u.path)!);
}
