// Small read functions other modules use instead of pairing's tables.
import { executeBound, type EntityManager } from '@jiceng/db';

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
