import type { EntityManager } from '@jiceng/db';
import { isPastYear, placementChanges, yearEnd, type PlacementChange } from '@jiceng/tenancy';
import { TRANSFORMED_OR_LATER, consequenceOf, type Consequence } from './lifecycle.js';
import * as store from './rectification.store.js';
import { standardsInForce } from './standards.js';

// Dashboard figures over any unit's subtree: each a single statement on the indexed unit_path
// (rectification.store.ts holds the SQL).

export interface RectificationSummary extends Omit<store.SummaryRow, 'unitId'> {
  /** cases transformed, consolidated or closed */
  transformed: number;
}

/**
 * Summaries for many units (a DataLoader batch). A year's figures count each case in the state it had at
 * the end of that year (the last transition dated on or before that day; a case with none by then was
 * still IDENTIFIED), open problems and late complaints as of that day, and each village under the unit it
 * belonged to then (moves after the year are undone: `placementChanges`). The current year is counted as
 * of today, on today's tree. One statement for the units on today's tree, one per unit with moves to undo.
 */
export async function summaries(em: EntityManager, units: readonly { id: string; path: string; level?: string }[], year: number): Promise<RectificationSummary[]> {
  const asOf = isPastYear(year) ? yearEnd(year) : null;
  const changes = asOf ? await placementChanges(em, units, asOf) : new Map<string, PlacementChange>();
  const rows = await store.summaryRows(em, units.filter((u) => !changes.has(String(u.id))), year, asOf);
  for (const u of units) {
    const change = changes.get(String(u.id));
    if (change) rows.push(...await store.adjustedSummaryRow(em, u, year, asOf!, change.out, change.in));
  }
  const byId = new Map(rows.map((r) => [r.unitId, r]));
  return units.map((u) => {
    const { unitId: _, ...r } = byId.get(String(u.id))!;
    return { ...r, transformed: TRANSFORMED_OR_LATER.reduce((n, s) => n + (r.casesByState[s] ?? 0), 0) };
  });
}

export const RELAPSE_PATTERNS = ['GOOD_THEN_WEAK', 'TRANSFORMED_THEN_RELAPSED', 'WEAK_THROUGHOUT', 'NO_HISTORY'] as const;
export type RelapsePattern = (typeof RELAPSE_PATTERNS)[number];

export interface RelapsePatterns {
  goodThenWeak: number;
  transformedThenRelapsed: number;
  weakThroughout: number;
  noHistory: number;
}

/** The placement change to undo for a unit's figures of a year (past years after a move). */
async function changeFor(em: EntityManager, unit: { id: string; path: string }, year: number) {
  const asOf = isPastYear(year) ? yearEnd(year) : null;
  return asOf ? (await placementChanges(em, [unit], asOf)).get(String(unit.id)) : undefined;
}

const toPatterns = (rows: readonly { pattern: string; n: number }[]): RelapsePatterns => {
  const n = (p: RelapsePattern) => rows.find((r) => r.pattern === p)?.n ?? 0;
  return { goodThenWeak: n('GOOD_THEN_WEAK'), transformedThenRelapsed: n('TRANSFORMED_THEN_RELAPSED'), weakThroughout: n('WEAK_THROUGHOUT'), noHistory: n('NO_HISTORY') };
};

/**
 * Seed 004 classifies the villages weak NOW (the year's rectification targets in the subtree, each
 * under the unit it belonged to that year) by their earlier years on record: an earlier case that
 * transformed (transformed, consolidated, closed, relapsed) → TRANSFORMED_THEN_RELAPSED; otherwise an
 * earlier year assessed and not a target → GOOD_THEN_WEAK; otherwise a target every earlier year on
 * record → WEAK_THROUGHOUT; no earlier year on record → NO_HISTORY. One row per village, one pattern.
 * Many units (a DataLoader batch): one statement for the units on today's tree, one per unit with moves to undo.
 */
export async function relapsePatternsOf(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<RelapsePatterns[]> {
  const asOf = isPastYear(year) ? yearEnd(year) : null;
  const changes = asOf ? await placementChanges(em, units, asOf) : new Map<string, PlacementChange>();
  const plain = await store.relapsePatternCountsMany(em, units.filter((u) => !changes.has(String(u.id))), year);
  return Promise.all(units.map(async (u) => {
    const change = changes.get(String(u.id));
    return toPatterns(change ? await store.relapsePatternCounts(em, u.path, year, change) : plain.get(String(u.id)) ?? []);
  }));
}

/** The villages of one pattern, by code, a page at a time (keyset on the code). */
export async function relapsePatternVillages(em: EntityManager, unit: { id: string; path: string }, year: number, pattern: RelapsePattern, size: number, afterCode: string | null): Promise<string[]> {
  return store.relapsePatternVillageIds(em, unit.path, year, await changeFor(em, unit, year), pattern, afterCode, size + 1);
}

export interface TownshipKeyTargets {
  townshipId: string;
  villages: number;
  keyTargets: number;
  required: number;
  shortfall: number;
}

/** The standards in force for townships (each its nearest on its own ancestor line), in one statement. */
async function townshipStandards(em: EntityManager, paths: readonly string[], year: number) {
  const unique = [...new Set(paths)];
  const standards = await standardsInForce(em, unique, year);
  const byPath = new Map(unique.map((p, i) => [p, standards[i]!]));
  return (path: string) => byPath.get(path)!;
}

/** 重点整顿对象 share per township under each of many units (townships with rural villages): key targets against the configured share. */
export async function keyTargetShares(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<TownshipKeyTargets[][]> {
  const rows = await store.keyTargetCounts(em, units, year);
  if (!rows.length) return units.map(() => []);
  const standardOf = await townshipStandards(em, rows.map((r) => r.path), year);
  const shares = rows.map((r) => {
    const required = Math.ceil(r.villages * standardOf(r.path).keyTargetShare - 1e-9);
    return { forUnit: r.forUnit, townshipId: r.townshipId, villages: r.villages, keyTargets: r.keyTargets, required, shortfall: Math.max(0, required - r.keyTargets) };
  });
  return units.map((u) => shares.filter((s) => s.forUnit === String(u.id)).map(({ forUnit: _, ...s }) => s));
}

export interface TownshipAccountability {
  townshipId: string;
  newlyParalysed: number;
  consequence: Consequence;
}

/**
 * Seed 002: villages whose team is newly recorded as paralysed (瘫痪班子) this year (the designation's
 * `paralysed` flag; not paralysed the year before), per township under each of many units; townships
 * with none are omitted.
 */
export async function accountability(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<TownshipAccountability[][]> {
  const rows = await store.newlyParalysedCounts(em, units, year);
  if (!rows.length) return units.map(() => []);
  const standardOf = await townshipStandards(em, rows.map((r) => r.path), year);
  const out = rows.map((r) => ({ forUnit: r.forUnit, townshipId: r.townshipId, newlyParalysed: r.n, consequence: consequenceOf(r.n, standardOf(r.path).accountability) }));
  return units.map((u) => out.filter((s) => s.forUnit === String(u.id)).map(({ forUnit: _, ...s }) => s));
}
