import { executeBound, type EntityManager } from '@jiceng/db';
import { configUnder } from '@jiceng/tenancy';
import { causeColumn, stateColumn } from './rollup.js';
import { CASE_STATES, CAUSES, TRANSFORMED_OR_LATER, type AccountabilityThresholds, type CaseState, type Category, type Cause } from './lifecycle.js';

// All of the rectification module's SQL (demo seeds and migrations aside). Every statement runs on the
// request's EntityManager (its transaction, its scope, RLS) with server-side $n parameters; arrays travel
// as bound arrays. Rows come back camelCase and typed; services hold the rules, resolvers only map types.

const one = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0];
const q = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []) => executeBound<T>(em, sql, params);

// ---------------------------------------------------------------- cases

export interface Case {
  id: string;
  unitId: string;
  unitPath: string;
  year: number;
  state: CaseState;
  version: number;
  previousCaseId: string | null;
  facts: string | null;
  causes: string | null;
  plan: string | null;
  publicizedOn: string | null;
  responsibleLeader: string | null;
  villageSecretary: string | null;
  workingGroup: string[];
  deadline: string | null;
  transformedOn: string | null;
  closedOn: string | null;
}

const CASE = `c.id::text as id, c.unit_id::text as "unitId", c.unit_path::text as "unitPath", c.year, c.state, c.version,
  c.previous_case_id::text as "previousCaseId", c.facts, c.causes, c.plan, to_char(c.publicized_on, 'YYYY-MM-DD') as "publicizedOn",
  c.responsible_leader as "responsibleLeader", c.village_secretary as "villageSecretary", coalesce(c.working_group, '{}') as "workingGroup",
  to_char(c.deadline, 'YYYY-MM-DD') as deadline, to_char(c.transformed_on, 'YYYY-MM-DD') as "transformedOn",
  to_char(c.closed_on, 'YYYY-MM-DD') as "closedOn"`;

/** Cases by id (visible ones only), in one statement; `lock` takes them for update. */
export function casesByIds(em: EntityManager, ids: readonly string[], lock = false): Promise<Case[]> {
  return q<Case>(em, `select ${CASE} from rectification_case c where c.id = any ($1::bigint[])${lock ? ' for update of c' : ''}`, [[...ids]]);
}

/** The case of a village in a year, locked. */
export function caseOfVillage(em: EntityManager, unitId: string, year: number): Promise<(Case & { problems: number }) | undefined> {
  return one(q<Case & { problems: number }>(em,
    `select ${CASE}, (select count(*)::int from problem_item p where p.case_id = c.id) as problems
       from rectification_case c where c.unit_id = $1 and c.year = $2 for update of c`, [unitId, year]));
}

/** The village's latest case before a year (not withdrawn), locked, with the date of its last move. */
export function latestEarlierCase(em: EntityManager, unitId: string, year: number): Promise<{ id: string; state: CaseState; lastOn: string | null } | undefined> {
  return one(q(em,
    `select c.id::text as id, c.state, (select to_char(max(t.happened_on), 'YYYY-MM-DD') from case_transition t where t.case_id = c.id) as "lastOn"
       from rectification_case c where c.unit_id = $1 and c.year < $2 and c.state <> 'WITHDRAWN' order by c.year desc limit 1 for update of c`,
    [unitId, year]));
}

export function insertCase(em: EntityManager, unitId: string, year: number, previousCaseId: string | null): Promise<string> {
  return one(q<{ id: string }>(em, `insert into rectification_case (unit_id, year, previous_case_id) values ($1, $2, $3) returning id::text as id`,
    [unitId, year, previousCaseId])).then((r) => r!.id);
}

/** Sets a case's state (and, when given, its previous case), bumping its version. */
export async function setCaseState(em: EntityManager, id: string, state: CaseState, previousCaseId?: string | null): Promise<void> {
  await q(em, `update rectification_case set state = $1, previous_case_id = case when $3 then $2::bigint else previous_case_id end,
                 version = version + 1, updated_at = now() where id = $4`, [state, previousCaseId ?? null, previousCaseId !== undefined, id]);
}

export async function bumpCaseVersion(em: EntityManager, id: string): Promise<void> {
  await q(em, `update rectification_case set version = version + 1, updated_at = now() where id = $1`, [id]);
}

/** The ledger fields of a case that updateCaseFields writes. */
export type CaseFields = Pick<Case, 'facts' | 'causes' | 'plan' | 'publicizedOn' | 'responsibleLeader' | 'villageSecretary' | 'deadline'> & { workingGroup: string[] | null };

/** Writes the given ledger fields of a case (null keeps a field as it is). */
export async function updateCaseFields(em: EntityManager, id: string, f: CaseFields): Promise<void> {
  await q(em,
    `update rectification_case set facts = coalesce($1, facts), causes = coalesce($2, causes), plan = coalesce($3, plan),
       publicized_on = coalesce($4::date, publicized_on), responsible_leader = coalesce($5, responsible_leader),
       village_secretary = coalesce($6, village_secretary), working_group = coalesce($7::text[], working_group),
       deadline = coalesce($8::date, deadline), version = version + 1, updated_at = now()
     where id = $9`,
    [f.facts, f.causes, f.plan, f.publicizedOn, f.responsibleLeader, f.villageSecretary, f.workingGroup, f.deadline, id]);
}

/** Moves a case from the state and version read; false when someone else moved it first. */
export async function moveCase(em: EntityManager, c: Pick<Case, 'id' | 'state' | 'version'>, to: CaseState, on: string): Promise<boolean> {
  const rows = await q(em,
    `update rectification_case set state = $1, version = version + 1, updated_at = now(),
       transformed_on = case when $1 = 'TRANSFORMED' then $2::date else transformed_on end,
       closed_on = case when $1 = 'CLOSED' then $2::date else closed_on end
     where id = $3 and state = $4 and version = $5 returning id`,
    [to, on, c.id, c.state, c.version]);
  return rows.length > 0;
}

/** A page of the cases of each unit's subtree in a year (keyset on id), one statement for all units. */
export async function casePages(em: EntityManager, units: readonly { id: string; path: string }[], year: number,
  state: CaseState | null, afterId: string | null, limit: number): Promise<Map<string, Case[]>> {
  const rows = await q<Case & { forUnit: string }>(em,
    `select u.id::text as "forUnit", x.* from unnest($1::bigint[], $2::ltree[]) as u(id, path)
       cross join lateral (select ${CASE} from rectification_case c where c.unit_path <@ u.path and c.year = $3
                             and ($4::text is null or c.state = $4) and ($5::bigint is null or c.id > $5) order by c.id limit $6) x`,
    [units.map((u) => u.id), units.map((u) => u.path), year, state, afterId, limit]);
  return groupBy(rows, (r) => r.forUnit, ({ forUnit: _, ...c }) => c);
}

/** How many cases each unit's subtree has in a year, one statement for all units. */
export async function caseCounts(em: EntityManager, units: readonly { id: string; path: string }[], year: number, state: CaseState | null): Promise<Map<string, number>> {
  const rows = await q<{ id: string; n: number }>(em,
    `select u.id::text as id, (select count(*)::int from rectification_case c where c.unit_path <@ u.path and c.year = $3
                                  and ($4::text is null or c.state = $4)) as n
       from unnest($1::bigint[], $2::ltree[]) as u(id, path)`,
    [units.map((u) => u.id), units.map((u) => u.path), year, state]);
  return new Map(rows.map((r) => [r.id, r.n]));
}

// ---------------------------------------------------------------- transitions

export interface Transition {
  caseId: string;
  from: CaseState;
  to: CaseState;
  reason: string;
  on: string;
  at: Date;
  by: string | null;
}

export async function insertTransition(em: EntityManager, t: { caseId: string; unitId: string; from: CaseState; to: CaseState; reason: string; userId: string; on: string }): Promise<void> {
  await q(em, `insert into case_transition (case_id, unit_id, from_state, to_state, reason, by_user, happened_on) values ($1, $2, $3, $4, $5, $6, $7)`,
    [t.caseId, t.unitId, t.from, t.to, t.reason, t.userId, t.on]);
}

/** Transitions of many cases, in order (one statement), with who made them. */
export function transitionsOf(em: EntityManager, caseIds: readonly string[]): Promise<Transition[]> {
  return q<Transition>(em,
    `select t.case_id::text as "caseId", t.from_state as from, t.to_state as to, t.reason, to_char(t.happened_on, 'YYYY-MM-DD') as on, t.at, u.username as by
       from case_transition t left join tenancy_account u on u.id = t.by_user where t.case_id = any ($1::bigint[]) order by t.id`, [[...caseIds]]);
}

/** The last move of a case, for undoing a relapse caused in `year` (null when it is not such a relapse). */
export function relapseCausedIn(em: EntityManager, caseId: string, year: number): Promise<{ id: string; fromState: CaseState } | undefined> {
  return one(q(em,
    `select c.id::text as id, t.from_state as "fromState" from rectification_case c
       join lateral (select from_state, to_state, reason from case_transition where case_id = c.id order by id desc limit 1) t on true
      where c.id = $1 and c.state = 'RELAPSED' and t.to_state = 'RELAPSED' and t.reason like 'relapsed: %' and t.reason like '% in ' || $2::int
      for update of c`, [caseId, year]));
}

/**
 * The earliest date the case's next move may carry: its latest move, or the day it was identified (or
 * identified again); 1 January of its year when that was recorded after the year ended.
 */
export function earliestNextMove(em: EntityManager, caseId: string, year: number): Promise<string> {
  return one(q<{ d: string }>(em,
    `select to_char(greatest(make_date($1::int, 1, 1), max(case when t.to_state = 'IDENTIFIED' and t.happened_on < t.at::date
                                                          then make_date($1::int, 1, 1) else t.happened_on end)), 'YYYY-MM-DD') as d
       from case_transition t where t.case_id = $2`, [year, caseId])).then((r) => r!.d);
}

// ---------------------------------------------------------------- dates on the database's clock

/** Today on the database's clock (the one that decides "not in the future"). */
export function dbToday(em: EntityManager): Promise<string> {
  return one(q<{ d: string }>(em, `select to_char(current_date, 'YYYY-MM-DD') as d`)).then((r) => r!.d);
}

/** Today, kept inside a year (a 2025 rating typed in 2026 is dated 31 December 2025). */
export function todayWithinYear(em: EntityManager, year: number): Promise<string> {
  return one(q<{ d: string }>(em,
    `select to_char(greatest(make_date($1::int, 1, 1), least(current_date, make_date($1::int, 12, 31))), 'YYYY-MM-DD') as d`, [year])).then((r) => r!.d);
}

// ---------------------------------------------------------------- assessments, designations, key targets

export interface Assessment {
  unitId: string;
  year: number;
  stars: number;
  category: Category;
}

export function upsertAssessment(em: EntityManager, a: { unitId: string; year: number; stars: number; category: Category; by: string }): Promise<Assessment> {
  return one(q<Assessment>(em,
    `insert into assessment (unit_id, year, stars, category, assessed_by) values ($1, $2, $3, $4, $5)
     on conflict (unit_id, year) do update set stars = excluded.stars, category = excluded.category, assessed_by = excluded.assessed_by, assessed_at = now()
     returning unit_id::text as "unitId", year, stars, category`,
    [a.unitId, a.year, a.stars, a.category, a.by])).then((r) => r!);
}

/**
 * Upserts many assessments in one statement (unnest of bound arrays). Rows whose stars and category are
 * already stored are left untouched (re-importing a file changes nothing); returns the rows written, with
 * the category each had before (null: new).
 */
export function upsertAssessments(em: EntityManager, rows: readonly { unitId: string; year: number; stars: number; category: Category }[], by: string): Promise<{ unitId: string; year: number; category: Category; was: Category | null }[]> {
  return q(em,
    `with input as (select * from unnest($1::bigint[], $2::int[], $3::int[], $4::text[]) as i (unit_id, year, stars, category)),
          prev as (select a.unit_id, a.year, a.category from assessment a join input i using (unit_id, year)),
          up as (insert into assessment (unit_id, year, stars, category, assessed_by) select unit_id, year, stars, category, $5 from input
                 on conflict (unit_id, year) do update set stars = excluded.stars, category = excluded.category, assessed_by = excluded.assessed_by, assessed_at = now()
                 where assessment.stars is distinct from excluded.stars or assessment.category is distinct from excluded.category
                 returning unit_id, year, category)
     select up.unit_id::text as "unitId", up.year, up.category, prev.category as was from up left join prev using (unit_id, year)`,
    [rows.map((r) => r.unitId), rows.map((r) => r.year), rows.map((r) => r.stars), rows.map((r) => r.category), by]);
}

/**
 * Opens the case of the year, identified on `on`, for each of many villages that has no case that year
 * and no earlier case (not withdrawn) to relapse or link: the plain first case, two statements' worth in
 * one. Returns the villages it opened cases for; the others take ensureCase's path one by one.
 */
export async function openFirstCases(em: EntityManager, villages: readonly { unitId: string; reason: string }[], year: number, userId: string, on: string): Promise<Set<string>> {
  const rows = await q<{ id: string }>(em,
    `with v as (select * from unnest($1::bigint[], $2::text[]) as i (unit_id, reason)),
          fresh as (select v.* from v where not exists (select 1 from rectification_case c where c.unit_id = v.unit_id and (c.year = $3 or (c.year < $3 and c.state <> 'WITHDRAWN')))),
          ins as (insert into rectification_case (unit_id, year) select unit_id, $3 from fresh returning id, unit_id),
          tr as (insert into case_transition (case_id, unit_id, from_state, to_state, reason, by_user, happened_on)
                 select ins.id, ins.unit_id, 'IDENTIFIED', 'IDENTIFIED', fresh.reason, $4, $5::date from ins join fresh using (unit_id))
     select unit_id::text as id from ins`,
    [villages.map((v) => v.unitId), villages.map((v) => v.reason), year, userId, on]);
  return new Set(rows.map((r) => r.id));
}

/** Of many villages, those with a case of the year that is not withdrawn (one statement). */
export async function villagesWithCase(em: EntityManager, unitIds: readonly string[], year: number): Promise<Set<string>> {
  const rows = await q<{ id: string }>(em,
    `select unit_id::text as id from rectification_case where unit_id = any ($1::bigint[]) and year = $2 and state <> 'WITHDRAWN'`, [[...unitIds], year]);
  return new Set(rows.map((r) => r.id));
}

/** Assessments of many units, oldest first (optionally within years), one statement. */
export function assessmentsOf(em: EntityManager, unitIds: readonly string[], fromYear: number | null, toYear: number | null): Promise<Assessment[]> {
  return q<Assessment>(em,
    `select unit_id::text as "unitId", year, stars, category from assessment
      where unit_id = any ($1::bigint[]) and ($2::int is null or year >= $2) and ($3::int is null or year <= $3) order by unit_id, year`,
    [[...unitIds], fromYear, toYear]);
}

export interface Designation {
  unitId: string;
  year: number;
  cause: Cause;
  problemTypes: string[];
  paralysed: boolean;
  designatedOn: string;
}

const DESIGNATION = `unit_id::text as "unitId", year, cause, problem_types as "problemTypes", paralysed, to_char(designated_at, 'YYYY-MM-DD') as "designatedOn"`;

export async function upsertDesignation(em: EntityManager, d: { unitId: string; year: number; cause: Cause; problemTypes: string[]; paralysed: boolean; by: string }): Promise<Designation> {
  return (await one(q<Designation>(em,
    `insert into weak_designation (unit_id, year, cause, problem_types, designated_by, paralysed) values ($1, $2, $3, $4::text[], $5, $6)
     on conflict (unit_id, year) do update set cause = excluded.cause, problem_types = excluded.problem_types,
       designated_by = excluded.designated_by, designated_at = now(), paralysed = excluded.paralysed
     returning ${DESIGNATION}`,
    [d.unitId, d.year, d.cause, d.problemTypes, d.by, d.paralysed])))!;
}

export function designationsOf(em: EntityManager, unitIds: readonly string[], year: number): Promise<Designation[]> {
  return q<Designation>(em, `select ${DESIGNATION} from weak_designation where unit_id = any ($1::bigint[]) and year = $2`, [[...unitIds], year]);
}

export async function isTarget(em: EntityManager, unitId: string, year: number): Promise<boolean> {
  return (await q(em, `select 1 from rectification_target where unit_id = $1 and year = $2`, [unitId, year])).length > 0;
}

export async function setKeyTarget(em: EntityManager, unitId: string, year: number, key: boolean, by: string): Promise<void> {
  if (key) await q(em, `insert into key_target (unit_id, year, marked_by) values ($1, $2, $3) on conflict (unit_id, year) do nothing`, [unitId, year, by]);
  else await q(em, `delete from key_target where unit_id = $1 and year = $2`, [unitId, year]);
}

// ---------------------------------------------------------------- problem items, acceptances

export interface ProblemItem {
  id: string;
  caseId: string;
  problem: string;
  measure: string;
  responsible: string;
  dueOn: string;
  resolvedOn: string | null;
  evidence: string | null;
}

export function insertProblem(em: EntityManager, p: { caseId: string; unitId: string; problem: string; measure: string; responsible: string; dueOn: string }): Promise<string> {
  return one(q<{ id: string }>(em,
    `insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values ($1, $2, $3, $4, $5, $6) returning id::text as id`,
    [p.caseId, p.unitId, p.problem, p.measure, p.responsible, p.dueOn])).then((r) => r!.id);
}

export function problemTarget(em: EntityManager, id: string): Promise<{ id: string; caseId: string; unitPath: string } | undefined> {
  return one(q(em, `select id::text as id, case_id::text as "caseId", unit_path::text as "unitPath" from problem_item where id = $1`, [id]));
}

export async function resolveProblemItem(em: EntityManager, id: string, resolvedOn: string, evidence: string): Promise<void> {
  await q(em, `update problem_item set resolved_on = $1, evidence = $2 where id = $3`, [resolvedOn, evidence, id]);
}

/** Problem items of many cases, by due date (one statement). */
export function problemsOf(em: EntityManager, caseIds: readonly string[]): Promise<ProblemItem[]> {
  return q<ProblemItem>(em,
    `select id::text as id, case_id::text as "caseId", problem, measure, responsible, to_char(due_on, 'YYYY-MM-DD') as "dueOn",
            to_char(resolved_on, 'YYYY-MM-DD') as "resolvedOn", evidence
       from problem_item where case_id = any ($1::bigint[]) order by due_on, id`, [[...caseIds]]);
}

/** A case's problem items: how many, how many open, the last resolution date. */
export function problemCounts(em: EntityManager, caseId: string): Promise<{ total: number; open: number; lastResolvedOn: string | null }> {
  return one(q<{ total: number; open: number; lastResolvedOn: string | null }>(em,
    `select count(*)::int as total, (count(*) filter (where resolved_on is null))::int as open, to_char(max(resolved_on), 'YYYY-MM-DD') as "lastResolvedOn"
       from problem_item where case_id = $1`, [caseId])).then((r) => r!);
}

export interface Acceptance {
  caseId: string;
  acceptedOn: string;
  satisfactionRate: number;
  note: string | null;
  by: string | null;
}

export async function insertAcceptance(em: EntityManager, a: { caseId: string; unitId: string; acceptedOn: string; satisfactionRate: number; note: string | null; by: string }): Promise<void> {
  await q(em, `insert into acceptance (case_id, unit_id, accepted_on, satisfaction_rate, note, by_user) values ($1, $2, $3, $4, $5, $6)`,
    [a.caseId, a.unitId, a.acceptedOn, a.satisfactionRate, a.note, a.by]);
}

/** Acceptances of many cases, oldest first (one statement). */
export function acceptancesOf(em: EntityManager, caseIds: readonly string[]): Promise<Acceptance[]> {
  return q<Acceptance>(em,
    `select a.case_id::text as "caseId", to_char(a.accepted_on, 'YYYY-MM-DD') as "acceptedOn", a.satisfaction_rate::float8 as "satisfactionRate",
            a.note, u.username as by
       from acceptance a left join tenancy_account u on u.id = a.by_user where a.case_id = any ($1::bigint[]) order by a.accepted_on, a.id`, [[...caseIds]]);
}

/** The best satisfaction rate accepted for a case on or before a day (null: none). */
export function bestAcceptance(em: EntityManager, caseId: string, on: string): Promise<number | null> {
  return one(q<{ rate: number | null }>(em,
    `select max(satisfaction_rate)::float8 as rate from acceptance where case_id = $1 and accepted_on <= $2`, [caseId, on])).then((r) => r?.rate ?? null);
}

// ---------------------------------------------------------------- complaints

export interface Complaint {
  id: string;
  unitId: string;
  receivedOn: string;
  summary: string;
  replyDueOn: string;
  repliedOn: string | null;
  result: string | null;
}

const COMPLAINT = `m.id::text as id, m.unit_id::text as "unitId", to_char(m.received_on, 'YYYY-MM-DD') as "receivedOn", m.summary,
  to_char(m.reply_due_on, 'YYYY-MM-DD') as "replyDueOn", to_char(m.replied_on, 'YYYY-MM-DD') as "repliedOn", m.result`;

/** A complaint with its reply due `workingDays` working days after receipt on the unit's calendar. */
export function insertComplaint(em: EntityManager, c: { unitId: string; unitPath: string; receivedOn: string; summary: string; workingDays: number }): Promise<string> {
  return one(q<{ id: string }>(em,
    `insert into complaint (unit_id, received_on, summary, reply_working_days, reply_due_on)
     values ($1, $2::date, $3, $4::int, jiceng_add_working_days($5::ltree, $2::date, $4::int)) returning id::text as id`,
    [c.unitId, c.receivedOn, c.summary, c.workingDays, c.unitPath])).then((r) => r!.id);
}

export function complaintForReply(em: EntityManager, id: string): Promise<{ id: string; unitPath: string; repliedOn: string | null; receivedOn: string } | undefined> {
  return one(q(em,
    `select id::text as id, unit_path::text as "unitPath", to_char(replied_on, 'YYYY-MM-DD') as "repliedOn", to_char(received_on, 'YYYY-MM-DD') as "receivedOn"
       from complaint where id = $1 for update`, [id]));
}

export async function replyToComplaint(em: EntityManager, id: string, repliedOn: string, result: string): Promise<void> {
  await q(em, `update complaint set replied_on = $1, result = $2 where id = $3`, [repliedOn, result, id]);
}

export function complaintsByIds(em: EntityManager, ids: readonly string[]): Promise<Complaint[]> {
  return q<Complaint>(em, `select ${COMPLAINT} from complaint m where m.id = any ($1::bigint[])`, [[...ids]]);
}

/** A page of the complaints received in a year under each unit (keyset on id), one statement for all units. */
export async function complaintPages(em: EntityManager, units: readonly { id: string; path: string }[], year: number, afterId: string | null, limit: number): Promise<Map<string, Complaint[]>> {
  const rows = await q<Complaint & { forUnit: string }>(em,
    `select u.id::text as "forUnit", x.* from unnest($1::bigint[], $2::ltree[]) as u(id, path)
       cross join lateral (select ${COMPLAINT} from complaint m where m.unit_path <@ u.path and extract(year from m.received_on) = $3
                             and ($4::bigint is null or m.id > $4) order by m.id limit $5) x`,
    [units.map((u) => u.id), units.map((u) => u.path), year, afterId, limit]);
  return groupBy(rows, (r) => r.forUnit, ({ forUnit: _, ...c }) => c);
}

export async function complaintCounts(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<Map<string, number>> {
  const rows = await q<{ id: string; n: number }>(em,
    `select u.id::text as id, (select count(*)::int from complaint m where m.unit_path <@ u.path and extract(year from m.received_on) = $3) as n
       from unnest($1::bigint[], $2::ltree[]) as u(id, path)`, [units.map((u) => u.id), units.map((u) => u.path), year]);
  return new Map(rows.map((r) => [r.id, r.n]));
}

// ---------------------------------------------------------------- standards and calendar days

export interface StandardValues {
  thirdCategoryMaxStars: number;
  firstCategoryMinStars: number;
  keyTargetShare: number;
  workingGroupMin: number;
  satisfactionMin: number;
  consolidationMonths: number;
  complaintReplyWorkingDays: number;
  problemTypes: string[];
  accountability: AccountabilityThresholds;
}

/** A standard row as set on a unit from a year. */
export interface StandardRow extends StandardValues {
  path: string;
  unitId: string;
  effectiveYear: number;
}

function toStandardRow(r: any): StandardRow {
  return {
    path: r.path,
    unitId: String(r.unit_id),
    effectiveYear: r.effective_year,
    thirdCategoryMaxStars: r.third_category_max_stars,
    firstCategoryMinStars: r.first_category_min_stars,
    keyTargetShare: Number(r.key_target_share),
    workingGroupMin: r.working_group_min,
    satisfactionMin: Number(r.satisfaction_min),
    consolidationMonths: r.consolidation_months,
    complaintReplyWorkingDays: r.complaint_reply_working_days,
    problemTypes: r.problem_types,
    accountability: { criticismAt: r.criticism_at, oneGradeDownAt: r.one_grade_down_at, twoGradesDownAt: r.two_grades_down_at },
  };
}

/** The standards set over a subtree and on its ancestor line, resolved per unit (tenancy's configUnder). */
export function standardsOver(em: EntityManager, path: string, year: number): Promise<(unitPath: string) => StandardRow | undefined> {
  return configUnder(em, { table: 'rectification_standard', since: 'effective_year' }, year, path, toStandardRow);
}

/** Standards set on the ancestor lines of many units by a year, deepest first then latest (one statement). */
export async function standardsOnLines(em: EntityManager, paths: readonly string[], year: number): Promise<StandardRow[]> {
  const rows = await q<any>(em,
    `select *, unit_path::text as path from rectification_standard
      where effective_year <= $1 and unit_path @> any ($2::ltree[]) order by nlevel(unit_path) desc, effective_year desc`,
    [year, [...paths]]);
  return rows.map(toStandardRow);
}

export async function upsertStandard(em: EntityManager, unitId: string, year: number, v: StandardValues): Promise<void> {
  await q(em,
    `insert into rectification_standard (unit_id, effective_year, third_category_max_stars, first_category_min_stars, key_target_share, working_group_min,
       satisfaction_min, consolidation_months, complaint_reply_working_days, problem_types, criticism_at, one_grade_down_at, two_grades_down_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11, $12, $13)
     on conflict (unit_id, effective_year) do update set third_category_max_stars = excluded.third_category_max_stars,
       first_category_min_stars = excluded.first_category_min_stars, key_target_share = excluded.key_target_share,
       working_group_min = excluded.working_group_min, satisfaction_min = excluded.satisfaction_min,
       consolidation_months = excluded.consolidation_months, complaint_reply_working_days = excluded.complaint_reply_working_days,
       problem_types = excluded.problem_types, criticism_at = excluded.criticism_at, one_grade_down_at = excluded.one_grade_down_at,
       two_grades_down_at = excluded.two_grades_down_at`,
    [unitId, year, v.thirdCategoryMaxStars, v.firstCategoryMinStars, v.keyTargetShare, v.workingGroupMin, v.satisfactionMin, v.consolidationMonths,
      v.complaintReplyWorkingDays, v.problemTypes, v.accountability.criticismAt, v.accountability.oneGradeDownAt, v.accountability.twoGradesDownAt]);
}

export interface CalendarDayRow {
  path: string;
  day: string;
  kind: 'HOLIDAY' | 'WORKDAY';
}

/** Calendar days set on the ancestor lines of many units (optionally within dates), by day, deepest first. */
export function calendarDaysOnLines(em: EntityManager, paths: readonly string[], from: string | null, to: string | null): Promise<CalendarDayRow[]> {
  return q<CalendarDayRow>(em,
    `select unit_path::text as path, to_char(day, 'YYYY-MM-DD') as day, kind from calendar_day
      where unit_path @> any ($1::ltree[]) and ($2::date is null or day >= $2) and ($3::date is null or day <= $3) order by day, nlevel(unit_path) desc`,
    [[...paths], from, to]);
}

export async function setCalendarDayRow(em: EntityManager, unitId: string, day: string, kind: 'HOLIDAY' | 'WORKDAY' | null): Promise<void> {
  if (kind === null) await q(em, `delete from calendar_day where unit_id = $1 and day = $2`, [unitId, day]);
  else await q(em, `insert into calendar_day (unit_id, day, kind) values ($1, $2, $3) on conflict (unit_id, day) do update set kind = excluded.kind`, [unitId, day, kind]);
}

// ---------------------------------------------------------------- dashboards

export interface SummaryRow {
  unitId: string;
  assessed: number;
  thirdCategory: number;
  targets: number;
  keyTargets: number;
  byCause: Record<string, number>;
  casesByState: Record<string, number>;
  overdueProblems: number;
  complaintsPastDeadline: number;
}

const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);

/**
 * The summary statement over units `u(id, path)`; `inUnit(alias)` is the condition that a row belongs to
 * the unit: its subtree today, or (past years after a move) the units placed under it then ($4 out, $5 in).
 * A past year (`asOf`, its last day) counts each case in the state of its last transition dated by then.
 */
function summarySql(asOf: string): string {
  if (!isDay(asOf)) throw new Error(`bad day ${asOf}`);
  const inUnit = (a: string) => `((${a}.unit_path <@ u.path and ${a}.unit_id <> all ($4::bigint[])) or ${a}.unit_id = any ($5::bigint[]))`;
  const day = `least(current_date, '${asOf}'::date)`;
  // (the opening record, IDENTIFIED → IDENTIFIED, changes nothing: a late opening is dated at its year's end)
  const stateAt =
    `coalesce((select t.to_state from case_transition t where t.case_id = c.id and t.happened_on <= '${asOf}'::date and t.from_state <> t.to_state
                order by t.happened_on desc, t.id desc limit 1), 'IDENTIFIED')`;
  return `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path))
     select u.id::text as "unitId",
       (select count(*)::int from assessment a where ${inUnit('a')} and a.year = $3) as assessed,
       (select count(*)::int from assessment a where ${inUnit('a')} and a.year = $3 and a.category = 'THIRD') as "thirdCategory",
       (select count(*)::int from rectification_target t where ${inUnit('t')} and t.year = $3) as targets,
       (select count(*)::int from key_target k where ${inUnit('k')} and k.year = $3) as "keyTargets",
       (select coalesce(jsonb_object_agg(cause, n), '{}') from (select d.cause, count(*) n from weak_designation d
          where ${inUnit('d')} and d.year = $3 group by d.cause) x) as "byCause",
       (select coalesce(jsonb_object_agg(state, n), '{}') from (select ${stateAt} as state, count(*) n from rectification_case c
          where ${inUnit('c')} and c.year = $3 group by 1) x) as "casesByState",
       (select count(*)::int from problem_item pi join rectification_case c on c.id = pi.case_id
         where ${inUnit('pi')} and c.year = $3 and (pi.resolved_on is null or pi.resolved_on > ${day}) and pi.due_on < ${day}) as "overdueProblems",
       (select count(*)::int from complaint m where ${inUnit('m')} and extract(year from m.received_on) = $3
          and m.reply_due_on < ${day} and (m.replied_on is null or m.replied_on > m.reply_due_on)) as "complaintsPastDeadline"
     from u`;
}

/** A JSON object of the non-zero figures of a rollup row `r`, keyed by value (as jsonb_object_agg over groups gives). */
const rollupObject = (values: readonly string[], column: (v: string) => string) =>
  `jsonb_strip_nulls(jsonb_build_object(${values.map((v) => `'${v}', nullif(r.${column(v)}, 0)`).join(', ')}))`;

/**
 * The summary of units `u(id, path)` on today's tree: the rollup row of each unit and year (one indexed read
 * by unit id), and the two figures that depend on the day (open problems past due, complaints answered
 * late), counted from their rows as of that day: by unit id for villages (under row-level security the
 * ltree `<@`, not leakproof, cannot drive an index scan), by subtree above them.
 */
function rollupSummarySql(asOf: string | null, villages: boolean): string {
  if (asOf != null && !isDay(asOf)) throw new Error(`bad day ${asOf}`);
  const inUnit = (a: string) => (villages ? `${a}.unit_id = u.id` : `${a}.unit_path <@ u.path`);
  const day = asOf == null ? 'current_date' : `least(current_date, '${asOf}'::date)`;
  return `with u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path))
     select u.id::text as "unitId", coalesce(r.assessed, 0)::int as assessed, coalesce(r.third_category, 0)::int as "thirdCategory",
       coalesce(r.targets, 0)::int as targets, coalesce(r.key_targets, 0)::int as "keyTargets",
       coalesce(${rollupObject(CAUSES, causeColumn)}, '{}') as "byCause",
       coalesce(${rollupObject(CASE_STATES, stateColumn)}, '{}') as "casesByState",
       (select count(*)::int from problem_item pi join rectification_case c on c.id = pi.case_id
         where ${inUnit('pi')} and c.year = $3 and (pi.resolved_on is null or pi.resolved_on > ${day}) and pi.due_on < ${day}) as "overdueProblems",
       (select count(*)::int from complaint m where ${inUnit('m')} and extract(year from m.received_on) = $3
          and m.reply_due_on < ${day} and (m.replied_on is null or m.replied_on > m.reply_due_on)) as "complaintsPastDeadline"
     from u left join rectification_rollup r on r.unit_id = u.id and r.year = $3`;
}

/**
 * Summary figures of many units' subtrees on today's tree, from the rollup: one statement for the villages
 * among them, one for the rest.
 */
export async function summaryRows(em: EntityManager, units: readonly { id: string; path: string; level?: string }[], year: number, asOf: string | null): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  for (const villages of [true, false]) {
    const some = units.filter((u) => (u.level === 'VILLAGE') === villages);
    if (some.length) rows.push(...await q<SummaryRow>(em, rollupSummarySql(asOf, villages), [some.map((u) => u.id), some.map((u) => u.path), year]));
  }
  return rows;
}

/** One unit's summary, counting `out` units as outside and `into` units as inside (its subtree as it was). */
export function adjustedSummaryRow(em: EntityManager, unit: { id: string; path: string }, year: number, asOf: string, out: readonly string[], into: readonly string[]): Promise<SummaryRow[]> {
  return q<SummaryRow>(em, summarySql(asOf), [[unit.id], [unit.path], year, [...out], [...into]]);
}

/**
 * Seed 004's classification of the year's weak villages (`weak`: rows (for_id, unit_id), the year in `$year`)
 * by their earlier years on record; one row per village and unit asked about.
 */
function classifiedSql(weak: string, year: string): string {
  return `with ${weak},
     classified as (
       select w.for_id, w.unit_id,
         case when exists (select 1 from rectification_case c where c.unit_id = w.unit_id and c.year < ${year}
                             and c.state in ('TRANSFORMED', 'CONSOLIDATED', 'CLOSED', 'RELAPSED')) then 'TRANSFORMED_THEN_RELAPSED'
              when exists (select 1 from assessment a where a.unit_id = w.unit_id and a.year < ${year} and a.category <> 'THIRD'
                             and not exists (select 1 from weak_designation d where d.unit_id = a.unit_id and d.year = a.year)) then 'GOOD_THEN_WEAK'
              when exists (select 1 from rectification_target p where p.unit_id = w.unit_id and p.year < ${year}) then 'WEAK_THROUGHOUT'
              else 'NO_HISTORY' end as pattern
         from weak w)`;
}

/** The weak villages of one unit: its subtree, or with `change` the units it held that year ($1 path, $2 year, $3 out, $4 in). */
const oneUnitWeak = (change: boolean) => `weak as (select distinct 0 as for_id, t.unit_id from rectification_target t where ${change
  ? `((t.unit_path <@ $1::ltree and t.unit_id <> all ($3::bigint[])) or t.unit_id = any ($4::bigint[]))`
  : `t.unit_path <@ $1::ltree`} and t.year = $2)`;

type Change = { out: readonly string[]; in: readonly string[] } | undefined;
const classifiedParams = (path: string, year: number, change: Change) => (change ? [path, year, [...change.out], [...change.in]] : [path, year]);

/** Pattern counts of one unit (its subtree, or the units it held that year when `change` is given). */
export function relapsePatternCounts(em: EntityManager, path: string, year: number, change: Change): Promise<{ pattern: string; n: number }[]> {
  return q(em, `${classifiedSql(oneUnitWeak(!!change), '$2')} select pattern, count(*)::int as n from classified group by pattern`, classifiedParams(path, year, change));
}

/** Pattern counts of many units' subtrees on today's tree, in one statement. */
export async function relapsePatternCountsMany(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<Map<string, { pattern: string; n: number }[]>> {
  if (!units.length) return new Map();
  const rows = await q<{ unitId: string; pattern: string; n: number }>(em,
    `${classifiedSql(`u as (select * from unnest($1::bigint[], $2::ltree[]) as u(id, path)),
       weak as (select distinct u.id as for_id, t.unit_id from u join rectification_target t on t.unit_path <@ u.path and t.year = $3)`, '$3')}
     select for_id::text as "unitId", pattern, count(*)::int as n from classified group by 1, 2`,
    [units.map((u) => u.id), units.map((u) => u.path), year]);
  return groupBy(rows, (r) => r.unitId, ({ pattern, n }) => ({ pattern, n }));
}

/** The villages of one pattern, by code, a page at a time (keyset on the code). */
export async function relapsePatternVillageIds(em: EntityManager, path: string, year: number, change: Change, pattern: string, afterCode: string | null, limit: number): Promise<string[]> {
  const params = classifiedParams(path, year, change);
  const k = params.length;
  const rows = await q<{ id: string }>(em,
    `${classifiedSql(oneUnitWeak(!!change), '$2')} select v.id::text as id from classified c join tenancy_unit v on v.id = c.unit_id
      where c.pattern = $${k + 1} and ($${k + 2}::text is null or v.code > $${k + 2}) order by v.code limit $${k + 3}`,
    [...params, pattern, afterCode, limit]);
  return rows.map((r) => r.id);
}

/**
 * Per township under each of many units (townships with rural villages): rural villages (kept on the unit by
 * tenancy: rural_villages), and key targets in a year from the township's rollup row (one indexed read by unit
 * id); one statement.
 */
export function keyTargetCounts(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<{ forUnit: string; townshipId: string; path: string; villages: number; keyTargets: number }[]> {
  return q(em,
    `select u.id::text as "forUnit", t.id::text as "townshipId", t.path::text as path, t.rural_villages as villages, coalesce(r.key_targets, 0)::int as "keyTargets"
       from unnest($2::bigint[], $3::ltree[]) as u(id, path)
       join tenancy_unit t on t.path <@ u.path and t.level = 'TOWNSHIP' and t.rural_villages > 0
       left join rectification_rollup r on r.unit_id = t.id and r.year = $1
      order by u.id, t.code`, [year, units.map((u) => u.id), units.map((u) => u.path)]);
}

/** Per township under each of many units: villages whose team is newly paralysed in a year (not the year before); townships with none omitted. */
export function newlyParalysedCounts(em: EntityManager, units: readonly { id: string; path: string }[], year: number): Promise<{ forUnit: string; townshipId: string; path: string; n: number }[]> {
  return q(em,
    `select u.id::text as "forUnit", t.id::text as "townshipId", t.path::text as path, count(d.id)::int as n
       from unnest($2::bigint[], $3::ltree[]) as u(id, path)
       join tenancy_unit t on t.path <@ u.path and t.level = 'TOWNSHIP'
       join tenancy_unit v on v.parent_id = t.id and v.level = 'VILLAGE'
       join weak_designation d on d.unit_id = v.id and d.year = $1 and d.paralysed
            and not exists (select 1 from weak_designation p where p.unit_id = d.unit_id and p.year = $1 - 1 and p.paralysed)
      group by u.id, t.id, t.code, t.path order by u.id, count(d.id) desc, t.code`, [year, units.map((u) => u.id), units.map((u) => u.path)]);
}

// ---------------------------------------------------------------- helpers

function groupBy<R, V>(rows: readonly R[], key: (r: R) => string, value: (r: R) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const r of rows) {
    const k = key(r);
    let list = out.get(k);
    if (!list) {
      list = [];
      out.set(k, list);
    }
    list.push(value(r));
  }
  return out;
}

// What other modules read of rectification's data (re-exported by exports.ts, the module's boundary).

/** A rectification target of a year (a third-category or designated weak village) and its cause. */
export interface RectificationTarget {
  unitId: string;
  path: string;
  /** WEAK_LAX, FINANCIAL_CHAOS, BACKWARD_ECONOMY or ACUTE_CONFLICTS; null when none was designated */
  cause: string | null;
}

/** The targets of a year under any of the given subtrees, by unit id (RLS applies: the caller's view). */
export function targetsUnder(em: EntityManager, paths: readonly string[], year: number): Promise<RectificationTarget[]> {
  return executeBound<RectificationTarget>(em,
    `select unit_id::text as "unitId", unit_path::text as "path", cause
       from rectification_target where unit_path <@ any ($1::ltree[]) and year = $2 order by unit_id`,
    [paths, year]);
}

/** The targets of a year among the given units (a unit that is no target is absent). */
export function targetsAmong(em: EntityManager, unitIds: readonly string[], year: number): Promise<RectificationTarget[]> {
  return executeBound<RectificationTarget>(em,
    `select unit_id::text as "unitId", unit_path::text as "path", cause
       from rectification_target where unit_id = any ($1::bigint[]) and year = $2`,
    [unitIds, year]);
}


/**
 * For funding's award (以奖代补): which of these villages have a case that is transformed or later
 * (TRANSFORMED, CONSOLIDATED or CLOSED), in any year. Read under the caller's scope; one statement.
 */
export async function transformedVillagesForFunding(em: EntityManager, villageIds: readonly string[]): Promise<Set<string>> {
  if (!villageIds.length) return new Set();
  const rows = await executeBound<{ unitId: string }>(em,
    `select distinct unit_id::text as "unitId" from rectification_case where unit_id = any ($1::bigint[]) and state = any ($2::text[])`,
    [villageIds, TRANSFORMED_OR_LATER]);
  return new Set(rows.map((r) => r.unitId));
}

export interface DueRow { id: string; unitId: string; dueOn: string | null; title: string }

/** Complaints not yet answered in the scope, earliest reply deadline first (me.dueItems). */
export async function openComplaintsDue(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select id::text, unit_id::text as "unitId", to_char(reply_due_on, 'YYYY-MM-DD') as "dueOn", left(summary, 200) as title
       from complaint where replied_on is null and unit_path <@ any ($1::ltree[]) order by reply_due_on, id limit $2`, [scopes, limit]);
}

/** Unresolved problem items past their deadline in the scope, earliest first (me.dueItems). */
export async function overdueProblemItems(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select id::text, unit_id::text as "unitId", to_char(due_on, 'YYYY-MM-DD') as "dueOn", left(problem, 200) as title
       from problem_item where resolved_on is null and due_on < current_date and unit_path <@ any ($1::ltree[])
      order by due_on, id limit $2`, [scopes, limit]);
}

/** TRANSFORMED cases without an acceptance in the scope, oldest first (me.dueItems; no deadline). */
export async function casesDueForAcceptance(em: EntityManager, scopes: readonly string[], limit: number): Promise<DueRow[]> {
  return executeBound(em,
    `select c.id::text, c.unit_id::text as "unitId", null as "dueOn", c.year || ' rectification case' as title
       from rectification_case c
      where c.state = 'TRANSFORMED' and c.unit_path <@ any ($1::ltree[])
        and not exists (select 1 from acceptance a where a.case_id = c.id)
      order by c.updated_at, c.id limit $2`, [scopes, limit]);
}

// ---------------------------------------------------------------- spreadsheet exports (packages/sheets)

/** A row of the case register (登记造册): the case, its designation (cause, problem types) and its problem list. */
export interface CaseRegisterRow {
  id: string;
  unitId: string;
  unitPath: string;
  state: CaseState;
  cause: Cause | null;
  problemTypes: string[];
  responsibleLeader: string | null;
  villageSecretary: string | null;
  workingGroup: string[];
  plan: string | null;
  publicizedOn: string | null;
  deadline: string | null;
  transformedOn: string | null;
  closedOn: string | null;
  problems: string[];
  measures: string[];
  responsible: string[];
  problemDueOn: string | null;
  problemsOpen: number;
  acceptedOn: string | null;
  satisfactionRate: number | null;
  createdOn: string;
}

/** The case register of a subtree in a year, a page after an id (keyset on id): one statement a page. */
export function caseRegisterPage(em: EntityManager, path: string, year: number, afterId: string | null, limit: number): Promise<CaseRegisterRow[]> {
  return q<CaseRegisterRow>(em,
    `select c.id::text as id, c.unit_id::text as "unitId", c.unit_path::text as "unitPath", c.state, d.cause, coalesce(d.problem_types, '{}') as "problemTypes",
            c.responsible_leader as "responsibleLeader", c.village_secretary as "villageSecretary", coalesce(c.working_group, '{}') as "workingGroup",
            c.plan, to_char(c.publicized_on, 'YYYY-MM-DD') as "publicizedOn", to_char(c.deadline, 'YYYY-MM-DD') as deadline,
            to_char(c.transformed_on, 'YYYY-MM-DD') as "transformedOn", to_char(c.closed_on, 'YYYY-MM-DD') as "closedOn",
            coalesce(p.problems, '{}') as problems, coalesce(p.measures, '{}') as measures, coalesce(p.responsible, '{}') as responsible,
            to_char(p.due_on, 'YYYY-MM-DD') as "problemDueOn", coalesce(p.open, 0)::int as "problemsOpen",
            to_char(a.accepted_on, 'YYYY-MM-DD') as "acceptedOn", a.satisfaction_rate::float8 as "satisfactionRate",
            to_char(c.created_at, 'YYYY-MM-DD') as "createdOn"
       from rectification_case c
       left join weak_designation d on d.unit_id = c.unit_id and d.year = c.year
       left join lateral (select array_agg(i.problem order by i.id) as problems, array_agg(i.measure order by i.id) as measures,
                                 array_agg(i.responsible order by i.id) as responsible, max(i.due_on) as due_on,
                                 count(*) filter (where i.resolved_on is null) as open
                            from problem_item i where i.case_id = c.id) p on true
       left join lateral (select x.accepted_on, x.satisfaction_rate from acceptance x where x.case_id = c.id order by x.accepted_on desc, x.id desc limit 1) a on true
      where c.unit_path <@ $1::ltree and c.year = $2 and c.id > coalesce($3::bigint, 0)
      order by c.id limit $4`,
    [path, year, afterId, limit]);
}

/** A township's line of the key-target register: its rural villages, and the key targets among them in a year. */
export interface KeyTargetRegisterRow {
  townshipId: string;
  townshipPath: string;
  villages: number;
  keyTargets: number;
  keyTargetNames: string[];
  keyTargetCodes: string[];
}

/** The key-target register per township of a subtree in a year (a region has a few thousand townships): one statement. */
export function keyTargetRegister(em: EntityManager, path: string, year: number): Promise<KeyTargetRegisterRow[]> {
  return q<KeyTargetRegisterRow>(em,
    `select t.id::text as "townshipId", t.path::text as "townshipPath", count(v.id)::int as villages, count(k.id)::int as "keyTargets",
            coalesce(array_agg(v.name order by v.code) filter (where k.id is not null), '{}') as "keyTargetNames",
            coalesce(array_agg(v.code order by v.code) filter (where k.id is not null), '{}') as "keyTargetCodes"
       from tenancy_unit t
       join tenancy_unit v on v.parent_id = t.id and v.level = 'VILLAGE' and not v.urban
       left join key_target k on k.unit_id = v.id and k.year = $2
      where t.path <@ $1::ltree and t.level = 'TOWNSHIP'
      group by t.id, t.path order by t.path`,
    [path, year]);
}
