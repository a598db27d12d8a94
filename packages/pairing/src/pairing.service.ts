import { badInput, conflict, forbidden, localDate, notFound, type Fen } from '@jiceng/core';
import { withScopeAlso, type EntityManager } from '@jiceng/db';
import { PARTNER_ROLES, STAFF_ROLES, assertCan, grantReach, inScope, requireUnit, requireVillage, type Principal } from '@jiceng/tenancy';
import { isValidCreditCode } from './credit-code.js';

export const PARTNER_KINDS = ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECT'] as const;
export const DEPARTMENT_TYPES = ['PARTY_MASS', 'ECONOMIC', 'LEGAL_PETITION'] as const;
// DOMAIN.md §4: department type follows the village's cause
export const DEPARTMENT_FOR_CAUSE: Record<string, string> = {
  WEAK_LAX: 'PARTY_MASS',
  BACKWARD_ECONOMY: 'ECONOMIC',
  FINANCIAL_CHAOS: 'LEGAL_PETITION',
  ACUTE_CONFLICTS: 'LEGAL_PETITION',
};

function forbiddenUnlessPartner(roles: string[]) {
  if (!roles.some((r) => (PARTNER_ROLES as readonly string[]).includes(r))) throw forbidden('only partner accounts (ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY) link to a partner');
}

export interface PartnerInput {
  unitId: string;
  kind: string;
  name: string;
  creditCode?: string | null;
  contact?: string | null;
  departmentType?: string | null;
  homeOrg?: string | null;
  termStart?: string | null;
  termEnd?: string | null;
  projectKind?: string | null;
  budget?: Fen | null;
  status?: string | null;
}

export async function registerPartner(em: EntityManager, p: Principal, i: PartnerInput): Promise<string> {
  const unit = await requireUnit(em, i.unitId, 'unitId');
  assertCan(p, 'pairing:manage', { path: unit.path, what: 'admin unit' });
  if (!(PARTNER_KINDS as readonly string[]).includes(i.kind)) throw badInput('kind', `must be one of ${PARTNER_KINDS.join(', ')}`);
  if (!i.name?.trim()) throw badInput('name', 'required');
  if (i.kind === 'ENTERPRISE' && !isValidCreditCode(i.creditCode ?? '')) throw badInput('creditCode', 'not a valid unified social credit code (18 characters with its check character)');
  if (i.kind === 'DEPARTMENT' && !(DEPARTMENT_TYPES as readonly string[]).includes(i.departmentType ?? '')) throw badInput('departmentType', `must be one of ${DEPARTMENT_TYPES.join(', ')}`);
  for (const f of ['termStart', 'termEnd'] as const) if (i[f] != null) localDate(i[f], f);
  const rows = await em.execute<{ id: string }[]>(
    `insert into partner (unit_id, kind, name, credit_code, contact, department_type, home_org, term_start, term_end, project_kind, budget, status)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning id`,
    [unit.id, i.kind, i.name.trim(), i.kind === 'ENTERPRISE' ? i.creditCode : null, i.contact ?? null, i.kind === 'DEPARTMENT' ? i.departmentType : null,
     i.homeOrg ?? null, i.termStart ?? null, i.termEnd ?? null, i.projectKind ?? null, i.budget == null ? null : String(i.budget), i.status ?? null],
  );
  // credit codes are unique platform-wide: say only that (not where, nor by whom)
  if (!rows[0]) throw conflict('that credit code is registered already', { field: 'creditCode' });
  return String(rows[0].id);
}

export async function requirePartner(em: EntityManager, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw badInput('partnerId', 'not a valid partner id');
  const [row] = await em.execute<any[]>(`select * from partner where id = ?`, [id]);
  if (!row) throw notFound('partner');
  return { ...row, id: String(row.id) };
}

/**
 * What the caller may see of partners. Staff see every partner in their reach in full. A partner user
 * (partner roles only) sees its own partner in full and co-partners by name and slot only: their
 * contacts, credit codes, budgets and support figures are not theirs to read, and neither is the
 * rectification data (the weakness cause) of the villages it serves.
 */
export interface PartnerView {
  /** the caller has no staff role: partner-only reading rules apply */
  partnerOnly: boolean;
  /** the partner the caller speaks for, if any */
  own: string | null;
}

export async function partnerView(em: EntityManager, p: Principal): Promise<PartnerView> {
  if (p.roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r))) return { partnerOnly: false, own: null };
  const [row] = await em.execute<{ id: string | null }[]>(`select jiceng_my_partner(?) as id`, [p.userId]);
  return { partnerOnly: true, own: row?.id == null ? null : String(row.id) };
}

/** A partner row as the viewer may see it: co-partners of a partner user keep id, kind (the slot) and name. */
export function maskPartner<T extends { id: string | number; kind: string; name: string }>(view: PartnerView, row: T): T {
  if (!view.partnerOnly || String(row.id) === view.own) return row;
  return { id: row.id, kind: row.kind, name: row.name } as T;
}

/** 结对: a partner for a village from a date, for a term that may end (exclusive end). */
export async function pair(em: EntityManager, p: Principal, i: { partnerId: string; villageId: string; startsOn: string; endsOn?: string | null }) {
  const village = await requireVillage(em, i.villageId);
  assertCan(p, 'pairing:manage', { path: village.path, what: 'village' });
  // a partner is paired by the unit that registered it (a county sees the region's enterprises that
  // serve its villages, but their pairings are the region's to arrange)
  const partner = await requirePartner(em, i.partnerId);
  assertCan(p, 'pairing:manage', { path: partner.unit_path, what: 'partner' });
  localDate(i.startsOn, 'startsOn');
  if (i.endsOn != null && localDate(i.endsOn, 'endsOn') <= i.startsOn) throw badInput('endsOn', 'must be a date after startsOn');
  try {
    const [row] = await em.transactional((tx) =>
      tx.execute<{ id: string }[]>(`insert into pairing (partner_id, unit_id, starts_on, ends_on, made_by, arranged_by) values (?, ?, ?, ?, ?, ?) returning id`, [
        i.partnerId, village.id, i.startsOn, i.endsOn ?? null, p.userId, p.unitId,
      ]),
    );
    return String(row!.id);
  } catch (e: any) {
    if (String(e?.code) === '23P01' || /exclu|conflicting key/i.test(String(e?.message))) throw conflict('the partner is already paired with the village in that term', { field: 'startsOn' });
    throw e;
  }
}

/**
 * Ending (or changing) a pairing belongs to the unit that arranged it, or a unit above it: a township
 * sees its villages' pairings, but not those the region arranged as its own to end (FORBIDDEN: the
 * pairing itself is visible to it).
 */
export async function endPairing(em: EntityManager, p: Principal, pairingId: string, endsOn: string) {
  if (!/^\d{1,18}$/.test(pairingId)) throw badInput('pairingId', 'not a valid pairing id');
  // the arranging unit is read under RLS: one above the caller's scope yields no path
  const [row] = await em.execute<any[]>(
    `select p.id, p.unit_path, to_char(p.starts_on, 'YYYY-MM-DD') as starts_on, p.ends_on, u.path::text as arranged_path
       from pairing p left join admin_unit u on u.id = coalesce(p.arranged_by, (select pa.unit_id from partner pa where pa.id = p.partner_id))
      where p.id = ?`, [pairingId]);
  if (!row) throw notFound('pairing');
  assertCan(p, 'pairing:manage', { path: row.unit_path, what: 'pairing' });
  if (!row.arranged_path || !inScope(p, row.arranged_path)) throw forbidden('the pairing was arranged by a unit above yours; only it (or a unit above it) may end it');
  if (localDate(endsOn, 'endsOn') <= row.starts_on) throw badInput('endsOn', 'must be a date after the start of the term');
  if (row.ends_on) throw conflict('the pairing has ended already');
  await em.execute(`update pairing set ends_on = ? where id = ?`, [endsOn, pairingId]);
  return String(row.id);
}

/** Links a partner user's account to their partner; their scope then follows the partner's pairings. */
export async function linkPartnerAccount(em: EntityManager, p: Principal, i: { userId: string; partnerId: string }) {
  const partner = await requirePartner(em, i.partnerId);
  assertCan(p, 'pairing:manage', { path: partner.unit_path, what: 'partner' });
  const [user] = await em.execute<any[]>(`select id, roles from app_user where id = ?`, [i.userId]);
  if (!user) throw notFound('user');
  forbiddenUnlessPartner(user.roles);
  // a link made by a unit above the caller lies outside the caller's scope: not theirs to replace
  const [current] = await em.execute<{ partner_id: string | null; visible: boolean }[]>(
    `select jiceng_my_partner(?) as partner_id, exists (select 1 from partner_account where user_id = ?) as visible`,
    [i.userId, i.userId],
  );
  if (current?.partner_id != null && !current.visible) throw notFound('user');
  // the account reaches through the partner only what the linking administrator holds
  await grantReach(em, p, i.userId);
  await em.execute(
    `insert into partner_account (user_id, partner_id, unit_id) values (?, ?, ?) on conflict (user_id) do update set partner_id = excluded.partner_id, unit_id = excluded.unit_id`,
    [i.userId, partner.id, partner.unit_id],
  );
}

export interface SupportInput {
  villageId: string;
  loggedOn: string;
  visits?: number | null;
  peoplePlaced?: number | null;
  materialsValue?: Fen | null;
  meetings?: number | null;
  problemsSolved?: number | null;
  projectsCoordinated?: number | null;
  note?: string | null;
}

const FIGURES = ['visits', 'peoplePlaced', 'meetings', 'problemsSolved', 'projectsCoordinated'] as const;

/**
 * A partner user logs support for a village their partner is (or was) paired with, dated within a term of
 * that pairing and not in the future, with at least one figure. A partner whose pairing has ended may still
 * log and correct entries dated within its term (its scope no longer holds the village: the write is
 * checked here and made with the village added to the scope for its statements only). A correction
 * replaces an entry of the same partner and village.
 */
export async function logSupport(em: EntityManager, p: Principal, i: SupportInput, corrects: string | null = null): Promise<string> {
  assertCan(p, 'support:log');
  if (!/^\d{1,18}$/.test(i.villageId)) throw notFound('village');
  localDate(i.loggedOn, 'loggedOn');
  for (const f of FIGURES) {
    const v = i[f];
    if (v != null && (!Number.isInteger(v) || v < 0 || v > 1_000_000)) throw badInput(f, 'must be a whole number from 0');
  }
  if (FIGURES.every((f) => !i[f]) && !i.materialsValue) throw badInput('visits', 'an entry needs at least one figure above 0 (visits, people placed, materials value, meetings, problems solved or projects coordinated)');
  const terms = await em.execute<{ starts_on: string; ends_on: string | null; unit_path: string; today: string }[]>(
    `select t.*, current_date::text as today from jiceng_my_pairing_terms(?, ?) t`, [p.userId, i.villageId]);
  if (!terms.length) throw notFound('village');
  if (i.loggedOn > terms[0]!.today) throw badInput('loggedOn', 'must not be in the future');
  if (!terms.some((t) => t.starts_on <= i.loggedOn && (t.ends_on == null || i.loggedOn < t.ends_on))) {
    throw badInput('loggedOn', `must be within the pairing's term (${terms.map((t) => `${t.starts_on} to ${t.ends_on ?? 'open'}`).join('; ')}; the end date is excluded)`);
  }
  const villagePath = terms[0]!.unit_path;
  const write = async () => {
    const [link] = await em.execute<{ partner_id: string }[]>(`select jiceng_my_partner(?) as partner_id`, [p.userId]);
    if (corrects) {
      const [orig] = await em.execute<any[]>(`select id, partner_id, unit_id from support_log where id = ?`, [corrects]);
      if (!orig || String(orig.partner_id) !== String(link!.partner_id)) throw notFound('support log entry');
      if (String(orig.unit_id) !== i.villageId) throw badInput('villageId', 'a correction must be for the same village as the entry it corrects');
      const [done] = await em.execute(`select 1 from support_log where corrects = ?`, [corrects]);
      if (done) throw conflict('that entry has been corrected already; correct the correction');
    }
    const [row] = await em.execute<{ id: string }[]>(
      `insert into support_log (partner_id, unit_id, logged_on, visits, people_placed, materials_value, meetings, problems_solved, projects_coordinated, note, corrects, logged_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [link!.partner_id, i.villageId, i.loggedOn, i.visits ?? 0, i.peoplePlaced ?? 0, String(i.materialsValue ?? 0n), i.meetings ?? 0,
       i.problemsSolved ?? 0, i.projectsCoordinated ?? 0, i.note ?? null, corrects, p.userId],
    );
    return String(row!.id);
  };
  // paired today: the village is in the scope already
  return inScope(p, villagePath) ? write() : withScopeAlso(em, [villagePath], write);
}
