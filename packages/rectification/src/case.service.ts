import { AppError, ErrorCode, badInput, conflict, localDate, notFound } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { CAUSES, FINISHED_STATES, NEXT_STATES, TRANSFORMED_OR_LATER, addMonths, categoryOf, isCaseState, type CaseState } from './lifecycle.js';
import { standardFor } from './standards.js';

export interface CaseRow {
  id: string;
  unit_id: string;
  unit_path: string;
  year: number;
  state: CaseState;
  version: number;
  previous_case_id: string | null;
  facts: string | null;
  causes: string | null;
  plan: string | null;
  publicized_on: string | null;
  responsible_leader: string | null;
  village_secretary: string | null;
  working_group: string[];
  deadline: string | null;
  transformed_on: string | null;
  closed_on: string | null;
}

const CASE_COLUMNS = `c.*, to_char(c.publicized_on, 'YYYY-MM-DD') as publicized_on, to_char(c.deadline, 'YYYY-MM-DD') as deadline,
  to_char(c.transformed_on, 'YYYY-MM-DD') as transformed_on, to_char(c.closed_on, 'YYYY-MM-DD') as closed_on`;
export const today = () => new Date().toISOString().slice(0, 10);

/** Today on the database's clock (the one that decides "not in the future"). */
export async function dbToday(em: EntityManager): Promise<string> {
  const [r] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  return r!.d;
}

export function assertYear(year: number, field = 'year') {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput(field, 'must be a year from 2000 to 2100');
}

export async function requireCase(em: EntityManager, id: string, lock = false): Promise<CaseRow> {
  if (!/^\d{1,18}$/.test(id)) throw badInput('caseId', 'not a valid case id');
  const [row] = await em.execute<CaseRow[]>(`select ${CASE_COLUMNS} from rectification_case c where c.id = ?${lock ? ' for update of c' : ''}`, [id]);
  if (!row) throw notFound('rectification case');
  return { ...row, id: String(row.id), unit_id: String(row.unit_id) };
}

/**
 * The day a case of `year` is identified when recorded today: today, kept inside the case's year (a
 * 2025 rating typed in 2026 still identifies the village in 2025, as of 31 December).
 */
async function identifiedOn(tx: EntityManager, year: number): Promise<string> {
  const [r] = await tx.execute<{ d: string }[]>(
    `select to_char(greatest(make_date(?::int, 1, 1), least(current_date, make_date(?::int, 12, 31))), 'YYYY-MM-DD') as d`, [year, year]);
  return r!.d;
}

/**
 * A village becomes a target in a year: opens its case, unless one exists (a withdrawn one is
 * identified again). If its latest earlier case had transformed (or gone further), that case relapses
 * and the new case links to it.
 */
async function ensureCase(tx: EntityManager, village: AdminUnitRow, year: number, userId: string, why: string): Promise<void> {
  const [existing] = await tx.execute<{ id: string; state: CaseState }[]>(
    `select id, state from rectification_case where unit_id = ? and year = ? for update`, [village.id, year]);
  if (existing && existing.state !== 'WITHDRAWN') return;
  const on = await identifiedOn(tx, year);
  const [earlier] = await tx.execute<{ id: string; state: CaseState; last_on: string }[]>(
    `select c.id, c.state, (select to_char(max(t.happened_on), 'YYYY-MM-DD') from case_transition t where t.case_id = c.id) as last_on
       from rectification_case c where c.unit_id = ? and c.year < ? and c.state <> 'WITHDRAWN' order by c.year desc limit 1 for update of c`,
    [village.id, year],
  );
  let previous: string | null = null;
  if (earlier && TRANSFORMED_OR_LATER.includes(earlier.state)) {
    await tx.execute(`update rectification_case set state = 'RELAPSED', version = version + 1, updated_at = now() where id = ?`, [earlier.id]);
    const relapsedOn = earlier.last_on && earlier.last_on > on ? earlier.last_on : on;
    await recordTransition(tx, String(earlier.id), village.id, earlier.state, 'RELAPSED', `relapsed: ${why} in ${year}`, userId, relapsedOn);
    previous = String(earlier.id);
  } else if (earlier?.state === 'RELAPSED') previous = String(earlier.id);
  if (existing) {
    await tx.execute(`update rectification_case set state = 'IDENTIFIED', previous_case_id = ?, version = version + 1, updated_at = now() where id = ?`,
      [previous, existing.id]);
    await recordTransition(tx, String(existing.id), village.id, 'WITHDRAWN', 'IDENTIFIED', `identified again: ${why}`, userId, on);
    return;
  }
  const [created] = await tx.execute<{ id: string }[]>(
    `insert into rectification_case (unit_id, year, previous_case_id) values (?, ?, ?) returning id`,
    [village.id, year, previous],
  );
  await recordTransition(tx, String(created!.id), village.id, 'IDENTIFIED', 'IDENTIFIED', `identified: ${why}`, userId, on);
}

/**
 * A village re-rated out of the third category in a year it is no longer a target (no designation
 * either): its untouched case is withdrawn, the reason kept; a case on which work has started is not
 * left behind silently: the re-rating is refused. A relapse the case had caused is undone.
 */
async function withdrawCase(tx: EntityManager, village: AdminUnitRow, year: number, userId: string, why: string): Promise<void> {
  const [c] = await tx.execute<(CaseRow & { problems: string })[]>(
    `select c.*, (select count(*) from problem_item p where p.case_id = c.id) as problems
       from rectification_case c where c.unit_id = ? and c.year = ? for update of c`, [village.id, year]);
  if (!c || c.state === 'WITHDRAWN') return;
  const [designated] = await tx.execute(`select 1 from weak_designation where unit_id = ? and year = ?`, [village.id, year]);
  if (designated) return; // still a target: designated weak that year
  const work = [
    c.state !== 'IDENTIFIED' && `it is ${c.state}`,
    Number(c.problems) > 0 && `${c.problems} problem item(s) are listed`,
    c.plan && 'a plan is recorded',
    c.responsible_leader && 'a responsible leader is named',
    c.working_group?.length && 'a working group is stationed',
    (c.facts || c.causes) && 'facts are recorded',
  ].filter(Boolean);
  if (work.length) {
    throw new AppError(ErrorCode.INVALID_TRANSITION,
      `the village's ${year} rectification case has started (${work.join('; ')}): it cannot be re-rated out of the third category; ` +
      'carry the case through its lifecycle instead', { from: c.state, to: 'WITHDRAWN', caseId: String(c.id), allowedNextStates: NEXT_STATES[c.state] });
  }
  const on = await identifiedOn(tx, year);
  await tx.execute(`update rectification_case set state = 'WITHDRAWN', previous_case_id = null, version = version + 1, updated_at = now() where id = ?`, [c.id]);
  await recordTransition(tx, String(c.id), village.id, 'IDENTIFIED', 'WITHDRAWN', `withdrawn: ${why}`, userId, on);
  if (c.previous_case_id) {
    // the relapse this case caused: the earlier case returns to the state it relapsed from
    const [p] = await tx.execute<{ id: string; from_state: CaseState }[]>(
      `select c.id, t.from_state from rectification_case c
         join lateral (select from_state, to_state, reason from case_transition where case_id = c.id order by id desc limit 1) t on true
        where c.id = ? and c.state = 'RELAPSED' and t.to_state = 'RELAPSED' and t.reason like 'relapsed: %' and t.reason like '% in ' || ?::int
        for update of c`, [c.previous_case_id, year]);
    if (p) {
      await tx.execute(`update rectification_case set state = ?, version = version + 1, updated_at = now() where id = ?`, [p.from_state, p.id]);
      await recordTransition(tx, String(p.id), village.id, 'RELAPSED', p.from_state, `relapse withdrawn: ${why}`, userId, on);
    }
  }
}

function recordTransition(tx: EntityManager, caseId: string, unitId: string, from: string, to: string, reason: string, userId: string, on: string) {
  return tx.execute(`insert into case_transition (case_id, unit_id, from_state, to_state, reason, by_user, happened_on) values (?, ?, ?, ?, ?, ?, ?)`, [
    caseId, unitId, from, to, reason, userId, on,
  ]);
}

/** 十星级 rating for a year; the category follows from the standard in force. */
export async function assess(em: EntityManager, p: Principal, input: { villageId: string; year: number; stars: number }) {
  assertYear(input.year);
  if (!Number.isInteger(input.stars) || input.stars < 0 || input.stars > 10) throw badInput('stars', 'must be a whole number from 0 to 10');
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:assess', { path: village.path, what: 'village' });
  const category = categoryOf(input.stars, await standardFor(em, village.path, input.year));
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<any[]>(
      `insert into assessment (unit_id, year, stars, category, assessed_by) values (?, ?, ?, ?, ?)
       on conflict (unit_id, year) do update set stars = excluded.stars, category = excluded.category,
         assessed_by = excluded.assessed_by, assessed_at = now()
       returning *`,
      [village.id, input.year, input.stars, category, p.userId],
    );
    if (category === 'THIRD') await ensureCase(tx, village, input.year, p.userId, `${input.stars} stars, third category`);
    else await withdrawCase(tx, village, input.year, p.userId, `re-rated ${input.stars} stars (${category}) for ${input.year}`);
    return row;
  });
}

/** 软弱涣散 designation with problem types and one of the four causes. */
export async function designateWeak(em: EntityManager, p: Principal,
  input: { villageId: string; year: number; cause: string; problemTypes: string[]; paralysed?: boolean | null }) {
  assertYear(input.year);
  if (!(CAUSES as readonly string[]).includes(input.cause)) throw badInput('cause', `must be one of ${CAUSES.join(', ')}`);
  const paralysed = input.paralysed ?? false;
  if (paralysed && input.cause !== 'WEAK_LAX') throw badInput('paralysed', 'a paralysed team (瘫痪班子) is designated with the cause WEAK_LAX (软弱涣散)');
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:assess', { path: village.path, what: 'village' });
  const std = await standardFor(em, village.path, input.year);
  const unknown = input.problemTypes.filter((t) => !std.problemTypes.includes(t));
  if (unknown.length) throw badInput('problemTypes', `unknown problem types ${unknown.join(', ')}; configured: ${std.problemTypes.join(', ')}`);
  return em.transactional(async (tx) => {
    const [row] = await executeBound<any>(tx,
      `insert into weak_designation (unit_id, year, cause, problem_types, designated_by, paralysed) values ($1, $2, $3, $4::text[], $5, $6)
       on conflict (unit_id, year) do update set cause = excluded.cause, problem_types = excluded.problem_types,
         designated_by = excluded.designated_by, designated_at = now(), paralysed = excluded.paralysed
       returning *`,
      [village.id, input.year, input.cause, input.problemTypes, p.userId, paralysed],
    );
    await ensureCase(tx, village, input.year, p.userId, `designated ${input.cause}`);
    return row;
  });
}

/** 重点整顿对象: a township marks one of its target villages as a key target. */
export async function markKeyTarget(em: EntityManager, p: Principal, input: { villageId: string; year: number; key: boolean }) {
  assertYear(input.year);
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:manage', { path: village.path, what: 'village' });
  const [target] = await em.execute(`select 1 from rectification_target where unit_id = ? and year = ?`, [village.id, input.year]);
  if (!target) throw badInput('villageId', `the village is not a rectification target in ${input.year}`);
  if (input.key) {
    await em.execute(`insert into key_target (unit_id, year, marked_by) values (?, ?, ?) on conflict (unit_id, year) do nothing`, [village.id, input.year, p.userId]);
  } else await em.execute(`delete from key_target where unit_id = ? and year = ?`, [village.id, input.year]);
  return village;
}

export interface CasePatch {
  facts?: string | null;
  causes?: string | null;
  plan?: string | null;
  publicizedOn?: string | null;
  responsibleLeader?: string | null;
  villageSecretary?: string | null;
  workingGroup?: string[] | null;
  deadline?: string | null;
}

/** The ledger entry: facts, causes, 一村一策 plan and its 公示, 包保 leader, secretary, working group, deadline. */
export async function updateCase(em: EntityManager, p: Principal, caseId: string, patch: CasePatch): Promise<CaseRow> {
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  assertOpen(c, 'changed');
  for (const f of ['publicizedOn', 'deadline'] as const) if (patch[f] != null) localDate(patch[f], f);
  if (patch.workingGroup != null) {
    const members = patch.workingGroup.map((m) => m.trim()).filter(Boolean);
    const { workingGroupMin } = await standardFor(em, c.unit_path, c.year);
    if (members.length < workingGroupMin) throw badInput('workingGroup', `a working group needs at least ${workingGroupMin} members, got ${members.length}`);
    patch.workingGroup = members;
  }
  await executeBound(em,
    `update rectification_case set facts = coalesce($1, facts), causes = coalesce($2, causes), plan = coalesce($3, plan),
       publicized_on = coalesce($4::date, publicized_on), responsible_leader = coalesce($5, responsible_leader),
       village_secretary = coalesce($6, village_secretary), working_group = coalesce($7::text[], working_group),
       deadline = coalesce($8::date, deadline), version = version + 1, updated_at = now()
     where id = $9`,
    [patch.facts ?? null, patch.causes ?? null, patch.plan ?? null, patch.publicizedOn ?? null, patch.responsibleLeader ?? null,
     patch.villageSecretary ?? null, patch.workingGroup ?? null,
     patch.deadline ?? null, c.id],
  );
  return requireCase(em, c.id);
}

/** A closed, relapsed or withdrawn case accepts no further change (a relapse only links to it). */
function assertOpen(c: CaseRow, what: string, allowed: readonly CaseState[] = []) {
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
  const now = await dbToday(em);
  if (value > now) throw badInput(field, `cannot be in the future (today is ${now})`);
  return value;
}

/** Problems are listed and resolved while the case is being worked on. */
const WORKING_STATES: readonly CaseState[] = ['IDENTIFIED', 'RECTIFYING'];

/** 问题清单: a problem with its measure, responsible person and due date. */
export async function addProblem(em: EntityManager, p: Principal, caseId: string, input: { problem: string; measure: string; responsible: string; dueOn: string }) {
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  assertOpen(c, 'given new problem items', WORKING_STATES);
  for (const f of ['problem', 'measure', 'responsible'] as const) if (!input[f]?.trim()) throw badInput(f, 'required');
  localDate(input.dueOn, 'dueOn');
  const [row] = await em.execute<any[]>(
    `insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values (?, ?, ?, ?, ?, ?) returning id`,
    [c.id, c.unit_id, input.problem.trim(), input.measure.trim(), input.responsible.trim(), input.dueOn],
  );
  await em.execute(`update rectification_case set version = version + 1, updated_at = now() where id = ?`, [c.id]);
  return String(row.id);
}

export async function resolveProblem(em: EntityManager, p: Principal, itemId: string, input: { resolvedOn: string; evidence: string }) {
  if (!/^\d{1,18}$/.test(itemId)) throw badInput('id', 'not a valid problem item id');
  const [item] = await em.execute<any[]>(`select id, case_id, unit_path from problem_item where id = ?`, [itemId]);
  if (!item) throw notFound('problem item');
  assertCan(p, 'rectification:manage', { path: item.unit_path, what: 'problem item' });
  const c = await requireCase(em, String(item.case_id), true);
  assertOpen(c, 'changed (its problem items are settled)', WORKING_STATES);
  await pastDate(em, input.resolvedOn, 'resolvedOn');
  if (!input.evidence?.trim()) throw badInput('evidence', 'an evidence note is required');
  await em.execute(`update problem_item set resolved_on = ?, evidence = ? where id = ?`, [input.resolvedOn, input.evidence.trim(), itemId]);
  await em.execute(`update rectification_case set version = version + 1, updated_at = now() where id = ?`, [c.id]);
  return itemId;
}

/** 验收: the year-end acceptance with the villagers' satisfaction rate, on a transformed or consolidated case. */
export async function recordAcceptance(em: EntityManager, p: Principal, caseId: string, input: { acceptedOn: string; satisfactionRate: number; note?: string | null }) {
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  assertOpen(c, 'accepted (验收 follows the transformation)', ['TRANSFORMED', 'CONSOLIDATED']);
  await pastDate(em, input.acceptedOn, 'acceptedOn');
  if (c.transformed_on && input.acceptedOn < c.transformed_on) {
    throw badInput('acceptedOn', `the acceptance cannot be dated before the transformation (${c.transformed_on})`);
  }
  if (!(input.satisfactionRate >= 0 && input.satisfactionRate <= 1)) throw badInput('satisfactionRate', 'must be from 0 to 1');
  await em.execute(`insert into acceptance (case_id, unit_id, accepted_on, satisfaction_rate, note, by_user) values (?, ?, ?, ?, ?, ?)`, [
    c.id, c.unit_id, input.acceptedOn, input.satisfactionRate, input.note ?? null, p.userId,
  ]);
  await em.execute(`update rectification_case set version = version + 1, updated_at = now() where id = ?`, [c.id]);
  return requireCase(em, c.id);
}

function invalid(from: CaseState, to: string, why: string, details: Record<string, unknown> = {}) {
  return new AppError(ErrorCode.INVALID_TRANSITION, why, { from, to, allowedNextStates: NEXT_STATES[from], ...details });
}

/**
 * The earliest date the case's next move may carry: its latest move, or the day it was identified (or
 * identified again); 1 January of its year when that was recorded after the year ended.
 */
async function earliestNextMove(em: EntityManager, c: CaseRow): Promise<string> {
  const [r] = await em.execute<{ d: string }[]>(
    `select to_char(greatest(make_date(?::int, 1, 1), max(case when t.to_state = 'IDENTIFIED' and t.happened_on < t.at::date
                                                          then make_date(?::int, 1, 1) else t.happened_on end)), 'YYYY-MM-DD') as d
       from case_transition t where t.case_id = ?`,
    [c.year, c.year, c.id],
  );
  return r!.d;
}

/** What a case still lacks to leave IDENTIFIED (一村一策 plan, problem list, 包保 leader, working group). */
async function missingToStart(em: EntityManager, c: CaseRow): Promise<string[]> {
  const { workingGroupMin } = await standardFor(em, c.unit_path, c.year);
  const [n] = await em.execute<{ n: string }[]>(`select count(*) as n from problem_item where case_id = ?`, [c.id]);
  const missing: string[] = [];
  if (!c.plan?.trim()) missing.push('a plan (一村一策)');
  if (Number(n!.n) === 0) missing.push('at least one problem item');
  if (!c.responsible_leader?.trim()) missing.push('a responsible leader');
  const group = (c.working_group ?? []).length;
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
  input: { to: string; reason: string; on: string; expectedVersion?: number | null }): Promise<CaseRow> {
  const c = await requireCase(em, caseId, true);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  if (!input.reason?.trim()) throw badInput('reason', 'say why');
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
  const earliest = await earliestNextMove(em, c);
  if (on < earliest) throw badInput('on', `the case cannot move before its previous transition (${earliest})`);
  if (c.state === 'IDENTIFIED') {
    const missing = await missingToStart(em, c);
    if (missing.length) throw invalid(c.state, input.to, `the case cannot leave IDENTIFIED without ${missing.join(', ')}`, { missing });
  }
  if (input.to === 'TRANSFORMED') {
    const [items] = await em.execute<{ n: string; open: string; late: string | null }[]>(
      `select count(*) as n, count(*) filter (where resolved_on is null) as open, to_char(max(resolved_on), 'YYYY-MM-DD') as late
         from problem_item where case_id = ?`, [c.id]);
    if (Number(items!.n) === 0) throw invalid(c.state, input.to, 'a case with no problem items cannot be transformed');
    if (Number(items!.open) > 0) throw invalid(c.state, input.to, `${items!.open} problem item(s) are not resolved`);
    if (items!.late && items!.late > on) throw badInput('on', `the last problem item was resolved on ${items!.late}, after ${on}`);
  }
  if (input.to === 'CLOSED') {
    const std = await standardFor(em, c.unit_path, c.year);
    const [acc] = await em.execute<{ rate: string | null }[]>(
      `select max(satisfaction_rate) as rate from acceptance where case_id = ? and accepted_on <= ?`, [c.id, on]);
    if (acc?.rate == null || Number(acc.rate) < std.satisfactionMin) {
      throw invalid(c.state, input.to, `closing needs a year-end acceptance (验收) on or before ${on} with satisfaction at or above ${std.satisfactionMin}`);
    }
    const until = c.transformed_on ? addMonths(c.transformed_on, std.consolidationMonths) : null;
    if (!until || until > on) throw invalid(c.state, input.to, `the consolidation period of ${std.consolidationMonths} months runs until ${until}`);
  }
  return em.transactional(async (tx) => {
    const rows = await tx.execute<{ id: string }[]>(
      `update rectification_case set state = ?, version = version + 1, updated_at = now(),
         transformed_on = case when ? = 'TRANSFORMED' then ?::date else transformed_on end,
         closed_on = case when ? = 'CLOSED' then ?::date else closed_on end
       where id = ? and state = ? and version = ? returning id`,
      [input.to, input.to, on, input.to, on, c.id, c.state, c.version],
    );
    if (!rows.length) throw conflict('someone else changed the case at the same time; read it again', { field: 'caseId' });
    await recordTransition(tx, c.id, c.unit_id, c.state, input.to, input.reason.trim(), p.userId, on);
    return requireCase(tx, c.id);
  });
}
