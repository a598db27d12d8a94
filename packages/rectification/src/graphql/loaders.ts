// biome-ignore lint/correctness/noUnusedImports: lets the declaration files name DataLoader (TS2742)
import type DataLoader from 'dataloader';
import { byKey, oneByKey, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import { accountability, keyTargetShares, relapsePatternsOf, summaries } from '../dashboard.service.js';
import type { CaseState } from '../lifecycle.js';
import * as store from '../rectification.store.js';
import { calendarDaysOf, standardsInForce } from '../standards.js';

// Per-request DataLoaders: every field that can sit under a list reads for all its parents on one query
// level in one statement (the store's functions take lists of units or cases).

const byUnit = { cacheKeyFn: (u: AdminUnitRow) => u.id };

export const summaryLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof summaries>>[number]>(`rect:summary:${year}`, (units) => summaries(ctx.em, units, year), byUnit);

export const caseLoader = (ctx: JicengContext) =>
  ctx.loader<string, store.Case | null>('rect:case', async (ids) => oneByKey(ids, await store.casesByIds(ctx.em, ids), (c) => c.id));

export const problemsLoader = (ctx: JicengContext) =>
  ctx.loader<string, store.ProblemItem[]>('rect:problems', async (ids) => byKey(ids, await store.problemsOf(ctx.em, ids), (r) => r.caseId));

export const transitionsLoader = (ctx: JicengContext) =>
  ctx.loader<string, store.Transition[]>('rect:transitions', async (ids) => byKey(ids, await store.transitionsOf(ctx.em, ids), (r) => r.caseId));

export const acceptancesLoader = (ctx: JicengContext) =>
  ctx.loader<string, store.Acceptance[]>('rect:acceptances', async (ids) => byKey(ids, await store.acceptancesOf(ctx.em, ids), (r) => r.caseId));

/** Assessments of units in a range of years (both ends optional), oldest first. */
export const assessmentsLoader = (ctx: JicengContext, fromYear: number | null, toYear: number | null) =>
  ctx.loader<string, store.Assessment[]>(`rect:assessments:${fromYear ?? ''}:${toYear ?? ''}`,
    async (ids) => byKey(ids, await store.assessmentsOf(ctx.em, ids, fromYear, toYear), (r) => r.unitId));

export const designationLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<string, store.Designation | null>(`rect:designation:${year}`, async (ids) => oneByKey(ids, await store.designationsOf(ctx.em, ids, year), (r) => r.unitId));

export const standardLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof standardsInForce>>[number]>(`rect:standard:${year}`,
    (units) => standardsInForce(ctx.em, units.map((x) => x.path), year), byUnit);

export const calendarLoader = (ctx: JicengContext, from: string, to: string) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof calendarDaysOf>>[number]>(`rect:calendar:${from}:${to}`,
    (units) => calendarDaysOf(ctx.em, units.map((x) => x.path), from, to), byUnit);

/** First pages of cases under many units (limit: page size + 1, to tell whether there is more). */
export const casePagesLoader = (ctx: JicengContext, year: number, state: CaseState | null, afterId: string | null, limit: number) =>
  ctx.loader<AdminUnitRow, store.Case[]>(`rect:cases:${year}:${state ?? ''}:${afterId ?? ''}:${limit}`, async (units) => {
    const pages = await store.casePages(ctx.em, units, year, state, afterId, limit);
    for (const c of [...pages.values()].flat()) caseLoader(ctx).prime(c.id, c);
    return units.map((u) => pages.get(u.id) ?? []);
  }, byUnit);

export const caseCountLoader = (ctx: JicengContext, year: number, state: CaseState | null) =>
  ctx.loader<AdminUnitRow, number>(`rect:caseCount:${year}:${state ?? ''}`, async (units) => {
    const n = await store.caseCounts(ctx.em, units, year, state);
    return units.map((u) => n.get(u.id) ?? 0);
  }, byUnit);

export const complaintPagesLoader = (ctx: JicengContext, year: number, afterId: string | null, limit: number) =>
  ctx.loader<AdminUnitRow, store.Complaint[]>(`rect:complaints:${year}:${afterId ?? ''}:${limit}`, async (units) => {
    const pages = await store.complaintPages(ctx.em, units, year, afterId, limit);
    return units.map((u) => pages.get(u.id) ?? []);
  }, byUnit);

export const complaintCountLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, number>(`rect:complaintCount:${year}`, async (units) => {
    const n = await store.complaintCounts(ctx.em, units, year);
    return units.map((u) => n.get(u.id) ?? 0);
  }, byUnit);

export const relapsePatternsLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof relapsePatternsOf>>[number]>(`rect:relapse:${year}`, (units) => relapsePatternsOf(ctx.em, units, year), byUnit);

export const keyTargetsLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof keyTargetShares>>[number]>(`rect:keyTargets:${year}`, (units) => keyTargetShares(ctx.em, units, year), byUnit);

export const accountabilityLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof accountability>>[number]>(`rect:accountability:${year}`, (units) => accountability(ctx.em, units, year), byUnit);
