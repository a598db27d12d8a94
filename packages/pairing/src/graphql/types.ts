import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '@jiceng/core';
import { WeaknessCauseEnum } from '@jiceng/rectification';
import { AdminUnit, LocalDateScalar, MoneyScalar } from '@jiceng/tenancy';
import type { PartnerRecord } from '../pairing.store.js';
import {
  DepartmentTypeEnum, PartnerKindEnum, PartnerStatusEnum, ProjectKindEnum, SlotEnum,
  type DepartmentType, type PartnerKind, type PartnerStatus, type ProjectKind, type Slot,
} from '../values.js';

@ObjectType() export class Partner {
  @Field(() => ID) id!: string;
  @Field(() => PartnerKindEnum) kind!: PartnerKind;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: '统一社会信用代码' }) creditCode!: string | null;
  @Field(() => String, { nullable: true }) contact!: string | null;
  @Field(() => DepartmentTypeEnum, { nullable: true }) departmentType!: DepartmentType | null;
  @Field(() => String, { nullable: true }) homeOrg!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) budget!: bigint | null;
  @Field(() => PartnerStatusEnum, { nullable: true }) status!: PartnerStatus | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'start of the term (first secretaries: 驻村 term)' }) termStart!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'end of the term' }) termEnd!: string | null;
  @Field(() => ProjectKindEnum, { nullable: true, description: 'a project\'s kind' }) projectKind!: ProjectKind | null;
  @Field(() => Int, { nullable: true, description: 'villages carried now (suggestions)' }) carried!: number | null;
}

@ObjectType() export class SlotCoverage {
  @Field(() => SlotEnum) slot!: Slot;
  @Field(() => Int) filled!: number;
  @Field(() => Float) rate!: number;
}

@ObjectType() export class VillageCoverage {
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => WeaknessCauseEnum, { nullable: true, description: 'null for a partner user (no rectification data)' }) cause!: string | null;
  @Field(() => [SlotEnum], { description: 'slots still to fill' }) missing!: Slot[];
  @Field(() => Int) enterprises!: number;
  @Field(() => Int) projects!: number;
  @Field(() => Boolean, { description: 'fewer projects than the target (3 by default)' }) projectsBelowTarget!: boolean;
}

@ObjectType({ description: '五个一 coverage of the third-category villages in a subtree' })
export class PairingCoverage {
  @Field(() => Int) targets!: number;
  @Field(() => Int, { description: 'villages with all five slots filled' }) fullyCovered!: number;
  @Field(() => Float) rate!: number;
  @Field(() => [SlotCoverage]) slots!: SlotCoverage[];
  @Field(() => [VillageCoverage], { description: 'the villages with something missing: the list to act on (first 500)' }) gaps!: VillageCoverage[];
}

/** The figures of a support entry, and of totals over entries. */
@ObjectType() export class SupportFigures {
  @Field(() => Int) visits!: number;
  @Field(() => Int) peoplePlaced!: number;
  @Field(() => MoneyScalar) materialsValue!: bigint;
  @Field(() => Int) meetings!: number;
  @Field(() => Int) problemsSolved!: number;
  @Field(() => Int) projectsCoordinated!: number;
}

@ObjectType() export class SupportTotals extends SupportFigures {
  @Field(() => Int) entries!: number;
}

@ObjectType() export class Pairing {
  @Field(() => ID) id!: string;
  @Field(() => Partner) partner!: unknown;
  @Field(() => LocalDateScalar) startsOn!: string;
  @Field(() => LocalDateScalar, { nullable: true }) endsOn!: string | null;
}

@InputType('PartnerInput') export class PartnerInputType {
  @Field(() => ID) unitId!: string;
  @Field(() => PartnerKindEnum) kind!: PartnerKind;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) creditCode?: string;
  @Field(() => String, { nullable: true }) contact?: string;
  @Field(() => DepartmentTypeEnum, { nullable: true, description: 'required for a DEPARTMENT' }) departmentType?: DepartmentType;
  @Field(() => String, { nullable: true }) homeOrg?: string;
  @Field(() => LocalDateScalar, { nullable: true }) termStart?: string;
  @Field(() => LocalDateScalar, { nullable: true }) termEnd?: string;
  @Field(() => ProjectKindEnum, { nullable: true }) projectKind?: ProjectKind;
  @Field(() => MoneyScalar, { nullable: true }) budget?: bigint;
  @Field(() => PartnerStatusEnum, { nullable: true }) status?: PartnerStatus;
}

@InputType('SupportInput') export class SupportInputType {
  @Field(() => ID) villageId!: string;
  @Field(() => LocalDateScalar) loggedOn!: string;
  @Field(() => Int, { nullable: true }) visits?: number;
  @Field(() => Int, { nullable: true }) peoplePlaced?: number;
  @Field(() => MoneyScalar, { nullable: true }) materialsValue?: bigint;
  @Field(() => Int, { nullable: true }) meetings?: number;
  @Field(() => Int, { nullable: true }) problemsSolved?: number;
  @Field(() => Int, { nullable: true }) projectsCoordinated?: number;
  @Field(() => String, { nullable: true }) note?: string;
}

/** A partner record as the GraphQL Partner (global id). */
export const toPartner = (r: PartnerRecord): Partner => ({
  id: toGlobalId('Partner', r.id), kind: r.kind, name: r.name, creditCode: r.creditCode, contact: r.contact, departmentType: r.departmentType,
  homeOrg: r.homeOrg, termStart: r.termStart, termEnd: r.termEnd, projectKind: r.projectKind, budget: r.budget, status: r.status, carried: r.carried ?? null,
});
