import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AdminUnit, Connection, LocalDateScalar } from '@jiceng/tenancy';
import { CALENDAR_DAY_KINDS, CASE_STATES, CATEGORIES, CAUSES, CONSEQUENCES, type CaseState, type Category, type Cause, type Consequence } from '../lifecycle.js';
import { RELAPSE_PATTERNS, } from '../dashboard.service.js';
import type { CasePatch, ProblemInput as ProblemShape } from '../inputs.js';

// Each closed list is declared once (lifecycle.ts, dashboard.service.ts) and registered here as a GraphQL
// enum; test/enums.int.test.ts checks that the SQL check constraints hold the same values.
export const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const CaseStateEnum = enumOf(CASE_STATES);
registerEnumType(CaseStateEnum, { name: 'CaseState', description: 'identified → rectifying → transformed (转化) → consolidated (巩固) → closed (销号); relapsed; withdrawn (re-rated out of the third category before work started)' });
export const CauseEnum = enumOf(CAUSES);
registerEnumType(CauseEnum, { name: 'WeaknessCause', description: '软弱涣散, 财务管理混乱, 经济社会发展落后, 矛盾问题突出' });
export const CategoryEnum = enumOf(CATEGORIES);
registerEnumType(CategoryEnum, { name: 'AssessmentCategory', description: '十星级 category: FIRST (一类), SECOND (二类), THIRD (三类, a rectification target)' });
export const ConsequenceEnum = enumOf(CONSEQUENCES);
registerEnumType(ConsequenceEnum, { name: 'AccountabilityConsequence', description: 'township accountability (seed 002): none, criticism (通报批评), one grade down, two grades down' });
export const CalendarDayKindEnum = enumOf(CALENDAR_DAY_KINDS);
registerEnumType(CalendarDayKindEnum, { name: 'CalendarDayKind', description: 'a public holiday, or a make-up workday (调休)' });

@ObjectType() export class CauseCount { @Field(() => CauseEnum) cause!: Cause; @Field(() => Int) count!: number; }
@ObjectType() export class StateCount { @Field(() => CaseStateEnum) state!: CaseState; @Field(() => Int) count!: number; }

@ObjectType({ description: 'Rectification figures over a unit\'s subtree for a year' })
export class RectificationSummary {
  @Field(() => Int, { description: 'villages with an assessment that year' }) assessed!: number;
  @Field(() => Int, { description: 'villages rated third category (三类)' }) thirdCategory!: number;
  @Field(() => Int, { description: 'rectification targets: third category or designated weak' }) targets!: number;
  @Field(() => Int, { description: 'cases transformed, consolidated or closed' }) transformed!: number;
  @Field(() => Float, { description: 'transformed / targets, from 0 to 1' }) transformationRate!: number;
  @Field(() => Int) keyTargets!: number;
  @Field(() => [CauseCount]) byCause!: CauseCount[];
  @Field(() => [StateCount]) casesByState!: StateCount[];
  @Field(() => Int) overdueProblems!: number;
  @Field(() => Int, { description: 'complaints answered late or still unanswered after their deadline' }) complaintsPastDeadline!: number;
}

export const RelapsePatternEnum = enumOf(RELAPSE_PATTERNS);
registerEnumType(RelapsePatternEnum, { name: 'RelapsePattern', description: 'Seed 004: 由好变差, 转化后又变差, 一直处于差的状态; or no earlier year on record' });

@ObjectType({ description: "Seed 004: the year's weak villages (its rectification targets) by their earlier years on record; each village has one pattern" })
export class RelapsePatterns {
  @Field(() => Int, { description: 'an earlier year assessed and not a target (由好变差), never transformed' }) goodThenWeak!: number;
  @Field(() => Int, { description: 'an earlier case transformed, weak again now (转化后又变差)' }) transformedThenRelapsed!: number;
  @Field(() => Int, { description: 'a target every earlier year on record, never transformed (一直处于差的状态)' }) weakThroughout!: number;
  @Field(() => Int, { description: 'no earlier year on record' }) noHistory!: number;
}

@ObjectType() export class TownshipKeyTargets {
  @Field(() => AdminUnit) township!: unknown;
  @Field(() => Int) villages!: number;
  @Field(() => Int) keyTargets!: number;
  @Field(() => Int, { description: 'the configured share of the villages, rounded up' }) required!: number;
  @Field(() => Int) shortfall!: number;
}

@ObjectType() export class TownshipAccountability {
  @Field(() => AdminUnit) township!: unknown;
  @Field(() => Int, { description: 'villages whose team is newly recorded as paralysed (瘫痪班子) this year' }) newlyParalysed!: number;
  @Field(() => ConsequenceEnum) consequence!: Consequence;
}

@ObjectType() export class Assessment {
  @Field(() => Int) year!: number;
  @Field(() => Int) stars!: number;
  @Field(() => CategoryEnum) category!: Category;
}

@ObjectType() export class ProblemItem {
  @Field(() => ID) id!: string;
  @Field(() => String) problem!: string;
  @Field(() => String) measure!: string;
  @Field(() => String) responsible!: string;
  @Field(() => LocalDateScalar) dueOn!: string;
  @Field(() => LocalDateScalar, { nullable: true }) resolvedOn!: string | null;
  @Field(() => String, { nullable: true }) evidence!: string | null;
  @Field(() => Boolean, { description: 'open past its due date' }) overdue!: boolean;
}

@ObjectType() export class CaseTransition {
  @Field(() => CaseStateEnum) from!: CaseState;
  @Field(() => CaseStateEnum) to!: CaseState;
  @Field(() => String) reason!: string;
  @Field(() => LocalDateScalar, { description: 'the date it happened' }) on!: string;
  @Field(() => String, { description: 'when it was recorded' }) at!: string;
  @Field(() => String, { nullable: true }) by!: string | null;
}

@ObjectType({ description: '整顿台账: one target village\'s case in a year' })
export class RectificationCase {
  @Field(() => ID) id!: string;
  @Field(() => Int) year!: number;
  @Field(() => CaseStateEnum) state!: CaseState;
  @Field(() => Int, { description: 'changes with every update; pass it back as expectedVersion' }) version!: number;
  @Field(() => String, { nullable: true }) facts!: string | null;
  @Field(() => String, { nullable: true }) causes!: string | null;
  @Field(() => String, { nullable: true, description: '一村一策' }) plan!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: '公示 date' }) publicizedOn!: string | null;
  @Field(() => String, { nullable: true, description: '包保 township leader' }) responsibleLeader!: string | null;
  @Field(() => String, { nullable: true }) villageSecretary!: string | null;
  @Field(() => [String]) workingGroup!: string[];
  @Field(() => LocalDateScalar, { nullable: true }) deadline!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the date of the move to TRANSFORMED' }) transformedOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the date of the move to CLOSED (销号)' }) closedOn!: string | null;
  @Field(() => [CaseStateEnum]) allowedNextStates!: CaseState[];
}
export const RectificationCaseConnection = Connection(RectificationCase, 'RectificationCase');

@ObjectType() export class Complaint {
  @Field(() => ID) id!: string;
  @Field(() => LocalDateScalar) receivedOn!: string;
  @Field(() => String) summary!: string;
  @Field(() => LocalDateScalar, { description: 'received + the configured working days' }) replyDueOn!: string;
  @Field(() => LocalDateScalar, { nullable: true }) repliedOn!: string | null;
  @Field(() => String, { nullable: true }) result!: string | null;
}

export const ComplaintConnection = Connection(Complaint, 'Complaint');

/** Validated by inputs.ts's validateCasePatch in the service. */
@InputType() export class CaseInput implements CasePatch {
  @Field(() => String, { nullable: true }) facts?: string;
  @Field(() => String, { nullable: true }) causes?: string;
  @Field(() => String, { nullable: true }) plan?: string;
  @Field(() => LocalDateScalar, { nullable: true }) publicizedOn?: string;
  @Field(() => String, { nullable: true }) responsibleLeader?: string;
  @Field(() => String, { nullable: true }) villageSecretary?: string;
  @Field(() => [String], { nullable: true }) workingGroup?: string[];
  @Field(() => LocalDateScalar, { nullable: true }) deadline?: string;
}

/** Validated by inputs.ts's validateProblem in the service. */
@InputType() export class ProblemInput implements ProblemShape {
  @Field(() => String) problem!: string;
  @Field(() => String) measure!: string;
  @Field(() => String) responsible!: string;
  @Field(() => LocalDateScalar) dueOn!: string;
}
