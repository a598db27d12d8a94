// Small read functions other modules use instead of pairing's tables.
import { executeBound, type EntityManager } from '@jiceng/db';
import * as store from './pairing.store.js';
import type { SupportRegisterRow } from './pairing.store.js';
import type { PartnerView } from './pairing.service.js';

export interface DepartmentRef { id: string; name: string; departmentType: string }

/** A partner of kind DEPARTMENT the caller can see (its registering unit in the caller's scope), or null. */
export async function departmentPartner(em: EntityManager, partnerId: string): Promise<DepartmentRef | null> {
  const [row] = await executeBound<DepartmentRef>(em,
    `select id::text, name, department_type as "departmentType" from partner where id = $1 and kind = 'DEPARTMENT'`, [partnerId]);
  return row ?? null;
}

/** The DEPARTMENT partner an account speaks for (its partner account), or null. */
export async function myDepartment(em: EntityManager, userId: string): Promise<string | null> {
  const [row] = await executeBound<{ id: string | null; kind: string | null }>(em,
    `select p.id::text, p.kind from jiceng_my_partner_row($1) p`, [userId]);
  return row?.kind === 'DEPARTMENT' ? row.id : null;
}

// The spreadsheet exports (packages/sheets): the pairing register and the support register, a page at a time.
export { pairingRegisterPage } from './pairing.store.js';
export type { PairingRegisterRow, SupportRegisterRow } from './pairing.store.js';

/**
 * A page of the support register as the viewer may read it: staff every partner's entries, a partner
 * user only its own partner's (none when its account is linked to no partner), as supportEntries.
 */
export async function supportRegisterPage(em: EntityManager, view: PartnerView, path: string, year: number, afterId: string | null, limit: number): Promise<SupportRegisterRow[]> {
  if (view.partnerOnly && !view.own) return [];
  return store.supportRegisterPage(em, path, year, view.partnerOnly ? view.own : null, afterId, limit);
}
