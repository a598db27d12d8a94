import { currentYear } from '@jiceng/core';
import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { AdminUnit, LocalDateScalar, unitLoader, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import type { Case } from '../case.service.js';
import { assertYear, validatePeriod } from '../inputs.js';
import type { CalendarDayKind, Cause } from '../lifecycle.js';
import type { Acceptance as AcceptanceRow } from '../rectification.store.js';
import { acceptancesLoader, assessmentsLoader, calendarLoader, designationLoader, standardLoader } from './loaders.js';
import { Assessment, CalendarDayKindEnum, CauseEnum, Complaint, RectificationCase } from './types.js';
import { RectificationStandard } from './standards.resolver.js';

// Everything the ledger writes can be read back: standards and calendar days in force, designations,
// assessment histories, acceptances, a complaint's village. Each field batches over the units (or cases)
// of a response through a per-request loader, and reads through RLS (the caller's scope).

@ObjectType({ description: 'A rectification standard in force and where it was set' })
export class RectificationStandardInForce extends RectificationStandard {
  @Field(() => AdminUnit, { nullable: true, description: 'the unit it was set on; null for the defaults or a unit above your scope' }) setOn!: unknown;
  @Field(() => Int, { nullable: true, description: 'the year it took effect; null for the defaults' }) effectiveYear!: number | null;
}

@ObjectType({ description: 'A public holiday or a make-up workday (调休)' })
export class CalendarDay {
  @Field(() => LocalDateScalar) day!: string;
  @Field(() => CalendarDayKindEnum) kind!: CalendarDayKind;
}

@ObjectType({ description: '软弱涣散 designation of a village for a year' })
export class WeakDesignation {
  @Field(() => Int) year!: number;
  @Field(() => CauseEnum) cause!: Cause;
  @Field(() => [String]) problemTypes!: string[];
  @Field(() => LocalDateScalar) designatedOn!: string;
}

@ObjectType({ description: '验收: a year-end acceptance' })
export class Acceptance {
  @Field(() => LocalDateScalar) acceptedOn!: string;
  @Field(() => Float, { description: 'villagers\' satisfaction, 0 to 1' }) satisfactionRate!: number;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => String, { nullable: true, description: 'username of who recorded it' }) by!: string | null;
}

@Resolver(() => AdminUnit)
export class ReadableUnitResolver {
  @FieldResolver(() => RectificationStandardInForce, { description: 'The rectification standard in force here in a year (this year when omitted)' })
  async rectificationStandard(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext, @Arg('year', () => Int, { nullable: true }) year?: number) {
    const y = year ?? currentYear();
    assertYear(y);
    const s = await standardLoader(ctx, y).load(u);
    return { ...s, ...s.accountability, setOn: s.setOnUnitId ? unitLoader(ctx).load(s.setOnUnitId) : null };
  }

  @FieldResolver(() => [CalendarDay], { description: 'Public holidays and make-up workdays in force here in a period (at most two years), in date order' })
  calendarDays(@Root() u: AdminUnitRow, @Arg('from', () => LocalDateScalar) from: string, @Arg('to', () => LocalDateScalar) to: string, @Ctx() ctx: JicengContext) {
    validatePeriod(from, to);
    return calendarLoader(ctx, from, to).load(u);
  }

  @FieldResolver(() => WeakDesignation, { nullable: true, description: 'a village\'s 软弱涣散 designation for a year: cause and problem types' })
  designation(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    return designationLoader(ctx, year).load(u.id);
  }

  @FieldResolver(() => [Assessment], { description: 'a village\'s assessments over the years (十星级), oldest first' })
  assessments(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('fromYear', () => Int, { nullable: true }) fromYear?: number, @Arg('toYear', () => Int, { nullable: true }) toYear?: number) {
    if (fromYear != null) assertYear(fromYear, 'fromYear');
    if (toYear != null) assertYear(toYear, 'toYear');
    return assessmentsLoader(ctx, fromYear ?? null, toYear ?? null).load(u.id);
  }
}

const toAcceptance = ({ caseId: _, ...a }: AcceptanceRow) => a;

@Resolver(() => RectificationCase)
export class ReadableCaseResolver {
  @FieldResolver(() => Acceptance, { nullable: true, description: '验收: the latest year-end acceptance' })
  async acceptance(@Root() c: Case, @Ctx() ctx: JicengContext) {
    const last = (await acceptancesLoader(ctx).load(c.id)).at(-1);
    return last ? toAcceptance(last) : null;
  }

  @FieldResolver(() => [Acceptance], { description: 'every acceptance recorded for the case, oldest first' })
  async acceptances(@Root() c: Case, @Ctx() ctx: JicengContext) {
    return (await acceptancesLoader(ctx).load(c.id)).map(toAcceptance);
  }
}

@Resolver(() => Complaint)
export class ComplaintResolver {
  @FieldResolver(() => AdminUnit, { description: 'the village the complaint is about' })
  village(@Root() c: { unitId: string }, @Ctx() ctx: JicengContext) {
    return unitLoader(ctx).load(c.unitId);
  }
}
