import { createHash } from 'node:crypto';
import { AppError, RowsRefused, badInput, conflict, forbidden, localDate, notFound, type RowProblem } from '@jiceng/core';
import { withScopeAlso, type EntityManager } from '@jiceng/db';
import { PARTNER_ROLES, STAFF_ROLES, assertCan, grantReach, inScope, requireUnit, requireUser, requireVillage, unitsByIds, type Principal } from '@jiceng/tenancy';
import { validatePairInput, validatePartnerInput, validateSupportInput, type PairInput, type PartnerInput, type SupportInput } from './inputs.js';
import * as store from './pairing.store.js';
import type { PartnerRecord } from './pairing.store.js';
import type { DepartmentType } from './values.js';

export { DEPARTMENT_TYPES, PARTNER_KINDS } from './values.js';
export type { PartnerInput, SupportInput } from './inputs.js';

// DOMAIN.md §4: department type follows the village's cause
export const DEPARTMENT_FOR_CAUSE: Record<string, DepartmentType> = {
  WEAK_LAX: 'PARTY_MASS',
  BACKWARD_ECONOMY: 'ECONOMIC',
  FINANCIAL_CHAOS: 'LEGAL_PETITION',
  ACUTE_CONFLICTS: 'LEGAL_PETITION',
};

const dbId = (id: string, field: string, what: string) => {
  if (!/^\d{1,18}$/.test(id)) throw badInput(field, `not a valid ${what} id`);
  return id;
};

function forbiddenUnlessPartner(roles: string[]) {
  if (!roles.some((r) => (PARTNER_ROLES as readonly string[]).includes(r))) throw forbidden('only partner accounts (ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY) link to a partner');
}

export async function registerPartner(em: EntityManager, p: Principal, input: PartnerInput): Promise<PartnerRecord> {
  const unit = await requireUnit(em, input.unitId, 'unitId');
  assertCan(p, 'pairing:manage', { path: unit.path, what: 'admin unit' });
  const id = await store.insertPartner(em, validatePartnerInput({ ...input, unitId: unit.id }));
  // credit codes are unique platform-wide: say only that (not where, nor by whom)
  if (!id) throw conflict('that credit code is registered already', { field: 'creditCode' });
  return (await store.partnerById(em, id))!;
}

export async function requirePartner(em: EntityManager, id: string): Promise<PartnerRecord> {
  const partner = await store.partnerById(em, dbId(id, 'partnerId', 'partner'));
  if (!partner) throw notFound('partner');
  return partner;
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
  return { partnerOnly: true, own: await store.linkedPartnerId(em, p.userId) };
}

/** A partner as the viewer may see it: co-partners of a partner user keep id, kind (the slot) and name. */
export function maskPartner(view: PartnerView, row: PartnerRecord): PartnerRecord {
  if (!view.partnerOnly || row.id === view.own) return row;
  return {
    id: row.id, unitId: row.unitId, unitPath: row.unitPath, kind: row.kind, name: row.name, creditCode: null, contact: null, departmentType: null,
    homeOrg: null, termStart: null, termEnd: null, projectKind: null, budget: null, status: null, carried: null,
  };
}

/** A partner by id as the caller may see it; null when out of reach. */
export async function readPartner(em: EntityManager, p: Principal, view: PartnerView, id: string): Promise<PartnerRecord | null> {
  assertCan(p, 'pairing:read');
  const partner = await store.partnerById(em, id);
  return partner && maskPartner(view, partner);
}

/** The partner a partner user speaks for, also when none of its pairings is in force. */
export function ownPartner(em: EntityManager, p: Principal): Promise<PartnerRecord | null> {
  return store.linkedPartner(em, p.userId);
}

/** 结对: a partner for a village from a date, for a term that may end (exclusive end). */
export async function pair(em: EntityManager, p: Principal, input: PairInput): Promise<string> {
  const i = validatePairInput(input);
  const village = await requireVillage(em, i.villageId);
  assertCan(p, 'pairing:manage', { path: village.path, what: 'village' });
  // a partner is paired by the unit that registered it (a county sees the region's enterprises that
  // serve its villages, but their pairings are the region's to arrange)
  const partner = await requirePartner(em, i.partnerId);
  assertCan(p, 'pairing:manage', { path: partner.unitPath, what: 'partner' });
  try {
    return await em.transactional((tx) =>
      store.insertPairing(tx, { partnerId: partner.id, villageId: village.id, startsOn: i.startsOn, endsOn: i.endsOn, madeBy: p.userId, arrangedBy: p.unitId }));
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
export async function endPairing(em: EntityManager, p: Principal, pairingId: string, endsOn: string): Promise<string> {
  const row = await store.pairingToEnd(em, dbId(pairingId, 'pairingId', 'pairing'));
  if (!row) throw notFound('pairing');
  assertCan(p, 'pairing:manage', { path: row.unitPath, what: 'pairing' });
  // the arranging unit is read in the caller's scope: one above it is not found
  const [arranging] = await unitsByIds(em, [row.arrangedBy]);
  if (!arranging || !inScope(p, arranging.path)) throw forbidden('the pairing was arranged by a unit above yours; only it (or a unit above it) may end it');
  if (localDate(endsOn, 'endsOn') <= row.startsOn) throw badInput('endsOn', 'must be a date after the start of the term');
  if (row.endsOn) throw conflict('the pairing has ended already');
  await store.setPairingEnd(em, row.id, endsOn);
  return row.id;
}

/** Links a partner user's account to their partner; their scope then follows the partner's pairings. */
export async function linkPartnerAccount(em: EntityManager, p: Principal, i: { userId: string; partnerId: string }): Promise<void> {
  const partner = await requirePartner(em, i.partnerId);
  assertCan(p, 'pairing:manage', { path: partner.unitPath, what: 'partner' });
  const user = await requireUser(em, i.userId);
  forbiddenUnlessPartner(user.roles);
  // a link made by a unit above the caller lies outside the caller's scope: not theirs to replace
  const current = await store.accountLink(em, user.id);
  if (current.partnerId != null && !current.visible) throw notFound('user');
  // the account reaches through the partner only what the linking administrator holds
  await grantReach(em, p, user.id);
  await store.upsertAccountLink(em, user.id, partner);
}

/**
 * A partner user logs support for a village their partner is (or was) paired with, dated within a term of
 * that pairing and not in the future, with at least one figure. A partner whose pairing has ended may still
 * log and correct entries dated within its term (its scope no longer holds the village: the write is
 * checked here and made with the village added to the scope for its statements only). A correction
 * replaces an entry of the same partner and village.
 */
export async function logSupport(em: EntityManager, p: Principal, input: SupportInput, corrects: string | null = null): Promise<string> {
  assertCan(p, 'support:log');
  if (!/^\d{1,18}$/.test(input.villageId)) throw notFound('village');
  const i = validateSupportInput(input);
  const terms = await store.pairingTermsOf(em, p.userId, i.villageId);
  if (!terms.length) throw notFound('village');
  if (i.loggedOn > terms[0]!.today) throw badInput('loggedOn', 'must not be in the future');
  if (!terms.some((t) => t.startsOn <= i.loggedOn && (t.endsOn == null || i.loggedOn < t.endsOn))) {
    throw badInput('loggedOn', `must be within the pairing's term (${terms.map((t) => `${t.startsOn} to ${t.endsOn ?? 'open'}`).join('; ')}; the end date is excluded)`);
  }
  const villagePath = terms[0]!.unitPath;
  const write = async () => {
    const partnerId = (await store.linkedPartnerId(em, p.userId))!;
    if (corrects) {
      const orig = await store.supportEntryToCorrect(em, corrects);
      if (!orig || orig.partnerId !== partnerId) throw notFound('support log entry');
      if (orig.unitId !== i.villageId) throw badInput('villageId', 'a correction must be for the same village as the entry it corrects');
      if (orig.corrected) throw conflict('that entry has been corrected already; correct the correction');
    }
    return store.insertSupport(em, { ...i, partnerId, corrects, loggedBy: p.userId });
  };
  // paired today: the village is in the scope already
  return inScope(p, villagePath) ? write() : withScopeAlso(em, [villagePath], write);
}

/** One support entry of a batch: the village by its official code, the partner by name (its own). */
export interface SupportRow extends Omit<SupportInput, 'villageId'> {
  villageCode: string;
  /** the partner's name as the sheet gives it: must be the caller's own partner */
  partner: string;
}

/** What a batch wrote: entries new, and entries the partner had already (same import key). */
export interface SupportBatchResult {
  inserted: number;
  unchanged: number;
}

/** An entry's own key: its village, date, figures and note (with the partner, unique in support_log). */
function importKeyOf(i: { villageId: string; loggedOn: string; visits: number; peoplePlaced: number; materialsValue: bigint; meetings: number; problemsSolved: number; projectsCoordinated: number; note: string | null }): string {
  return createHash('sha256')
    .update(JSON.stringify([i.villageId, i.loggedOn, i.visits, i.peoplePlaced, String(i.materialsValue), i.meetings, i.problemsSolved, i.projectsCoordinated, i.note ?? '']))
    .digest('base64url');
}

/**
 * The problems logSupport would refuse in a batch, every one, without writing: a bad date or figure, a
 * partner other than the caller's own (NOT_OWN_PARTNER), a village the partner is not (and was not)
 * paired with or unknown (NOT_PAIRED), a date outside every term (OUTSIDE_TERM), in the future
 * (FUTURE_DATE) or outside `year` when given (OUTSIDE_YEAR), the same entry twice (DUPLICATE). Only
 * partner accounts log support (FORBIDDEN for the whole batch otherwise, as logSupport).
 */
export async function checkSupport(em: EntityManager, p: Principal, rows: readonly SupportRow[], opts: { year?: number } = {}) {
  assertCan(p, 'support:log');
  const partner = await store.linkedPartner(em, p.userId);
  if (!partner) throw notFound('partner');
  const terms = new Map<string, { unitId: string; unitPath: string; startsOn: string; endsOn: string | null }[]>();
  for (const t of await store.pairingTermsByCode(em, p.userId, [...new Set(rows.map((r) => r.villageCode))])) {
    terms.set(t.code, [...(terms.get(t.code) ?? []), t]);
  }
  const today = await store.dbToday(em);
  const problems: RowProblem[] = [];
  const entries: (ReturnType<typeof validateSupportInput> & { importKey: string; unitPath: string })[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, index) => {
    if (r.partner.trim() !== partner.name) problems.push({ index, field: 'partner', problem: 'NOT_OWN_PARTNER' });
    const t = terms.get(r.villageCode);
    if (!t) problems.push({ index, field: 'villageCode', problem: 'NOT_PAIRED' });
    let entry: ReturnType<typeof validateSupportInput>;
    try {
      entry = validateSupportInput({ ...r, villageId: t?.[0]?.unitId ?? '0' });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const field = String(e.extensions.field);
      problems.push({ index, field, problem: field === 'loggedOn' ? 'BAD_DATE' : /at least one figure/.test(e.message) ? 'NO_FIGURES' : 'BAD_FIGURE' });
      return;
    }
    if (entry.loggedOn > today) problems.push({ index, field: 'loggedOn', problem: 'FUTURE_DATE' });
    if (opts.year && !entry.loggedOn.startsWith(`${opts.year}-`)) problems.push({ index, field: 'loggedOn', problem: 'OUTSIDE_YEAR', detail: { year: opts.year } });
    if (t && !t.some((x) => x.startsOn <= entry.loggedOn && (x.endsOn == null || entry.loggedOn < x.endsOn))) {
      problems.push({ index, field: 'loggedOn', problem: 'OUTSIDE_TERM', detail: { terms: t.map((x) => ({ startsOn: x.startsOn, endsOn: x.endsOn })) } });
    }
    const importKey = importKeyOf(entry);
    const first = seen.get(importKey);
    if (first !== undefined) problems.push({ index, field: 'villageCode', problem: 'DUPLICATE', detail: { sameAs: first } });
    else seen.set(importKey, index);
    if (t) entries.push({ ...entry, importKey, unitPath: t[0]!.unitPath });
  });
  return { problems, entries, partnerId: partner.id };
}

/**
 * logSupport for a batch, all or nothing: every row checked first (checkSupport; any problem refuses the
 * batch with RowsRefused listing them all), then written one statement per `batchSize` rows. An entry the
 * partner has already (same village, date, figures and note: its import key) is not added again.
 */
export async function logSupportBatch(em: EntityManager, p: Principal, rows: readonly SupportRow[], opts: { year?: number; batchSize?: number; onProgress?: (written: number) => Promise<void> | void } = {}): Promise<SupportBatchResult> {
  const { problems, entries, partnerId } = await checkSupport(em, p, rows, opts);
  if (problems.length) throw new RowsRefused(problems);
  // villages whose pairing has ended (dated within its term, checked above) are added for these statements only
  const outside = [...new Set(entries.map((e) => e.unitPath).filter((path) => !inScope(p, path)))];
  const size = opts.batchSize ?? 5000;
  const write = () => em.transactional(async (tx) => {
    let inserted = 0;
    for (let from = 0; from < entries.length; from += size) {
      inserted += await store.insertSupportBatch(tx, partnerId, p.userId, entries.slice(from, from + size));
      await opts.onProgress?.(Math.min(entries.length, from + size));
    }
    return { inserted, unchanged: entries.length - inserted };
  });
  return outside.length ? withScopeAlso(em, outside, write) : write();
}
