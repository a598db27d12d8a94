import { AppError, ErrorCode, badInput, conflict, localDate, notFound } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { CAUSES, NEXT_STATES, TRANSFORMED_OR_LATER, addMonths, categoryOf, isCaseState, type CaseState } from './lifecycle.js';
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
}

const CASE_COLUMNS = `c.*, to_char(c.publicized_on, 'YYYY-MM-DD') as publicized_on, to_char(c.deadline, 'YYYY-MM-DD') as deadline,
  to_char(c.transformed_on, 'YYYY-MM-DD') as transformed_on`;
export const today = () => new Date().toISOString().slice(0, 10);

export function assertYear(year: number, field = 'year') {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput(field, 'must be a year from 2000 to 2100');
}

export async function requireCase(em: EntityManager, id: string, lock = false): Promise<CaseRow> {
  if (!/^\d{1,18}$/.test(id)) throw badInput('caseId', 'not a valid case id');
  const [row] = await em.execute<CaseRow[]>(`select ${CASE_COLUMNS} from rectification_case c where c.id = ?${lock ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('rectification case');
  return { ...row, id: String(row.id), unit_id: String(row.unit_id) };
}

/**
 * A village becomes a target in a year: opens its case, unless one exists. If its latest earlier case
 * had transformed (or gone further), that case relapses and the new case links to it.
 */
async function ensureCase(tx: EntityManager, village: AdminUnitRow, year: number, userId: string, why: string): Promise<void> {
  const [existing] = await tx.execute<{ id: string }[]>(`select id from rectification_case where unit_id = ? and year = ?`, [village.id, year]);
  if (existing) return;
  const [earlier] = await tx.execute<{ id: string; state: CaseState }[]>(
    `select id, state from rectification_case where unit_id = ? and year < ? order by year desc limit 1 for update`,
    [village.id, year],
  );
  let previous: string | null = null;
  if (earlier && TRANSFORMED_OR_LATER.includes(earlier.state)) {
    await tx.execute(`update rectification_case set state = 'RELAPSED', version = version + 1, updated_at = now() where id = ?`, [earlier.id]);
    await recordTransition(tx, earlier.id, village.id, earlier.state, 'RELAPSED', `relapsed: ${why} in ${year}`, userId);
    previous = String(earlier.id);
  } else if (earlier?.state === 'RELAPSED') previous = String(earlier.id);
  const [created] = await tx.execute<{ id: string }[]>(
    `insert into rectification_case (unit_id, year, previous_case_id) values (?, ?, ?) returning id`,
    [village.id, year, previous],
  );
  await recordTransition(tx, String(created!.id), village.id, 'IDENTIFIED', 'IDENTIFIED', `identified: ${why}`, userId);
}

function recordTransition(tx: EntityManager, caseId: string, unitId: string, from: string, to: string, reason: string, userId: string) {
  return tx.execute(`insert into case_transition (case_id, unit_id, from_state, to_state, reason, by_user) values (?, ?, ?, ?, ?, ?)`, [
    caseId, unitId, from, to, reason, userId,
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
    return row;
  });
}

/** 软弱涣散 designation with problem types and one of the four causes. */
export async function designateWeak(em: EntityManager, p: Principal, input: { villageId: string; year: number; cause: string; problemTypes: string[] }) {
  assertYear(input.year);
  if (!(CAUSES as readonly string[]).includes(input.cause)) throw badInput('cause', `must be one of ${CAUSES.join(', ')}`);
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'rectification:assess', { path: village.path, what: 'village' });
  const std = await standardFor(em, village.path, input.year);
  const unknown = input.problemTypes.filter((t) => !std.problemTypes.includes(t));
  if (unknown.length) throw badInput('problemTypes', `unknown problem types ${unknown.join(', ')}; configured: ${std.problemTypes.join(', ')}`);
  return em.transactional(async (tx) => {
    const [row] = await executeBound<any>(tx,
      `insert into weak_designation (unit_id, year, cause, problem_types, designated_by) values ($1, $2, $3, $4::text[], $5)
       on conflict (unit_id, year) do update set cause = excluded.cause, problem_types = excluded.problem_types,
         designated_by = excluded.designated_by, designated_at = now()
       returning *`,
      [village.id, input.year, input.cause, input.problemTypes, p.userId],
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
  const c = await requireCase(em, caseId);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  if (c.state === 'CLOSED' || c.state === 'RELAPSED') throw conflict(`a ${c.state.toLowerCase()} case cannot be changed`);
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

/** 问题清单: a problem with its measure, responsible person and due date. */
export async function addProblem(em: EntityManager, p: Principal, caseId: string, input: { problem: string; measure: string; responsible: string; dueOn: string }) {
  const c = await requireCase(em, caseId);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  for (const f of ['problem', 'measure', 'responsible'] as const) if (!input[f]?.trim()) throw badInput(f, 'required');
  localDate(input.dueOn, 'dueOn');
  const [row] = await em.execute<any[]>(
    `insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values (?, ?, ?, ?, ?, ?) returning id`,
    [c.id, c.unit_id, input.problem.trim(), input.measure.trim(), input.responsible.trim(), input.dueOn],
  );
  return String(row.id);
}

export async function resolveProblem(em: EntityManager, p: Principal, itemId: string, input: { resolvedOn: string; evidence: string }) {
  if (!/^\d{1,18}$/.test(itemId)) throw badInput('id', 'not a valid problem item id');
  const [item] = await em.execute<any[]>(`select id, unit_path from problem_item where id = ?`, [itemId]);
  if (!item) throw notFound('problem item');
  assertCan(p, 'rectification:manage', { path: item.unit_path, what: 'problem item' });
  localDate(input.resolvedOn, 'resolvedOn');
  if (!input.evidence?.trim()) throw badInput('evidence', 'an evidence note is required');
  await em.execute(`update problem_item set resolved_on = ?, evidence = ? where id = ?`, [input.resolvedOn, input.evidence.trim(), itemId]);
  return itemId;
}

/** 验收: the year-end acceptance with the villagers' satisfaction rate. */
export async function recordAcceptance(em: EntityManager, p: Principal, caseId: string, input: { acceptedOn: string; satisfactionRate: number; note?: string | null }) {
  const c = await requireCase(em, caseId);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  localDate(input.acceptedOn, 'acceptedOn');
  if (!(input.satisfactionRate >= 0 && input.satisfactionRate <= 1)) throw badInput('satisfactionRate', 'must be from 0 to 1');
  await em.execute(`insert into acceptance (case_id, unit_id, accepted_on, satisfaction_rate, note, by_user) values (?, ?, ?, ?, ?, ?)`, [
    c.id, c.unit_id, input.acceptedOn, input.satisfactionRate, input.note ?? null, p.userId,
  ]);
  return requireCase(em, c.id);
}

function invalid(from: CaseState, to: string, why: string) {
  return new AppError(ErrorCode.INVALID_TRANSITION, why, { from, to, allowedNextStates: NEXT_STATES[from] });
}

/**
 * Moves a case along its lifecycle, recording who, when and why. Guards: transformed needs every
 * problem item resolved; closed needs an acceptance at or above the satisfaction threshold and the
 * consolidation period elapsed. Two concurrent moves from the same state: one wins, one gets CONFLICT.
 */
export async function transition(em: EntityManager, p: Principal, caseId: string, input: { to: string; reason: string; expectedVersion?: number | null }): Promise<CaseRow> {
  const c = await requireCase(em, caseId);
  assertCan(p, 'rectification:manage', { path: c.unit_path, what: 'rectification case' });
  if (!input.reason?.trim()) throw badInput('reason', 'say why');
  if (!isCaseState(input.to)) throw badInput('to', 'unknown state');
  if (input.expectedVersion != null && input.expectedVersion !== c.version) throw conflict('the case changed since you read it', { version: c.version });
  // someone else got there first
  if (c.state === input.to) throw conflict(`the case is already ${c.state}`, { version: c.version });
  if (!NEXT_STATES[c.state].includes(input.to)) throw invalid(c.state, input.to, `a ${c.state} case cannot become ${input.to}`);
  if (input.to === 'TRANSFORMED') {
    const [open] = await em.execute<{ n: string }[]>(`select count(*) as n from problem_item where case_id = ? and resolved_on is null`, [c.id]);
    if (Number(open!.n) > 0) throw invalid(c.state, input.to, `${open!.n} problem item(s) are not resolved`);
  }
  if (input.to === 'CLOSED') {
    const std = await standardFor(em, c.unit_path, c.year);
    const [acc] = await em.execute<{ rate: string }[]>(`select max(satisfaction_rate) as rate from acceptance where case_id = ?`, [c.id]);
    if (acc?.rate == null || Number(acc.rate) < std.satisfactionMin) {
      throw invalid(c.state, input.to, `closing needs a year-end acceptance with satisfaction at or above ${std.satisfactionMin}`);
    }
    const until = c.transformed_on ? addMonths(c.transformed_on, std.consolidationMonths) : null;
    if (!until || until > today()) throw invalid(c.state, input.to, `the consolidation period of ${std.consolidationMonths} months runs until ${until}`);
  }
  return em.transactional(async (tx) => {
    const rows = await tx.execute<{ id: string }[]>(
      `update rectification_case set state = ?, version = version + 1, updated_at = now(),
         transformed_on = case when ? = 'TRANSFORMED' then current_date else transformed_on end
       where id = ? and state = ? and version = ? returning id`,
      [input.to, input.to, c.id, c.state, c.version],
    );
    if (!rows.length) throw conflict('someone else changed the case at the same time; read it again', { field: 'caseId' });
    await recordTransition(tx, c.id, c.unit_id, c.state, input.to, input.reason.trim(), p.userId);
    return requireCase(tx, c.id);
  });
}
