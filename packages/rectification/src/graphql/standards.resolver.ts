import { badInput } from '@jiceng/core';
import { Arg, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { assertCanFromAbove, requirePrincipal, requireUnit, unitDbId, type JicengContext } from '@jiceng/tenancy';
import { setCalendarDay, setStandard } from '../standards.js';

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

@InputType() class StandardInput {
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
    const unit = await requireUnit(ctx.em, unitDbId(unitId, 'unitId'), 'unitId');
    assertCanFromAbove(requirePrincipal(ctx), 'rectification:configure', { path: unit.path, what: 'admin unit' });
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput('effectiveYear', 'must be a year from 2000 to 2100');
    const s = await setStandard(ctx.em, unit, year, input);
    return { ...s, ...s.accountability };
  }

  @Mutation(() => Boolean, { description: 'Mark a public holiday or a make-up workday (调休) for a region\'s subtree, from a unit above it (a parent region or the platform); kind null removes it' })
  async setCalendarDay(@Arg('unitId', () => ID) unitId: string, @Arg('day', () => String) day: string,
    @Arg('kind', () => String, { nullable: true }) kind: string | null, @Ctx() ctx: JicengContext) {
    const unit = await requireUnit(ctx.em, unitDbId(unitId, 'unitId'), 'unitId');
    assertCanFromAbove(requirePrincipal(ctx), 'rectification:configure', { path: unit.path, what: 'admin unit' });
    if (unit.level !== 'REGION') throw badInput('unitId', 'public holidays and make-up workdays are set on a region');
    if (kind !== null && kind !== 'HOLIDAY' && kind !== 'WORKDAY') throw badInput('kind', 'must be HOLIDAY, WORKDAY or null');
    await setCalendarDay(ctx.em, unit, day, kind as 'HOLIDAY' | 'WORKDAY' | null);
    return true;
  }
}
