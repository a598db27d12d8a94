import { Arg, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { LocalDateScalar, requirePrincipal, unitDbId, type JicengContext } from '@jiceng/tenancy';
import type { StandardInput as StandardShape } from '../inputs.js';
import type { CalendarDayKind } from '../lifecycle.js';
import { setCalendarDay, setStandard } from '../standards.js';
import { CalendarDayKindEnum } from './types.js';

@ObjectType({ description: 'The rectification standards in force for a unit and year' })
export class RectificationStandard {
  @Field(() => Int) thirdCategoryMaxStars!: number;
  @Field(() => Int) firstCategoryMinStars!: number;
  @Field(() => Float) keyTargetShare!: number;
  @Field(() => Int) workingGroupMin!: number;
  @Field(() => Float) satisfactionMin!: number;
  @Field(() => Int) consolidationMonths!: number;
  @Field(() => Int) complaintReplyWorkingDays!: number;
  @Field(() => [String]) problemTypes!: string[];
  @Field(() => Int) criticismAt!: number;
  @Field(() => Int) oneGradeDownAt!: number;
  @Field(() => Int) twoGradesDownAt!: number;
}

/** Validated as a whole (with what is in force) by inputs.ts's validateStandard in the service. */
@InputType() class StandardInput implements StandardShape {
  @Field(() => Int, { nullable: true }) thirdCategoryMaxStars?: number;
  @Field(() => Int, { nullable: true }) firstCategoryMinStars?: number;
  @Field(() => Float, { nullable: true }) keyTargetShare?: number;
  @Field(() => Int, { nullable: true }) workingGroupMin?: number;
  @Field(() => Float, { nullable: true }) satisfactionMin?: number;
  @Field(() => Int, { nullable: true }) consolidationMonths?: number;
  @Field(() => Int, { nullable: true }) complaintReplyWorkingDays?: number;
  @Field(() => [String], { nullable: true }) problemTypes?: string[];
  @Field(() => Int, { nullable: true }) criticismAt?: number;
  @Field(() => Int, { nullable: true }) oneGradeDownAt?: number;
  @Field(() => Int, { nullable: true }) twoGradesDownAt?: number;
}

@Resolver()
export class StandardsResolver {
  @Mutation(() => RectificationStandard, { description: 'Set the rectification standards of a unit (and its subtree) from a year on; only a unit strictly above it may' })
  async setRectificationStandard(@Arg('unitId', () => ID) unitId: string, @Arg('effectiveYear', () => Int) year: number,
    @Arg('input', () => StandardInput) input: StandardInput, @Ctx() ctx: JicengContext) {
    const s = await setStandard(ctx.em, requirePrincipal(ctx), unitDbId(unitId, 'unitId'), year, input);
    return { ...s, ...s.accountability };
  }

  @Mutation(() => Boolean, { description: 'Mark a public holiday or a make-up workday (调休) for a region\'s subtree, from a unit above it (a parent region or the platform); kind null removes it' })
  async setCalendarDay(@Arg('unitId', () => ID) unitId: string, @Arg('day', () => LocalDateScalar) day: string,
    @Arg('kind', () => CalendarDayKindEnum, { nullable: true }) kind: CalendarDayKind | null, @Ctx() ctx: JicengContext) {
    await setCalendarDay(ctx.em, requirePrincipal(ctx), unitDbId(unitId, 'unitId'), day, kind ?? null);
    return true;
  }
}
