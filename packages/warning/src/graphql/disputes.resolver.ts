import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import {
  AdminUnit, Connection, LocalDateScalar, assertCan, decodeIdCursor, pageSize, requirePrincipal, unitDbId, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext } from '@jiceng/tenancy';
import * as store from '../disputes.store.js';
import { deferDispute, recordDispute, settleDispute } from '../disputes.service.js';
import { assertStatsYear } from '../warning.service.js';
import { subtreeConnection } from './subtree-page.js';

export const DisputeCategory = Object.fromEntries(store.DISPUTE_CATEGORIES.map((c) => [c, c])) as { [K in store.DisputeCategory]: K };
registerEnumType(DisputeCategory, {
  name: 'DisputeCategory',
  description: 'The 13 categories of the disputes ledger (矛盾纠纷排查): 土地承包, 宅基地, 征地拆迁, 宗族, 邻里, 治安, 村庄规划, 计划生育, 村务公开, 财务, 干部作风, 组织建设, 农民负担',
});

@ObjectType({ description: 'A dispute of a village in the disputes ledger (矛盾纠纷排查)' })
export class Dispute {
  @Field(() => ID) id!: string;
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => DisputeCategory) category!: string;
  @Field(() => String) summary!: string;
  @Field(() => LocalDateScalar) recordedOn!: string;
  @Field(() => Boolean) resolved!: boolean;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the day it was settled' }) resolvedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'what the settlement came to' }) result!: string | null;
  @Field(() => String, { nullable: true, description: 'why it cannot be settled yet (the latest deferral)' }) explanation!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the day it is promised to be settled by' }) promisedOn!: string | null;
}

@InputType() export class RecordDisputeInput {
  @Field(() => ID) villageId!: string;
  @Field(() => DisputeCategory) category!: string;
  @Field(() => String) summary!: string;
  @Field(() => LocalDateScalar) recordedOn!: string;
}

export const DisputeConnection = Connection(Dispute, 'Dispute');

const disputeView = (ctx: JicengContext, d: store.DisputeRow) => ({
  ...d, id: toGlobalId('Dispute', d.id), resolved: d.resolvedOn != null, village: unitLoader(ctx).load(d.unitId),
});

@Resolver()
export class DisputeResolver {
  @Mutation(() => Dispute, { description: 'Records a dispute of a village (whoever may report on the village)' })
  async recordDispute(@Arg('input', () => RecordDisputeInput) input: RecordDisputeInput, @Ctx() ctx: JicengContext) {
    return disputeView(ctx, await recordDispute(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') }));
  }

  @Mutation(() => Dispute, { description: 'Marks a dispute settled on a day with its result; settling twice is CONFLICT' })
  async settleDispute(@Arg('id', () => ID) id: string, @Arg('on', () => LocalDateScalar) on: string, @Arg('result', () => String) result: string, @Ctx() ctx: JicengContext) {
    return disputeView(ctx, await settleDispute(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Dispute', 'id'), on, result));
  }

  @Mutation(() => Dispute, { description: 'Records why an open dispute cannot be settled yet and the day promised' })
  async deferDispute(@Arg('id', () => ID) id: string, @Arg('explanation', () => String) explanation: string,
    @Arg('promisedOn', () => LocalDateScalar) promisedOn: string, @Ctx() ctx: JicengContext) {
    return disputeView(ctx, await deferDispute(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Dispute', 'id'), explanation, promisedOn));
  }
}

@Resolver(() => AdminUnit)
export class DisputeUnitResolver {
  @FieldResolver(() => DisputeConnection, { description: 'The disputes of the subtree recorded in a year (resolved or open only, or both), in the order recorded, with totalCount' })
  async disputes(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('resolved', () => Boolean, { nullable: true }) resolved?: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'warning:read');
    assertStatsYear(year);
    const which = resolved ?? null;
    return subtreeConnection(ctx, u, `warning:disputes:${year}:${which}`, { afterId: decodeIdCursor(after), size: pageSize(first) },
      (paths, afterId, limit) => store.disputePages(ctx.em, paths, year, which, afterId, limit),
      (paths) => store.disputeCounts(ctx.em, paths, year, which), (r) => disputeView(ctx, r));
  }
}
