import { AppError, ErrorCode, RowsRefused, badInput, conflict, localDate, notFound, type RowProblem } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, inScope, requireVillage, unitsByCodes, unitsByIds, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { FINISHED_STATES, NEXT_STATES, TRANSFORMED_OR_LATER, addMonths, categoryOf, isCaseState, type CaseState } from './lifecycle.js';
import * as store from './rectification.store.js';
import { assertYear, required, validateAssess, validateCasePatch, validateDesignation, validateProblem, type AssessInput, type CasePatch, type DesignationInput, type ProblemInput } from './inputs.js';
import type { Case } from './rectification.store.js';
import { standardFor, standardsUnder } from './standards.js';

export type { Case } from './rectification.store.js';
export { assertYear };
export const dbToday = store.dbToday;


export async function requireCase(em: EntityManager, id: string, lock = false): Promise<Case> {
  if (!/^\d{1,18}$/.test(id)) throw badInput('caseId', 'not a valid case id');
  const [row] = await store.casesByIds(em, [id], lock);
  if (!row) throw notFound('rectification case');
  return row;
}

/** A case by id as the caller sees it (null: missing or out of scope). */
export async function findCase(em: EntityManager, p: Principal | null | undefined, id: string): Promise<Case | null> {
  assertCan(p, 'rectification:read');
  if (!/^\d{1,18}$/.test(id)) throw badInput('id', 'not a valid case id');
  return (await store.casesByIds(em, [id]))[0] ?? null;
}

/**
 * A village becomes a target in a year: opens its case, unless one exists (a withdrawn one is
 * identified again). If its latest earlier case had transformed (or gone further), that case relapses
 * and the new case links to it. A case of `year` is identified today, kept inside its year (a 2025
 * rating typed in 2026 still identifies the village in 2025, as of 31 December).
 */
async function ensureCase(tx: EntityManager, village: AdminUnitRow, year: number, userId: string, why: string): Promise<void> {
  const existing = await store.caseOfVillage(tx, village.id, year);
  if (existing && existing.state !== 'WITHDRAWN') return;
  const on = await store.todayWithinYear(tx, year);
  const earlier = await store.latestEarlierCase(tx, village.id, year);
  let previous: string | null = null;
  if (earlier && TRANSFORMED_OR_LATER.includes(earlier.state)) {
    await store.setCaseState(tx, earlier.id, 'RELAPSED');
    const relapsedOn = earlier.lastOn && earlier.lastOn > on ? earlier.lastOn : on;
    await recordTransition(tx, earlier.id, village.id, earlier.state, 'RELAPSED', `relapsed: ${why} in ${year}`, userId, relapsedOn);
    previous = earlier.id;
  } else if (earlier?.state === 'RELAPSED') previous = earlier.id;
  if (existing) {
    await store.setCaseState(tx, existing.id, 'IDENTIFIED', previous);
    await recordTransition(tx, existing.id, village.id, 'WITHDRAWN', 'IDENTIFIED', `identified again: ${why}`, userId, on);
    return;
  }
  const created = await store.insertCase(tx, village.id, year, previous);
  await recordTransition(tx, created, village.id, 'IDENTIFIED', 'IDENTIFIED', `identified: ${why}`, userId, on);
}

/**
 * A village re-rated out of the third category in a year it is no longer a target (no designation
 * either): its untouched case is withdrawn, the reason kept; a case on which work has started is not
 * left behind silently: the re-rating is refused. A relapse the case had caused is undone.
 */
async function withdrawCase(tx: EntityManager, village: AdminUnitRow, year: number, userId: string, why: string): Promise<void> {
  const c = await store.caseOfVillage(tx, village.id, year);
  if (!c || c.state === 'WITHDRAWN') return;
  if ((await store.designationsOf(tx, [village.id], year)).length) return; // still a target: designated weak that year
  const work = [
    c.state !== 'IDENTIFIED' && `it is ${c.state}`,
    c.problems > 0 && `${c.problems} problem item(s) are listed`,
    c.plan && 'a plan is recorded',
    c.responsibleLeader && 'a responsible leader is named',
    c.workingGroup.length && 'a working group is stationed',
    (c.facts || c.causes) && 'facts are recorded',
  ].filter(Boolean);
  if (work.length) {
    throw new AppError(ErrorCode.INVALID_TRANSITION,
      `the village's ${year} rectification case has started (${work.join('; ')}): it cannot be re-rated out of the third category; ` +
      'carry the case through its lifecycle instead', { from: c.state, to: 'WITHDRAWN', caseId: c.id, allowedNextStates: NEXT_STATES[c.state] });
  }
  const on = await store.todayWithinYear(tx, year);
  await store.setCaseState(tx, c.id, 'WITHDRAWN', null);
  await recordTransition(tx, c.id, village.id, 'IDENTIFIED', 'WITHDRAWN', `withdrawn: ${why}`, userId, on);
  if (c.previousCaseId) {
    // the relapse this case caused: the earlier case returns to the state it relapsed from
    const p = await store.relapseCausedIn(tx, c.previousCaseId, year);
    if (p) {
      await store.setCaseState(tx, p.id, p.fromState);
      await recordTransition(tx, p.id, village.id, 'RELAPSED', p.fromState, `relapse withdrawn: ${why}`, userId, on);
    }
  }
}

function recordTransition(tx: EntityManager, caseId: string, unitId: string, from: CaseState, to: CaseState, reason: string, userId: string, on: string) {
  return store.insertTransition(tx, { caseId, unitId, from, to, reason, userId, on });
}

/** 十星级 rating for a year; the category follows from the standard in force. */
export async function assess(em: EntityManager, p: Principal, input: AssessInput): Promise<store.Assessment> {
  validateAssess(input);
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:assess', { path: village.path, what: 'village' });
  const category = categoryOf(input.stars, await standardFor(em, village.path, input.year));
  return em.transactional(async (tx) => {
    const row = await store.upsertAssessment(tx, { unitId: village.id, year: input.year, stars: input.stars, category, by: p.userId });
    if (category === 'THIRD') await ensureCase(tx, village, input.year, p.userId, `${input.stars} stars, third category`);
    else await withdrawCase(tx, village, input.year, p.userId, `re-rated ${input.stars} stars (${category}) for ${input.year}`);
    return row;
  });
}

/** The deepest path every path lies in (the root 'cn' at least). */
function commonPath(paths: readonly string[]): string {
  let common = paths[0]?.split('.') ?? [];
  for (const path of paths) {
    const parts = path.split('.');
    let k = 0;
    while (k < common.length && k < parts.length && common[k] === parts[k]) k++;
    common = common.slice(0, k);
  }
  return common.join('.') || 'cn';
}

/** One assessment of a batch: the village by its official code. */
export interface AssessmentRow {
  villageCode: string;
  year: number;
  stars: number;
}

/** What a batch of assessments did: rows new, rows re-rated, rows already as given. */
export interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * The problems assess would refuse in a batch, every one of them, without writing: a year or stars out of
 * range, a village not found (unknown or outside the caller's scope: the same problem, as in GraphQL), a
 * unit that is not a village, a village and year given twice. Problem codes: YEAR_RANGE, STARS_RANGE,
 * VILLAGE_NOT_FOUND, NOT_A_VILLAGE, DUPLICATE. The caller's roles are checked for the whole batch.
 */
export async function checkAssessments(em: EntityManager, p: Principal, rows: readonly AssessmentRow[]): Promise<{ problems: RowProblem[]; villages: Map<string, AdminUnitRow> }> {
  assertCan(p, 'rectification:assess');
  const villages = new Map((await unitsByCodes(em, rows.map((r) => r.villageCode))).filter((u) => inScope(p, u.path)).map((u) => [u.code, u]));
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, index) => {
    if (!Number.isInteger(r.year) || r.year < 2000 || r.year > 2100) problems.push({ index, field: 'year', problem: 'YEAR_RANGE', detail: { min: 2000, max: 2100 } });
    if (!Number.isInteger(r.stars) || r.stars < 0 || r.stars > 10) problems.push({ index, field: 'stars', problem: 'STARS_RANGE', detail: { min: 0, max: 10 } });
    const v = villages.get(r.villageCode);
    if (!v) problems.push({ index, field: 'villageCode', problem: 'VILLAGE_NOT_FOUND' });
    else if (v.level !== 'VILLAGE') problems.push({ index, field: 'villageCode', problem: 'NOT_A_VILLAGE' });
    const key = `${r.villageCode}/${r.year}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ index, field: 'villageCode', problem: 'DUPLICATE', detail: { sameAs: first } });
    else seen.set(key, index);
  });
  return { problems, villages };
}

/**
 * assess for a batch, all or nothing: every row is checked first (checkAssessments: any problem refuses the
 * batch with RowsRefused listing them all), then written with one statement per `batchSize` rows; each
 * village's category follows the standard in force for it. A row whose stars are stored already changes
 * nothing; a changed row opens or withdraws the village's case as assess does (a case on which work has
 * started refuses its row: CASE_STARTED). `onProgress` is told the rows written so far.
 */
export async function assessVillages(em: EntityManager, p: Principal, rows: readonly AssessmentRow[], opts: { batchSize?: number; onProgress?: (written: number) => Promise<void> | void } = {}): Promise<BatchResult> {
  const { problems, villages } = await checkAssessments(em, p, rows);
  if (problems.length) throw new RowsRefused(problems);
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0 };
  const common = commonPath([...villages.values()].map((v) => v.path));
  const standards = new Map<number, Awaited<ReturnType<typeof standardsUnder>>>();
  for (const year of new Set(rows.map((r) => r.year))) standards.set(year, await standardsUnder(em, common, year));
  const indexOf = new Map(rows.map((r, k) => [`${villages.get(r.villageCode)!.id}/${r.year}`, k]));
  const size = opts.batchSize ?? 5000;
  return em.transactional(async (tx) => {
    const result: BatchResult = { inserted: 0, updated: 0, unchanged: 0 };
    const refused: RowProblem[] = [];
    for (let from = 0; from < rows.length; from += size) {
      const batch = rows.slice(from, from + size).map((r) => {
        const v = villages.get(r.villageCode)!;
        return { unitId: v.id, year: r.year, stars: r.stars, category: categoryOf(r.stars, standards.get(r.year)!(v.path)) };
      });
      const changed = await store.upsertAssessments(tx, batch, p.userId);
      result.inserted += changed.filter((c) => c.was == null).length;
      result.updated += changed.filter((c) => c.was != null).length;
      result.unchanged += batch.length - changed.length;
      // the cases follow the changed rows only: a village rated third opens (or keeps) its case; one
      // rated out of the third category withdraws the case it has (only those that have one are read)
      for (const year of new Set(changed.map((c) => c.year))) {
        const ofYear = changed.filter((c) => c.year === year);
        const withCase = await store.villagesWithCase(tx, ofYear.filter((c) => c.category !== 'THIRD').map((c) => c.unitId), year);
        const third = ofYear.filter((c) => c.category === 'THIRD');
        // a village's first case opens in one statement for all of them; relapses and re-identifications go one by one
        const opened = third.length
          ? await store.openFirstCases(tx, third.map((c) => ({ unitId: c.unitId, reason: `identified: ${rows[indexOf.get(`${c.unitId}/${year}`)!]!.stars} stars, third category` })), year, p.userId, await store.todayWithinYear(tx, year))
          : new Set<string>();
        const touched = ofYear.filter((c) => (c.category === 'THIRD' && !opened.has(c.unitId)) || withCase.has(c.unitId));
        const units = new Map((await unitsByIds(tx, touched.map((c) => c.unitId))).map((u) => [u.id, u]));
        for (const c of touched) {
          const village = units.get(c.unitId)!;
          const index = indexOf.get(`${c.unitId}/${year}`)!;
          const stars = rows[index]!.stars;
          try {
            if (c.category === 'THIRD') await ensureCase(tx, village, year, p.userId, `${stars} stars, third category`);
            else await withdrawCase(tx, village, year, p.userId, `re-rated ${stars} stars (${c.category}) for ${year}`);
          } catch (e) {
            if (!(e instanceof AppError) || e.code !== ErrorCode.INVALID_TRANSITION) throw e;
            refused.push({ index, field: 'stars', problem: 'CASE_STARTED', detail: { state: (e.extensions as { from?: string }).from } });
          }
        }
      }
      await opts.onProgress?.(Math.min(rows.length, from + size));
    }
    if (refused.length) throw new RowsRefused(refused);
    return result;
  });
}

/** 软弱涣散 designation with problem types and one of the four causes. */
export async function designateWeak(em: EntityManager, p: Principal, input: DesignationInput): Promise<store.Designation> {
  validateDesignation(input);
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:assess', { path: village.path, what: 'village' });
  const std = await standardFor(em, village.path, input.year);
  const unknown = input.problemTypes.filter((t) => !std.problemTypes.includes(t));
  if (unknown.length) throw badInput('problemTypes', `unknown problem types ${unknown.join(', ')}; configured: ${std.problemTypes.join(', ')}`);
  return em.transactional(async (tx) => {
    const row = await store.upsertDesignation(tx, { unitId: village.id, year: input.year, cause: input.cause, problemTypes: input.problemTypes, paralysed: input.paralysed ?? false, by: p.userId });
    await ensureCase(tx, village, input.year, p.userId, `designated ${input.cause}`);
    return row;
  });
}

/**
 * For another module's one-step action (a RED warning turned into a case, 派出工作组整顿): the village's
 * case of the year, opened (identified) when it has none or it was withdrawn. Returns the case id.
 */
export async function openCaseFor(em: EntityManager, p: Principal, villageId: string, year: number, why: string): Promise<string> {
  assertYear(year);
  const village = await requireVillage(em, villageId);
  assertCan(p, 'rectification:manage', { path: village.path, what: 'village' });
  return em.transactional(async (tx) => {
    await ensureCase(tx, village, year, p.userId, why);
    return (await store.caseOfVillage(tx, village.id, year))!.id;
  });
}

/** 重点整顿对象: a township marks one of its target villages as a key target. */
export async function markKeyTarget(em: EntityManager, p: Principal, input: { villageId: string; year: number; key: boolean }) {
  assertYear(input.year);
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:manage', { path: village.path, what: 'village' });
  if (!(await store.isTarget(em, village.id, input.year))) throw badInput('villageId', `the village is not a rectification target in ${input.year}`);
  await store.setKeyTarget(em, village.id, input.year, input.key, p.userId);
  return village;
}

/** The ledger entry: facts, causes, 一村一策 plan and its 公示, 包保 leader, secretary, working group, deadline. */
export async function updateCase(em: EntityManager, p: Principal, caseId: string, patch: CasePatch): Promise<Case> {
  validateCasePatch(patch);
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unitPath, what: 'rectification case' });
  assertOpen(c, 'changed');
  let workingGroup: string[] | null = null;
  if (patch.workingGroup != null) {
    workingGroup = patch.workingGroup.map((m) => m.trim()).filter(Boolean);
    const { workingGroupMin } = await standardFor(em, c.unitPath, c.year);
    if (workingGroup.length < workingGroupMin) throw badInput('workingGroup', `a working group needs at least ${workingGroupMin} members, got ${workingGroup.length}`);
  }
  await store.updateCaseFields(em, c.id, {
    facts: patch.facts ?? null, causes: patch.causes ?? null, plan: patch.plan ?? null, publicizedOn: patch.publicizedOn ?? null,
    responsibleLeader: patch.responsibleLeader ?? null, villageSecretary: patch.villageSecretary ?? null, workingGroup, deadline: patch.deadline ?? null,
  });
  return requireCase(em, c.id);
}

/** A closed, relapsed or withdrawn case accepts no further change (a relapse only links to it). */
function assertOpen(c: Case, what: string, allowed: readonly CaseState[] = []) {
  if (FINISHED_STATES.includes(c.state)) {
    throw new AppError(ErrorCode.INVALID_TRANSITION, `a ${c.state} case accepts no further change: it cannot be ${what}`, { from: c.state, allowedNextStates: NEXT_STATES[c.state] });
  }
  if (allowed.length && !allowed.includes(c.state)) {
    throw new AppError(ErrorCode.INVALID_TRANSITION, `a ${c.state} case cannot be ${what}; only ${allowed.join(' or ')} ones`, { from: c.state, allowedNextStates: NEXT_STATES[c.state] });
  }
}

/** A date a thing happened: a real date, not in the future (the database's today). */
async function pastDate(em: EntityManager, value: string, field: string): Promise<string> {
  localDate(value, field);
  const now = await store.dbToday(em);
  if (value > now) throw badInput(field, `cannot be in the future (today is ${now})`);
  return value;
}

/** Problems are listed and resolved while the case is being worked on. */
const WORKING_STATES: readonly CaseState[] = ['IDENTIFIED', 'RECTIFYING'];

/** 问题清单: a problem with its measure, responsible person and due date. */
export async function addProblem(em: EntityManager, p: Principal, caseId: string, input: ProblemInput): Promise<Case> {
  const v = validateProblem(input);
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unitPath, what: 'rectification case' });
  assertOpen(c, 'given new problem items', WORKING_STATES);
  await store.insertProblem(em, { caseId: c.id, unitId: c.unitId, ...v });
  await store.bumpCaseVersion(em, c.id);
  return requireCase(em, c.id);
}

export async function resolveProblem(em: EntityManager, p: Principal, itemId: string, input: { resolvedOn: string; evidence: string }) {
  if (!/^\d{1,18}$/.test(itemId)) throw badInput('id', 'not a valid problem item id');
  const evidence = required(input.evidence, 'evidence', 'an evidence note is required');
  const item = await store.problemTarget(em, itemId);
  if (!item) throw notFound('problem item');
  assertCan(p, 'rectification:manage', { path: item.unitPath, what: 'problem item' });
  const c = await requireCase(em, item.caseId, true);
  assertOpen(c, 'changed (its problem items are settled)', WORKING_STATES);
  await pastDate(em, input.resolvedOn, 'resolvedOn');
  await store.resolveProblemItem(em, itemId, input.resolvedOn, evidence);
  await store.bumpCaseVersion(em, c.id);
  return itemId;
}

/** 验收: the year-end acceptance with the villagers' satisfaction rate, on a transformed or consolidated case. */
export async function recordAcceptance(em: EntityManager, p: Principal, caseId: string, input: { acceptedOn: string; satisfactionRate: number; note?: string | null }) {
  if (!(input.satisfactionRate >= 0 && input.satisfactionRate <= 1)) throw badInput('satisfactionRate', 'must be from 0 to 1');
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unitPath, what: 'rectification case' });
  assertOpen(c, 'accepted (验收 follows the transformation)', ['TRANSFORMED', 'CONSOLIDATED']);
  await pastDate(em, input.acceptedOn, 'acceptedOn');
  if (c.transformedOn && input.acceptedOn < c.transformedOn) {
    throw badInput('acceptedOn', `the acceptance cannot be dated before the transformation (${c.transformedOn})`);
  }
  await store.insertAcceptance(em, { caseId: c.id, unitId: c.unitId, acceptedOn: input.acceptedOn, satisfactionRate: input.satisfactionRate, note: input.note ?? null, by: p.userId });
  await store.bumpCaseVersion(em, c.id);
  return requireCase(em, c.id);
}

function invalid(from: CaseState, to: string, why: string, details: Record<string, unknown> = {}) {
  return new AppError(ErrorCode.INVALID_TRANSITION, why, { from, to, allowedNextStates: NEXT_STATES[from], ...details });
}

/** What a case still lacks to leave IDENTIFIED (一村一策 plan, problem list, 包保 leader, working group). */
async function missingToStart(em: EntityManager, c: Case): Promise<string[]> {
  const { workingGroupMin } = await standardFor(em, c.unitPath, c.year);
  const { total } = await store.problemCounts(em, c.id);
  const missing: string[] = [];
  if (!c.plan?.trim()) missing.push('a plan (一村一策)');
  if (total === 0) missing.push('at least one problem item');
  if (!c.responsibleLeader?.trim()) missing.push('a responsible leader');
  const group = c.workingGroup.length;
  if (group < workingGroupMin) missing.push(`a working group of at least ${workingGroupMin} (has ${group})`);
  return missing;
}

/**
 * Moves a case along its lifecycle on the date it happened (`on`: not in the future, not before the
 * previous move), recording who and why. Gates: leaving IDENTIFIED needs a plan, a problem item, a
 * responsible leader and a working group of the standard's size; TRANSFORMED needs every problem item
 * resolved (on or before `on`); CLOSED needs an acceptance at or above the satisfaction threshold and the
 * consolidation period elapsed by `on`. Two concurrent moves from the same state: one wins, one gets CONFLICT.
 */
export async function transition(em: EntityManager, p: Principal, caseId: string,
  input: { to: CaseState; reason: string; on: string; expectedVersion?: number | null }): Promise<Case> {
  const reason = required(input.reason, 'reason', 'say why');
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unitPath, what: 'rectification case' });
  if (!isCaseState(input.to)) throw badInput('to', 'unknown state');
  const on = await pastDate(em, input.on, 'on');
  if (input.expectedVersion != null && input.expectedVersion !== c.version) throw conflict('the case changed since you read it', { version: c.version });
  // someone else got there first
  if (c.state === input.to) throw conflict(`the case is already ${c.state}`, { version: c.version });
  if (!NEXT_STATES[c.state].includes(input.to)) {
    throw invalid(c.state, input.to, FINISHED_STATES.includes(c.state)
      ? `a ${c.state} case accepts no further change`
      : `a ${c.state} case cannot become ${input.to}`);
  }
  const earliest = await store.earliestNextMove(em, c.id, c.year);
  if (on < earliest) throw badInput('on', `the case cannot move before its previous transition (${earliest})`);
  if (c.state === 'IDENTIFIED') {
    const missing = await missingToStart(em, c);
    if (missing.length) throw invalid(c.state, input.to, `the case cannot leave IDENTIFIED without ${missing.join(', ')}`, { missing });
  }
  if (input.to === 'TRANSFORMED') {
    const items = await store.problemCounts(em, c.id);
    if (items.total === 0) throw invalid(c.state, input.to, 'a case with no problem items cannot be transformed');
    if (items.open > 0) throw invalid(c.state, input.to, `${items.open} problem item(s) are not resolved`);
    if (items.lastResolvedOn && items.lastResolvedOn > on) throw badInput('on', `the last problem item was resolved on ${items.lastResolvedOn}, after ${on}`);
  }
  if (input.to === 'CLOSED') {
    const std = await standardFor(em, c.unitPath, c.year);
    const rate = await store.bestAcceptance(em, c.id, on);
    if (rate == null || rate < std.satisfactionMin) {
      throw invalid(c.state, input.to, `closing needs a year-end acceptance (验收) on or before ${on} with satisfaction at or above ${std.satisfactionMin}`);
    }
    const until = c.transformedOn ? addMonths(c.transformedOn, std.consolidationMonths) : null;
    if (!until || until > on) throw invalid(c.state, input.to, `the consolidation period of ${std.consolidationMonths} months runs until ${until}`);
  }
  return em.transactional(async (tx) => {
    if (!(await store.moveCase(tx, c, input.to, on))) throw conflict('someone else changed the case at the same time; read it again', { field: 'caseId' });
    await recordTransition(tx, c.id, c.unitId, c.state, input.to, reason, p.userId, on);
    return requireCase(tx, c.id);
  });
}
