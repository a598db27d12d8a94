import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { badInput, localDate } from '@jiceng/core';
import { executeBound } from '@jiceng/db';
import { AdminUnit, assertCan, byKey, oneByKey, unitLoader, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import { assertYear, type CaseRow } from '../case.service.js';
import { calendarDaysOf, standardsInForce } from '../standards.js';
import { Assessment, CauseEnum, Complaint, RectificationCase } from './types.js';
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
  @Field(() => String) day!: string;
  @Field(() => String, { description: 'HOLIDAY or WORKDAY' }) kind!: string;
}

@ObjectType({ description: '软弱涣散 designation of a village for a year' })
export class WeakDesignation {
  @Field(() => Int) year!: number;
  @Field(() => CauseEnum) cause!: string;
  @Field(() => [String]) problemTypes!: string[];
  @Field(() => String) designatedOn!: string;
}

@ObjectType({ description: '验收: a year-end acceptance' })
export class Acceptance {
  @Field(() => String) acceptedOn!: string;
  @Field(() => Float, { description: 'villagers\' satisfaction, 0 to 1' }) satisfactionRate!: number;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => String, { nullable: true, description: 'username of who recorded it' }) by!: string | null;
}

const MAX_CALENDAR_DAYS = 731;

const byUnit = (u: AdminUnitRow) => u.id;

@Resolver(() => AdminUnit)
export class ReadableUnitResolver {
  @FieldResolver(() => RectificationStandardInForce, { description: 'The rectification standard in force here in a year (this year when omitted)' })
  async rectificationStandard(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext, @Arg('year', () => Int, { nullable: true }) year?: number) {
    assertCan(ctx.principal, 'rectification:read');
    const y = year ?? new Date().getFullYear();
    assertYear(y);
    const s = await ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof standardsInForce>>[number]>(`rect:standard:${y}`,
      (units) => standardsInForce(ctx.em, units.map((x) => x.path), y), { cacheKeyFn: byUnit }).load(u);
    return { ...s, ...s.accountability, setOn: s.setOnUnitId ? unitLoader(ctx).load(s.setOnUnitId) : null };
  }

  @FieldResolver(() => [CalendarDay], { description: 'Public holidays and make-up workdays in force here in a period (at most two years), in date order' })
  async calendarDays(@Root() u: AdminUnitRow, @Arg('from', () => String) from: string, @Arg('to', () => String) to: string, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'rectification:read');
    localDate(from, 'from');
    if (localDate(to, 'to') < from) throw badInput('to', 'must be a date on or after from');
    if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_CALENDAR_DAYS) throw badInput('to', 'the period spans at most two years');
    return ctx.loader<AdminUnitRow, { day: string; kind: string }[]>(`rect:calendar:${from}:${to}`,
      (units) => calendarDaysOf(ctx.em, units.map((x) => x.path), from, to), { cacheKeyFn: byUnit }).load(u);
  }

  @FieldResolver(() => WeakDesignation, { nullable: true, description: 'a village\'s 软弱涣散 designation for a year: cause and problem types' })
  async designation(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'rectification:read');
    assertYear(year);
    const r = await ctx.loader<string, any>(`rect:designation:${year}`, async (ids) => oneByKey(ids, await executeBound<any>(ctx.em,
      `select unit_id, year, cause, problem_types, to_char(designated_at, 'YYYY-MM-DD') as designated_on
         from weak_designation where unit_id = any ($1::bigint[]) and year = $2`, [[...ids], year]), (r) => String(r.unit_id))).load(u.id);
    return r ? { year: r.year, cause: r.cause, problemTypes: r.problem_types, designatedOn: r.designated_on } : null;
  }

  @FieldResolver(() => [Assessment], { description: 'a village\'s assessments over the years (十星级), oldest first' })
  async assessments(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('fromYear', () => Int, { nullable: true }) fromYear?: number, @Arg('toYear', () => Int, { nullable: true }) toYear?: number) {
    assertCan(ctx.principal, 'rectification:read');
    if (fromYear != null) assertYear(fromYear);
    if (toYear != null) assertYear(toYear);
    const key = `${fromYear ?? ''}:${toYear ?? ''}`;
    return ctx.loader<string, any[]>(`rect:assessments:${key}`, async (ids) => byKey(ids, await executeBound<any>(ctx.em,
      `select unit_id, year, stars, category from assessment
        where unit_id = any ($1::bigint[]) and ($2::int is null or year >= $2) and ($3::int is null or year <= $3) order by unit_id, year`,
      [[...ids], fromYear ?? null, toYear ?? null]), (r) => String(r.unit_id))).load(u.id);
  }
}

const acceptancesLoader = (ctx: JicengContext) =>
  ctx.loader<string, any[]>('rect:acceptances', async (ids) => byKey(ids, await executeBound<any>(ctx.em,
    `select a.case_id, to_char(a.accepted_on, 'YYYY-MM-DD') as accepted_on, a.satisfaction_rate, a.note, u.username
       from acceptance a left join app_user u on u.id = a.by_user where a.case_id = any ($1::bigint[]) order by a.accepted_on, a.id`,
    [[...ids]]), (r) => String(r.case_id)));

const toAcceptance = (a: any) => ({ acceptedOn: a.accepted_on, satisfactionRate: Number(a.satisfaction_rate), note: a.note, by: a.username ?? null });

@Resolver(() => RectificationCase)
export class ReadableCaseResolver {
  @FieldResolver(() => Acceptance, { nullable: true, description: '验收: the latest year-end acceptance' })
  async acceptance(@Root() c: CaseRow, @Ctx() ctx: JicengContext) {
    const all = await acceptancesLoader(ctx).load(String(c.id));
    return all.length ? toAcceptance(all.at(-1)) : null;
  }

  @FieldResolver(() => [Acceptance], { description: 'every acceptance recorded for the case, oldest first' })
  async acceptances(@Root() c: CaseRow, @Ctx() ctx: JicengContext) {
    return (await acceptancesLoader(ctx).load(String(c.id))).map(toAcceptance);
  }
}

@Resolver(() => Complaint)
export class ComplaintResolver {
  @FieldResolver(() => AdminUnit, { description: 'the village the complaint is about' })
  village(@Root() c: { unitId: string }, @Ctx() ctx: JicengContext) {
    return unitLoader(ctx).load(c.unitId);
  }
}
