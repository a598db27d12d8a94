import { executeBound, type EntityManager } from '@jiceng/db';
import { SLOTS, type DepartmentType, type PartnerKind, type PartnerStatus, type ProjectKind } from './values.js';

// All of the pairing module's SQL, through the request's EntityManager with server-side parameters.
// Rows come back camelCase and typed; services hold the rules, resolvers map to GraphQL.

export interface PartnerRecord {
  id: string;
  unitId: string;
  unitPath: string;
  kind: PartnerKind;
  name: string;
  creditCode: string | null;
  contact: string | null;
  departmentType: DepartmentType | null;
  homeOrg: string | null;
  termStart: string | null;
  termEnd: string | null;
  projectKind: ProjectKind | null;
  budget: bigint | null;
  status: PartnerStatus | null;
  /** villages carried now (department suggestions only) */
  carried?: number | null;
}

const partnerColumns = (a: string) => `${a}.id::text as "id", ${a}.unit_id::text as "unitId", ${a}.unit_path::text as "unitPath", ${a}.kind, ${a}.name,
  ${a}.credit_code as "creditCode", ${a}.contact, ${a}.department_type as "departmentType", ${a}.home_org as "homeOrg",
  to_char(${a}.term_start, 'YYYY-MM-DD') as "termStart", to_char(${a}.term_end, 'YYYY-MM-DD') as "termEnd",
  ${a}.project_kind as "projectKind", ${a}.budget::text as "budget", ${a}.status`;

type Raw<T, K extends keyof T> = Omit<T, K> & { [P in K]: string | null };
const partnerOf = <R extends Raw<PartnerRecord, 'budget'>>(r: R) => ({ ...r, budget: r.budget == null ? null : BigInt(r.budget) });

/** A partner to register: its columns, without what the database gives it. */
export type NewPartner = Omit<PartnerRecord, 'id' | 'unitPath' | 'carried'>;

/** The new partner's id, or null when its credit code is registered already. */
export async function insertPartner(em: EntityManager, i: NewPartner): Promise<string | null> {
  const [row] = await executeBound<{ id: string }>(em,
    `insert into partner (unit_id, kind, name, credit_code, contact, department_type, home_org, term_start, term_end, project_kind, budget, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11::bigint, $12) on conflict do nothing returning id::text as id`,
    [i.unitId, i.kind, i.name, i.creditCode, i.contact, i.departmentType, i.homeOrg, i.termStart, i.termEnd, i.projectKind,
     i.budget == null ? null : String(i.budget), i.status]);
  return row?.id ?? null;
}

export async function partnersByIds(em: EntityManager, ids: readonly string[]): Promise<PartnerRecord[]> {
  const rows = await executeBound<Raw<PartnerRecord, 'budget'>>(em, `select ${partnerColumns('pa')} from partner pa where pa.id = any ($1::bigint[])`, [ids]);
  return rows.map(partnerOf);
}

export async function partnerById(em: EntityManager, id: string): Promise<PartnerRecord | null> {
  return (await partnersByIds(em, [id]))[0] ?? null;
}

/** The partner a user's account speaks for (its link lies outside the user's scope). */
export async function linkedPartnerId(em: EntityManager, userId: string): Promise<string | null> {
  const [row] = await executeBound<{ id: string | null }>(em, `select jiceng_my_partner($1)::text as id`, [userId]);
  return row?.id ?? null;
}

/** The linked partner, also when the account may no longer see any of its villages. */
export async function linkedPartner(em: EntityManager, userId: string): Promise<PartnerRecord | null> {
  const [row] = await executeBound<Raw<PartnerRecord, 'budget'>>(em, `select ${partnerColumns('pa')} from jiceng_my_partner_row($1) pa`, [userId]);
  return row ? partnerOf(row) : null;
}

/** The partner an account is linked to, and whether the caller's scope holds the link. */
export async function accountLink(em: EntityManager, userId: string): Promise<{ partnerId: string | null; visible: boolean }> {
  const [row] = await executeBound<{ partnerId: string | null; visible: boolean }>(em,
    `select jiceng_my_partner($1)::text as "partnerId", exists (select 1 from partner_account where user_id = $1) as visible`, [userId]);
  return row!;
}

export async function upsertAccountLink(em: EntityManager, userId: string, partner: { id: string; unitId: string }): Promise<void> {
  await executeBound(em,
    `insert into partner_account (user_id, partner_id, unit_id) values ($1, $2, $3)
     on conflict (user_id) do update set partner_id = excluded.partner_id, unit_id = excluded.unit_id`,
    [userId, partner.id, partner.unitId]);
}

/** Partners of a listing: registered under a subtree (with serving: also paired with its villages). */
export interface PartnerFilter {
  serving: boolean;
  kind: PartnerKind | null;
}
const partnerWhere = `(pa.unit_path <@ r.path or ($2 and exists (select 1 from pairing p where p.partner_id = pa.id and p.unit_path <@ r.path)))
   and ($3::text is null or pa.kind = $3)`;

/** For each subtree: up to `limit` partners after an id, oldest first. */
export async function partnerPagesUnder(em: EntityManager, paths: readonly string[], f: PartnerFilter, afterId: string | null, limit: number): Promise<(PartnerRecord & { root: string })[]> {
  const rows = await executeBound<Raw<PartnerRecord, 'budget'> & { root: string }>(em,
    `select r.path::text as "root", x.* from unnest($1::ltree[]) as r(path)
       cross join lateral (select ${partnerColumns('pa')} from partner pa where ${partnerWhere} and ($4::bigint is null or pa.id > $4) order by pa.id limit $5) x
      order by r.path, x.id::bigint`,
    [paths, f.serving, f.kind, afterId, limit]);
  return rows.map(partnerOf);
}

/** For each subtree: how many partners the listing holds. */
export function countPartnersUnder(em: EntityManager, paths: readonly string[], f: PartnerFilter): Promise<{ root: string; n: number }[]> {
  return executeBound(em,
    `select r.path::text as "root", (select count(*)::int from partner pa where ${partnerWhere}) as n from unnest($1::ltree[]) as r(path)`,
    [paths, f.serving, f.kind]);
}

export interface PairingRecord {
  id: string;
  unitId: string;
  startsOn: string;
  endsOn: string | null;
  partner: PartnerRecord;
}

/** Pairings of the given villages, ended ones included, by start. */
export async function pairingsOfUnits(em: EntityManager, unitIds: readonly string[]): Promise<PairingRecord[]> {
  const rows = await executeBound<Raw<PartnerRecord, 'budget'> & { pairingId: string; villageId: string; startsOn: string; endsOn: string | null }>(em,
    `select p.id::text as "pairingId", p.unit_id::text as "villageId", to_char(p.starts_on, 'YYYY-MM-DD') as "startsOn",
            to_char(p.ends_on, 'YYYY-MM-DD') as "endsOn", ${partnerColumns('pa')}
       from pairing p join partner pa on pa.id = p.partner_id
      where p.unit_id = any ($1::bigint[]) order by p.unit_id, p.starts_on, p.id`,
    [unitIds]);
  return rows.map(({ pairingId, villageId, startsOn, endsOn, ...partner }) => ({ id: pairingId, unitId: villageId, startsOn, endsOn, partner: partnerOf(partner) }));
}

export async function insertPairing(em: EntityManager, i: { partnerId: string; villageId: string; startsOn: string; endsOn: string | null; madeBy: string; arrangedBy: string }): Promise<string> {
  const [row] = await executeBound<{ id: string }>(em,
    `insert into pairing (partner_id, unit_id, starts_on, ends_on, made_by, arranged_by) values ($1, $2, $3::date, $4::date, $5, $6) returning id::text as id`,
    [i.partnerId, i.villageId, i.startsOn, i.endsOn, i.madeBy, i.arrangedBy]);
  return row!.id;
}

/** A pairing with the unit that arranged it (made before the column: the partner's registering unit). */
export async function pairingToEnd(em: EntityManager, id: string): Promise<{ id: string; unitPath: string; startsOn: string; endsOn: string | null; arrangedBy: string } | null> {
  const [row] = await executeBound<{ id: string; unitPath: string; startsOn: string; endsOn: string | null; arrangedBy: string }>(em,
    `select p.id::text as "id", p.unit_path::text as "unitPath", to_char(p.starts_on, 'YYYY-MM-DD') as "startsOn",
            to_char(p.ends_on, 'YYYY-MM-DD') as "endsOn", coalesce(p.arranged_by, (select pa.unit_id from partner pa where pa.id = p.partner_id))::text as "arrangedBy"
       from pairing p where p.id = $1`, [id]);
  return row ?? null;
}

export async function setPairingEnd(em: EntityManager, id: string, endsOn: string): Promise<void> {
  await executeBound(em, `update pairing set ends_on = $1::date where id = $2`, [endsOn, id]);
}

/** The terms of a user's partner's pairings with a village (ended ones too), and today. */
export function pairingTermsOf(em: EntityManager, userId: string, villageId: string): Promise<{ startsOn: string; endsOn: string | null; unitPath: string; today: string }[]> {
  return executeBound(em,
    `select t.starts_on as "startsOn", t.ends_on as "endsOn", t.unit_path as "unitPath", current_date::text as today from jiceng_my_pairing_terms($1, $2) t`,
    [userId, villageId]);
}

export interface VillagePairingCounts {
  unitId: string;
  enterprises: number;
  regionEnterprises: number;
  departments: number;
  departmentsByType: Record<DepartmentType, number>;
  leaders: number;
  firstSecretaries: number;
  projects: number;
}

/** Per village under any of the subtrees: partners paired at any time during the year, by kind. */
export async function pairingCountsUnder(em: EntityManager, paths: readonly string[], year: number): Promise<VillagePairingCounts[]> {
  const rows = await executeBound<Omit<VillagePairingCounts, 'departmentsByType'> & { partyMass: number; economic: number; legalPetition: number }>(em,
    `select p.unit_id::text as "unitId",
            (count(*) filter (where pa.kind = 'ENTERPRISE'))::int as enterprises,
            (count(*) filter (where pa.kind = 'ENTERPRISE' and nlevel(pa.unit_path) = 2))::int as "regionEnterprises",
            (count(*) filter (where pa.kind = 'DEPARTMENT'))::int as departments,
            (count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'PARTY_MASS'))::int as "partyMass",
            (count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'ECONOMIC'))::int as economic,
            (count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'LEGAL_PETITION'))::int as "legalPetition",
            (count(*) filter (where pa.kind = 'LEADER'))::int as leaders,
            (count(*) filter (where pa.kind = 'FIRST_SECRETARY'))::int as "firstSecretaries",
            (count(*) filter (where pa.kind = 'PROJECT'))::int as projects
       from pairing p join partner pa on pa.id = p.partner_id
      where p.unit_path <@ any ($1::ltree[]) and p.starts_on <= make_date($2, 12, 31) and (p.ends_on is null or p.ends_on > make_date($2, 1, 1))
      group by p.unit_id`,
    [paths, year]);
  return rows.map(({ partyMass, economic, legalPetition, ...r }) => ({ ...r, departmentsByType: { PARTY_MASS: partyMass, ECONOMIC: economic, LEGAL_PETITION: legalPetition } }));
}

/**
 * For each village (with the department type its cause calls for): departments of that type registered
 * inside the given scopes, fewest villages carried now first, not paired with the village now.
 */
export async function departmentCandidates(em: EntityManager, villages: readonly { villageId: string; type: DepartmentType }[], scopes: readonly string[], limit: number): Promise<(PartnerRecord & { villageId: string })[]> {
  const rows = await executeBound<Raw<PartnerRecord, 'budget'> & { villageId: string; carried: number }>(em,
    `select v.village_id::text as "villageId", d.* from unnest($1::bigint[], $2::text[]) as v(village_id, type)
       cross join lateral (
         select ${partnerColumns('pa')},
                (select count(distinct p.unit_id) from pairing p where p.partner_id = pa.id and (p.ends_on is null or p.ends_on > current_date))::int as carried
           from partner pa
          where pa.kind = 'DEPARTMENT' and pa.department_type = v.type and pa.unit_path <@ any ($3::ltree[])
            and not exists (select 1 from pairing p where p.partner_id = pa.id and p.unit_id = v.village_id and (p.ends_on is null or p.ends_on > current_date))
          order by carried, pa.name, pa.id limit $4) d
      order by v.village_id, d.carried, d.name, d.id`,
    [villages.map((v) => v.villageId), villages.map((v) => v.type), scopes, limit]);
  return rows.map(partnerOf);
}

export interface SupportFigures {
  visits: number;
  peoplePlaced: number;
  materialsValue: bigint;
  meetings: number;
  problemsSolved: number;
  projectsCoordinated: number;
}
export interface SupportTotalsRecord extends SupportFigures {
  entries: number;
}

/**
 * Support totals per subtree over a period (optionally one partner's); corrected entries count through
 * their corrections. One row per path asked, zeros included.
 */
export async function supportTotalsUnder(em: EntityManager, paths: readonly string[], from: string, to: string, partnerId: string | null): Promise<(SupportTotalsRecord & { path: string })[]> {
  const rows = await executeBound<Raw<SupportTotalsRecord, 'materialsValue'> & { path: string }>(em,
    `select r.path::text as "path", count(s.id)::int as entries, coalesce(sum(s.visits), 0)::int as visits,
            coalesce(sum(s.people_placed), 0)::int as "peoplePlaced", coalesce(sum(s.materials_value), 0)::text as "materialsValue",
            coalesce(sum(s.meetings), 0)::int as meetings, coalesce(sum(s.problems_solved), 0)::int as "problemsSolved",
            coalesce(sum(s.projects_coordinated), 0)::int as "projectsCoordinated"
       from unnest($1::ltree[]) as r(path)
       left join support_log s on s.unit_path <@ r.path and s.logged_on between $2::date and $3::date and ($4::bigint is null or s.partner_id = $4)
             and not exists (select 1 from support_log c where c.corrects = s.id)
      group by r.path`,
    [paths, from, to, partnerId]);
  return rows.map((r) => ({ ...r, materialsValue: BigInt(r.materialsValue ?? 0) }));
}

/** Support totals per unit over a period, every partner's, from the support rollup: one range read per unit on (unit_id, day). */
export async function supportTotalsOfUnits(em: EntityManager, unitIds: readonly string[], from: string, to: string): Promise<(SupportTotalsRecord & { unitId: string })[]> {
  const rows = await executeBound<Raw<SupportTotalsRecord, 'materialsValue'> & { unitId: string }>(em,
    `select u.id::text as "unitId", coalesce(sum(r.entries), 0)::int as entries, coalesce(sum(r.visits), 0)::int as visits,
            coalesce(sum(r.people_placed), 0)::int as "peoplePlaced", coalesce(sum(r.materials_value), 0)::text as "materialsValue",
            coalesce(sum(r.meetings), 0)::int as meetings, coalesce(sum(r.problems_solved), 0)::int as "problemsSolved",
            coalesce(sum(r.projects_coordinated), 0)::int as "projectsCoordinated"
       from unnest($1::bigint[]) as u(id)
       left join support_rollup r on r.unit_id = u.id and r.day between $2::date and $3::date
      group by u.id`,
    [unitIds, from, to]);
  return rows.map((r) => ({ ...r, materialsValue: BigInt(r.materialsValue ?? 0) }));
}

export interface CoverageCounts {
  unitId: string;
  targets: number;
  fullyCovered: number;
  /** villages with each slot filled, in SLOTS order */
  filled: number[];
}

/** 五个一 coverage counts per unit and year from the coverage rollup: one indexed read by unit id. */
export function coverageCountsOf(em: EntityManager, unitIds: readonly string[], year: number): Promise<CoverageCounts[]> {
  return executeBound<CoverageCounts>(em,
    `select u.id::text as "unitId", coalesce(r.targets, 0)::int as targets, coalesce(r.fully_covered, 0)::int as "fullyCovered",
            array[${SLOTS.map((s) => `coalesce(r.slot_${s.toLowerCase()}, 0)::int`).join(', ')}] as filled
       from unnest($1::bigint[]) as u(id) left join coverage_rollup r on r.unit_id = u.id and r.year = $2`,
    [unitIds, year]);
}

export interface SupportEntryRecord extends SupportFigures {
  id: string;
  partnerId: string;
  unitId: string;
  loggedOn: string;
  note: string | null;
  corrects: string | null;
  correctedBy: string | null;
}
export interface SupportFilter {
  from: string;
  to: string;
  partnerId: string | null;
}
const supportWhere = `s.unit_path <@ r.path and s.logged_on between $2::date and $3::date and ($4::bigint is null or s.partner_id = $4)`;

/** For each subtree: up to `limit` entries before an id, newest first. */
export async function supportEntryPagesUnder(em: EntityManager, paths: readonly string[], f: SupportFilter, beforeId: string | null, limit: number): Promise<(SupportEntryRecord & { root: string })[]> {
  const rows = await executeBound<Raw<SupportEntryRecord, 'materialsValue'> & { root: string }>(em,
    `select r.path::text as "root", x.* from unnest($1::ltree[]) as r(path)
       cross join lateral (
         select s.id::text as "id", s.partner_id::text as "partnerId", s.unit_id::text as "unitId", to_char(s.logged_on, 'YYYY-MM-DD') as "loggedOn",
                s.visits, s.people_placed as "peoplePlaced", s.materials_value::text as "materialsValue", s.meetings, s.problems_solved as "problemsSolved",
                s.projects_coordinated as "projectsCoordinated", s.note, s.corrects::text as "corrects",
                (select c.id::text from support_log c where c.corrects = s.id) as "correctedBy"
           from support_log s where ${supportWhere} and ($5::bigint is null or s.id < $5) order by s.id desc limit $6) x
      order by r.path, x.id::bigint desc`,
    [paths, f.from, f.to, f.partnerId, beforeId, limit]);
  return rows.map((r) => ({ ...r, materialsValue: BigInt(r.materialsValue!) }));
}

/** For each subtree: how many entries the listing holds. */
export function countSupportEntriesUnder(em: EntityManager, paths: readonly string[], f: SupportFilter): Promise<{ root: string; n: number }[]> {
  return executeBound(em,
    `select r.path::text as "root", (select count(*)::int from support_log s where ${supportWhere}) as n from unnest($1::ltree[]) as r(path)`,
    [paths, f.from, f.to, f.partnerId]);
}

/** An entry as a correction sees it: whose and where, and whether it has been corrected already. */
export async function supportEntryToCorrect(em: EntityManager, id: string): Promise<{ partnerId: string; unitId: string; corrected: boolean } | null> {
  const [row] = await executeBound<{ partnerId: string; unitId: string; corrected: boolean }>(em,
    `select s.partner_id::text as "partnerId", s.unit_id::text as "unitId", exists (select 1 from support_log c where c.corrects = s.id) as corrected
       from support_log s where s.id = $1`, [id]);
  return row ?? null;
}

export async function insertSupport(em: EntityManager, i: SupportFigures & { partnerId: string; villageId: string; loggedOn: string; note: string | null; corrects: string | null; loggedBy: string }): Promise<string> {
  const [row] = await executeBound<{ id: string }>(em,
    `insert into support_log (partner_id, unit_id, logged_on, visits, people_placed, materials_value, meetings, problems_solved, projects_coordinated, note, corrects, logged_by)
     values ($1, $2, $3::date, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12) returning id::text as id`,
    [i.partnerId, i.villageId, i.loggedOn, i.visits, i.peoplePlaced, String(i.materialsValue), i.meetings, i.problemsSolved, i.projectsCoordinated, i.note, i.corrects, i.loggedBy]);
  return row!.id;
}
