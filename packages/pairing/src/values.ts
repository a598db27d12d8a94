import { registerEnumType } from 'type-graphql';

// The closed value lists of the pairing module, declared once: TypeScript types, GraphQL enums and (a
// test proves) the SQL check constraints of migration 0300 and 0350 hold the same values.

/** A partner's kind: the five ones (五个一) it can fill. */
export const PARTNER_KINDS = ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECT'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** A department's type, which follows the village's weakness cause (DOMAIN.md §4). */
export const DEPARTMENT_TYPES = ['PARTY_MASS', 'ECONOMIC', 'LEGAL_PETITION'] as const;
export type DepartmentType = (typeof DEPARTMENT_TYPES)[number];

/** The five slots of a target village's coverage. */
export const SLOTS = ['ENTERPRISES', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECTS'] as const;
export type Slot = (typeof SLOTS)[number];

/** An enum object for type-graphql from a value list (the values are their own names). */
export function enumOf<const T extends readonly string[]>(values: T): { [K in T[number]]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K };
}

export const PartnerKindEnum = enumOf(PARTNER_KINDS);
export const DepartmentTypeEnum = enumOf(DEPARTMENT_TYPES);
export const SlotEnum = enumOf(SLOTS);

registerEnumType(PartnerKindEnum, { name: 'PartnerKind', description: 'ENTERPRISE, DEPARTMENT, LEADER (county level), FIRST_SECRETARY or PROJECT' });
registerEnumType(DepartmentTypeEnum, { name: 'DepartmentType', description: 'a department\'s type: PARTY_MASS (党群), ECONOMIC (经济), LEGAL_PETITION (政法信访)' });
registerEnumType(SlotEnum, { name: 'PairingSlot', description: 'one of the five slots of a target village\'s coverage' });
