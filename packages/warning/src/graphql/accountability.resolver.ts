import { Arg, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { fromGlobalId } from '@jiceng/core';
import {
  AdminUnit, LocalDateScalar, User, assertCan, oneByKey, requirePrincipal, unitDbId, unitLoader, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import * as store from '../accountability.store.js';
import { reporterAccountability, recordLapse, recordStationFailure, setAccountabilityStandard } from '../accountability.service.js';
import { assertStatsYear } from '../warning.service.js';

export enum ReporterConsequence {
  CRITICISM_MONTH_BONUS_WITHHELD = 'CRITICISM_MONTH_BONUS_WITHHELD',
  COUNTY_NOTICE_HALF_YEAR_BONUS = 'COUNTY_NOTICE_HALF_YEAR_BONUS',
  SUSPENSION_YEAR_BONUS = 'SUSPENSION_YEAR_BONUS',
}
registerEnumType(ReporterConsequence, {
  name: 'ReporterConsequence',
  description: 'seed 002 (Cao county): 1 lapse a year → criticism and the month\'s bonus withheld; 2 → county-wide notice and half a year\'s bonus; 3+ → suspension and the year\'s bonus',
});

@ObjectType({ description: 'A reporter\'s lapses in a year (late, missed, concealed reports) and their consequence' })
export class ReporterAccountability {
  @Field(() => User) reporter!: unknown;
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => Int) late!: number;
  @Field(() => Int) missed!: number;
  @Field(() => Int) concealed!: number;
  @Field(() => Int) total!: number;
  @Field(() => ReporterConsequence, { nullable: true }) consequence!: string | null;
}

const userId = (id: string, field: string) => fromGlobalId(id, 'User', field);

@Resolver()
export class AccountabilityResolver {
  @Mutation(() => Boolean, { description: 'Records a missed report: a station or inspector recorded the matter before the village\'s reporter' })
  async recordMissedReport(
    @Arg('villageId', () => ID) villageId: string, @Arg('indicatorCode', () => String) indicatorCode: string,
    @Arg('reporterId', () => ID) reporterId: string, @Arg('on', () => LocalDateScalar) on: string, @Arg('note', () => String) note: string,
    @Ctx() ctx: JicengContext,
  ) {
    await recordLapse(ctx.em, requirePrincipal(ctx), 'MISSED', { villageId: unitDbId(villageId, 'villageId'), indicatorCode, reporterId: userId(reporterId, 'reporterId'), on, note });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Records a concealed report: an inspection found the matter hidden by the village\'s reporter' })
  async recordConcealment(
    @Arg('villageId', () => ID) villageId: string, @Arg('indicatorCode', () => String) indicatorCode: string,
    @Arg('reporterId', () => ID) reporterId: string, @Arg('on', () => LocalDateScalar) on: string, @Arg('note', () => String) note: string,
    @Ctx() ctx: JicengContext,
  ) {
    await recordLapse(ctx.em, requirePrincipal(ctx), 'CONCEALED', { villageId: unitDbId(villageId, 'villageId'), indicatorCode, reporterId: userId(reporterId, 'reporterId'), on, note });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Records a township station that failed to report indicator changes (counts in the township\'s assessment)' })
  async recordStationFailure(
    @Arg('townshipId', () => ID) townshipId: string, @Arg('on', () => LocalDateScalar) on: string, @Arg('note', () => String) note: string,
    @Ctx() ctx: JicengContext,
  ) {
    await recordStationFailure(ctx.em, requirePrincipal(ctx), unitDbId(townshipId, 'townshipId'), on, note);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Sets the reporter accountability standard on a unit below the caller\'s from a day on: working days before a report is late, and the yearly lapse counts of each consequence' })
  async setReporterAccountabilityStandard(
    @Arg('unitId', () => ID) unitId: string, @Arg('effectiveOn', () => LocalDateScalar) effectiveOn: string,
    @Arg('lateAfterWorkingDays', () => Int) lateAfterWorkingDays: number, @Arg('criticismFrom', () => Int) criticismFrom: number,
    @Arg('countyNoticeFrom', () => Int) countyNoticeFrom: number, @Arg('suspensionFrom', () => Int) suspensionFrom: number,
    @Ctx() ctx: JicengContext,
  ) {
    await setAccountabilityStandard(ctx.em, requirePrincipal(ctx), unitDbId(unitId, 'unitId'), effectiveOn, { lateAfterWorkingDays, criticismFrom, countyNoticeFrom, suspensionFrom });
    return true;
  }
}

const byUnit = { cacheKeyFn: (u: AdminUnitRow) => u.id };

@Resolver(() => AdminUnit)
export class AccountabilityUnitResolver {
  @FieldResolver(() => [ReporterAccountability], { description: 'Reporters of the subtree with a late, missed or concealed report in the year, with their consequence' })
  async reporterAccountability(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'warning:accountability');
    assertStatsYear(year);
    const rows = await ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof reporterAccountability>>[number]>(`warning:accountability:${year}`,
      (units) => reporterAccountability(ctx.em, units.map((x) => x.path), year), byUnit).load(u);
    return rows.map((r) => ({ ...r, reporter: r, village: unitLoader(ctx).load(r.unitId) }));
  }

  @FieldResolver(() => Int, { description: 'Station failures (a station that failed to report indicator changes) recorded in the subtree in the year' })
  async stationFailures(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'warning:accountability');
    assertStatsYear(year);
    const r = await ctx.loader<AdminUnitRow, { path: string; n: number } | null>(`warning:station-failures:${year}`,
      async (units) => oneByKey(units.map((x) => x.path), await store.stationFailureCounts(ctx.em, units.map((x) => x.path), year), (x) => x.path), byUnit).load(u);
    return r?.n ?? 0;
  }
}
