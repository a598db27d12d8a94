import { badInput, localDate, type Fen } from '@jiceng/core';
import { isValidCreditCode } from './credit-code.js';
import { DEPARTMENT_TYPES, PARTNER_KINDS, PARTNER_STATUSES, PROJECT_KINDS, type DepartmentType, type PartnerKind, type PartnerStatus, type ProjectKind } from './values.js';
import type { NewPartner, SupportFigures } from './pairing.store.js';

// The module's inputs and their validation, declared once per input and applied at the module boundary
// (the service entry points). A bad value is BAD_USER_INPUT naming its field; nothing is written.

const oneOf = <T extends string>(values: readonly T[], v: unknown, field: string): T => {
  if (!(values as readonly unknown[]).includes(v)) throw badInput(field, `must be one of ${values.join(', ')}`);
  return v as T;
};
const optionalDate = (v: string | null | undefined, field: string) => (v == null ? null : localDate(v, field));

export interface PartnerInput {
  unitId: string;
  kind: PartnerKind | string;
  name: string;
  creditCode?: string | null;
  contact?: string | null;
  departmentType?: DepartmentType | string | null;
  homeOrg?: string | null;
  termStart?: string | null;
  termEnd?: string | null;
  projectKind?: ProjectKind | string | null;
  budget?: Fen | null;
  status?: PartnerStatus | string | null;
}

/** A partner to register, checked: the kind, a name, an ENTERPRISE's credit code, a DEPARTMENT's type, dates. */
export function validatePartnerInput(i: PartnerInput): NewPartner {
  const kind = oneOf(PARTNER_KINDS, i.kind, 'kind');
  const name = i.name?.trim();
  if (!name) throw badInput('name', 'required');
  if (kind === 'ENTERPRISE' && !isValidCreditCode(i.creditCode ?? '')) throw badInput('creditCode', 'not a valid unified social credit code (18 characters with its check character)');
  const departmentType = kind === 'DEPARTMENT' ? oneOf(DEPARTMENT_TYPES, i.departmentType, 'departmentType') : null;
  return {
    unitId: i.unitId, kind, name, creditCode: kind === 'ENTERPRISE' ? i.creditCode! : null, contact: i.contact ?? null, departmentType,
    homeOrg: i.homeOrg ?? null, termStart: optionalDate(i.termStart, 'termStart'), termEnd: optionalDate(i.termEnd, 'termEnd'),
    projectKind: i.projectKind == null ? null : oneOf(PROJECT_KINDS, i.projectKind, 'projectKind'), budget: i.budget == null ? null : BigInt(i.budget),
    status: i.status == null ? null : oneOf(PARTNER_STATUSES, i.status, 'status'),
  };
}

export interface PairInput {
  partnerId: string;
  villageId: string;
  startsOn: string;
  endsOn?: string | null;
}

/** A term [startsOn, endsOn): real dates, the end after the start. */
export function validatePairInput(i: PairInput): PairInput & { endsOn: string | null } {
  const startsOn = localDate(i.startsOn, 'startsOn');
  const endsOn = optionalDate(i.endsOn, 'endsOn');
  if (endsOn != null && endsOn <= startsOn) throw badInput('endsOn', 'must be a date after startsOn');
  return { ...i, startsOn, endsOn };
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

const COUNTS = ['visits', 'peoplePlaced', 'meetings', 'problemsSolved', 'projectsCoordinated'] as const;

/** A support entry: a real date, whole figures from 0, at least one of them (or the materials value) above 0. */
export function validateSupportInput(i: SupportInput): SupportFigures & { villageId: string; loggedOn: string; note: string | null } {
  const loggedOn = localDate(i.loggedOn, 'loggedOn');
  for (const f of COUNTS) {
    const v = i[f];
    if (v != null && (!Number.isInteger(v) || v < 0 || v > 1_000_000)) throw badInput(f, 'must be a whole number from 0');
  }
  const materialsValue = BigInt(i.materialsValue ?? 0n);
  if (COUNTS.every((f) => !i[f]) && !materialsValue) throw badInput('visits', 'an entry needs at least one figure above 0 (visits, people placed, materials value, meetings, problems solved or projects coordinated)');
  return {
    villageId: i.villageId, loggedOn, note: i.note ?? null, materialsValue,
    visits: i.visits ?? 0, peoplePlaced: i.peoplePlaced ?? 0, meetings: i.meetings ?? 0, problemsSolved: i.problemsSolved ?? 0, projectsCoordinated: i.projectsCoordinated ?? 0,
  };
}

/** A period [from, to], both days included. */
export function validatePeriod(from: string, to: string): { from: string; to: string } {
  const f = localDate(from, 'from');
  if (localDate(to, 'to') < f) throw badInput('to', 'must be a date on or after from');
  return { from: f, to };
}
