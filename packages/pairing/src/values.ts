import { registerEnumType } from 'type-graphql';

// The closed value lists of the pairing module, declared once: TypeScript types, GraphQL enums and (a
// test proves) the SQL check constraints of migrations 0300 and 0350 hold the same values.

/** A partner's kind: the five ones (五个一) it can fill. */
export const PARTNER_KINDS = ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECT'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** A department's type, which follows the village's weakness cause (DOMAIN.md §4). */
export const DEPARTMENT_TYPES = ['PARTY_MASS', 'ECONOMIC', 'LEGAL_PETITION'] as const;
export type DepartmentType = (typeof DEPARTMENT_TYPES)[number];

/** The five slots of a target village's coverage. */
export const SLOTS = ['ENTERPRISES', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECTS'] as const;
export type Slot = (typeof SLOTS)[number];

/** A project's kind (项目类型). Migration 0350 mapped the free text of earlier rows onto it. */
export const PROJECT_KINDS = ['PLANTING', 'LIVESTOCK', 'SPECIALTY_FARMING', 'PROCESSING', 'TOURISM', 'ECOMMERCE', 'PHOTOVOLTAIC', 'INFRASTRUCTURE', 'COLLECTIVE_ECONOMY', 'OTHER'] as const;
export type ProjectKind = (typeof PROJECT_KINDS)[number];

/** A partner's status (a project's above all): planned, in progress, completed, suspended. */
export const PARTNER_STATUSES = ['PLANNED', 'IN_PROGRESS', 'COMPLETED', 'SUSPENDED'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** An enum object for type-graphql from a value list (the values are their own names). */
export function enumOf<const T extends readonly string[]>(values: T): { [K in T[number]]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K };
}

export const PartnerKindEnum = enumOf(PARTNER_KINDS);
export const DepartmentTypeEnum = enumOf(DEPARTMENT_TYPES);
export const SlotEnum = enumOf(SLOTS);
export const ProjectKindEnum = enumOf(PROJECT_KINDS);
export const PartnerStatusEnum = enumOf(PARTNER_STATUSES);

registerEnumType(PartnerKindEnum, { name: 'PartnerKind', description: 'ENTERPRISE, DEPARTMENT, LEADER (county level), FIRST_SECRETARY or PROJECT' });
registerEnumType(DepartmentTypeEnum, { name: 'DepartmentType', description: 'a department\'s type: PARTY_MASS (党群), ECONOMIC (经济), LEGAL_PETITION (政法信访)' });
registerEnumType(SlotEnum, { name: 'PairingSlot', description: 'one of the five slots of a target village\'s coverage' });
registerEnumType(ProjectKindEnum, {
  name: 'ProjectKind',
  description: '种植 PLANTING, 养殖 LIVESTOCK, 特色种养 SPECIALTY_FARMING, 加工 PROCESSING, 乡村旅游 TOURISM, 电商 ECOMMERCE, 光伏 PHOTOVOLTAIC, 基础设施 INFRASTRUCTURE, 集体经济 COLLECTIVE_ECONOMY, OTHER',
});
registerEnumType(PartnerStatusEnum, { name: 'PartnerStatus', description: '规划中 PLANNED, 实施中 IN_PROGRESS, 已完成 COMPLETED, 暂停 SUSPENDED' });
