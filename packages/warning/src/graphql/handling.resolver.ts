import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import {
  AdminUnit, Connection, LocalDateScalar, assertCan, oneByKey, unitDbId, unitLoader, decodeIdCursor, pageSize, requirePrincipal,
  type AdminUnitRow, type ConnectionShape, type JicengContext } from '@jiceng/tenancy';
import * as handling from '../handling.store.js';
import { issueRectificationNotice, openCaseFromWarning, rectificationNotices, sendWarningNotice } from '../handling.service.js';
import { assertStatsYear } from '../warning.service.js';
import { openCounts, openPages, type WarningRow } from '../warning.store.js';
import { HandlerLevel, Warning, warningView } from './warning.resolver.js';
import { subtreeConnection } from './subtree-page.js';

@ObjectType({ description: 'A warning notice (警示通知) the station or centre handling a warning sent to its village' })
export class WarningNotice {
  @Field(() => ID) id!: string;
  @Field(() => Warning) warning!: unknown;
  @Field(() => HandlerLevel, { description: 'who sent it: the level handling the warning then' }) handlerLevel!: string;
  @Field(() => LocalDateScalar) sentOn!: string;
  @Field(() => String) text!: string;
}

@ObjectType({ description: 'An entry of a warning\'s handling history (append-only)' })
export class WarningHistoryEntry {
  @Field(() => String, { description: 'ESCALATED, NOTICE_SENT or CASE_OPENED' }) kind!: string;
  @Field(() => HandlerLevel, { nullable: true }) handlerFrom!: string | null;
  @Field(() => HandlerLevel, { nullable: true }) handlerTo!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the follow-up deadline set by an escalation' }) followUpDue!: string | null;
  @Field(() => String) note!: string;
  @Field(() => String, { description: 'when (ISO 8601)' }) recordedAt!: string;
}

@ObjectType({ description: 'A deadline rectification notice (限期整改通知) of the county centre, led by a department' })
export class RectificationNotice {
  @Field(() => ID) id!: string;
  @Field(() => AdminUnit, { nullable: true, description: 'the village (null when outside the reader\'s scope, e.g. for a department not paired with it)' }) village!: unknown;
  @Field(() => ID, { nullable: true }) warningId!: string | null;
  @Field(() => ID, { description: 'the lead department (a pairing partner of kind DEPARTMENT)' }) leadDepartmentId!: string;
  @Field(() => LocalDateScalar) deadline!: string;
  @Field(() => String) text!: string;
  @Field(() => LocalDateScalar) issuedOn!: string;
}

@InputType() export class RectificationNoticeInput {
  @Field(() => ID, { nullable: true, description: 'the warning it follows (or villageId)' }) warningId?: string | null;
  @Field(() => ID, { nullable: true, description: 'the village (or warningId)' }) villageId?: string | null;
  @Field(() => LocalDateScalar) deadline!: string;
  @Field(() => ID, { description: 'a Partner of kind DEPARTMENT' }) leadDepartmentId!: string;
  @Field(() => String) text!: string;
}

const rectificationNoticeView = (ctx: JicengContext, n: handling.RectificationNoticeRow) => ({
  ...n, id: toGlobalId('RectificationNotice', n.id), warningId: n.warningId && toGlobalId('Warning', n.warningId),
  leadDepartmentId: toGlobalId('Partner', n.leadDepartmentId), village: unitLoader(ctx).load(n.unitId),
});

export const WarningConnection = Connection(Warning, 'Warning');

const noticeView = (ctx: JicengContext, w: WarningRow, n: handling.NoticeRow) => ({ ...n, id: toGlobalId('WarningNotice', n.id), warning: warningView(ctx, w) });

@Resolver()
export class HandlingResolver {
  @Mutation(() => WarningNotice, { description: 'The station or centre handling a warning sends its village a warning notice (警示通知); it enters the station ledger' })
  async sendWarningNotice(@Arg('warningId', () => ID) warningId: string, @Arg('on', () => LocalDateScalar) on: string,
    @Arg('text', () => String) text: string, @Ctx() ctx: JicengContext) {
    const { warning, notice } = await sendWarningNotice(ctx.em, requirePrincipal(ctx), fromGlobalId(warningId, 'Warning', 'warningId'), on, text);
    return noticeView(ctx, warning, notice);
  }

  @Mutation(() => RectificationNotice, { description: 'The county centre issues a deadline rectification notice (限期整改通知) naming a lead department' })
  async issueRectificationNotice(@Arg('input', () => RectificationNoticeInput) input: RectificationNoticeInput, @Ctx() ctx: JicengContext) {
    const n = await issueRectificationNotice(ctx.em, requirePrincipal(ctx), {
      ...input,
      warningId: input.warningId == null ? null : fromGlobalId(input.warningId, 'Warning', 'warningId'),
      villageId: input.villageId == null ? null : unitDbId(input.villageId, 'villageId'),
      leadDepartmentId: fromGlobalId(input.leadDepartmentId, 'Partner', 'leadDepartmentId'),
    });
    return rectificationNoticeView(ctx, n);
  }

  @Mutation(() => Warning, { description: 'Turns an open RED warning into its village\'s rectification case for the year of `on` (派出工作组整顿), linking the warning' })
  async openCaseFromWarning(@Arg('warningId', () => ID) warningId: string, @Arg('on', () => LocalDateScalar) on: string, @Ctx() ctx: JicengContext) {
    const { warning } = await openCaseFromWarning(ctx.em, requirePrincipal(ctx), fromGlobalId(warningId, 'Warning', 'warningId'), on);
    return warningView(ctx, warning);
  }

  @Query(() => [RectificationNotice], { description: 'Deadline rectification notices: a department\'s accounts see those addressed to their department, staff those in their scope; deadline first' })
  async rectificationNotices(@Ctx() ctx: JicengContext, @Arg('first', () => Int, { nullable: true }) first?: number) {
    const rows = await rectificationNotices(ctx.em, requirePrincipal(ctx), pageSize(first));
    return rows.map((n) => rectificationNoticeView(ctx, n));
  }
}

const warningDbId = (w: { id: string }) => fromGlobalId(w.id, 'Warning');

@Resolver(() => Warning)
export class HandlingWarningResolver {
  @FieldResolver(() => [WarningHistoryEntry], { description: 'escalations, notices and cases, oldest first' })
  async history(@Root() w: { id: string }, @Ctx() ctx: JicengContext) {
    const rows = await ctx.loader<string, handling.HistoryRow[]>('warning:history', async (ids) => {
      const all = await handling.historyOf(ctx.em, ids);
      return ids.map((id) => all.filter((r) => r.warningId === id));
    }).load(warningDbId(w));
    return rows.map((r) => ({ ...r, recordedAt: new Date(r.recordedAt).toISOString() }));
  }

  @FieldResolver(() => ID, { nullable: true, description: 'the rectification case opened from this warning (a RectificationCase id)' })
  async rectificationCaseId(@Root() w: { id: string }, @Ctx() ctx: JicengContext) {
    const row = await ctx.loader<string, { caseId: string | null } | null>('warning:case', async (ids) =>
      oneByKey(ids, await handling.caseIdsOf(ctx.em, ids), (r) => r.id)).load(warningDbId(w));
    return row?.caseId ? toGlobalId('RectificationCase', row.caseId) : null;
  }

  @FieldResolver(() => [WarningNotice], { description: 'the warning notices sent to the village about it, oldest first' })
  async notices(@Root() w: { id: string } & Record<string, unknown>, @Ctx() ctx: JicengContext) {
    const rows = await ctx.loader<string, handling.NoticeRow[]>('warning:notices', async (ids) => {
      const all = await handling.noticesOf(ctx.em, ids);
      return ids.map((id) => all.filter((r) => r.warningId === id));
    }).load(warningDbId(w));
    return rows.map((n) => ({ ...n, id: toGlobalId('WarningNotice', n.id), warning: w }));
  }
}

@Resolver(() => AdminUnit)
export class HandlingUnitResolver {
  @FieldResolver(() => WarningConnection, { description: 'The station ledger (台账): warnings of the subtree observed in a year and handled above the village, in the order they arrived, with their history and notices' })
  async warningLedger(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'warning:read');
    assertStatsYear(year);
    return subtreeConnection(ctx, u, `warning:ledger:${year}`, { afterId: decodeIdCursor(after), size: pageSize(first) },
      (paths, afterId, limit) => handling.ledgerPages(ctx.em, paths, year, afterId, limit),
      (paths) => handling.ledgerCounts(ctx.em, paths, year), (r) => warningView(ctx, r));
  }

  @FieldResolver(() => WarningConnection, { description: 'The open warnings of the subtree, whatever their year and handler, in the order they arrived, with their history and notices' })
  async openWarnings(
    @Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'warning:read');
    return subtreeConnection(ctx, u, 'warning:open', { afterId: decodeIdCursor(after), size: pageSize(first) },
      (paths, afterId, limit) => openPages(ctx.em, paths, afterId, limit), (paths) => openCounts(ctx.em, paths), (r) => warningView(ctx, r));
  }
}
