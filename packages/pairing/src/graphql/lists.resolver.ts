import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { toGlobalId } from '@jiceng/core';
import {
  AdminUnit, Connection, LocalDateScalar, Me, decodeIdCursor, pageSize, requirePrincipal, toConnection, toPage, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext,
} from '@jiceng/tenancy';
import { partnerCounts, partnerPages, partnersByIds, supportEntryCounts, supportEntryPages } from '../lists.service.js';
import { ownPartner } from '../pairing.service.js';
import type { PartnerRecord, SupportEntryRecord } from '../pairing.store.js';
import { PartnerKindEnum, type PartnerKind } from '../values.js';
import { partnerId, unitKey, viewOf, type UnitKey } from './pairing.resolver.js';
import { Partner, SupportFigures, toPartner } from './types.js';

// Lists to find records by: a unit's partners, the support entries of a subtree (a partner finds the
// entry to correct), and the caller's own partner (me.partner).

export const PartnerConnection = Connection(Partner, 'Partner');

@ObjectType({ description: 'One support log entry; a corrected entry names its correction' })
export class SupportEntry extends SupportFigures {
  @Field(() => ID) id!: string;
  @Field(() => LocalDateScalar) loggedOn!: string;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => ID, { nullable: true, description: 'the entry this one corrects' }) corrects!: string | null;
  @Field(() => ID, { nullable: true, description: 'the entry that corrects this one: it no longer counts' }) correctedBy!: string | null;
  @Field(() => Partner, { nullable: true, description: 'null when outside your reach' }) partner!: unknown;
  @Field(() => AdminUnit) village!: unknown;
}
export const SupportEntryConnection = Connection(SupportEntry, 'SupportEntry');

const supportId = (id: string | null) => (id == null ? null : toGlobalId('SupportLog', id));

@Resolver(() => AdminUnit)
export class PairingListsResolver {
  @FieldResolver(() => PartnerConnection, { description: 'partners registered by units of this subtree (with serving: also those paired with its villages), oldest first' })
  async partners(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('kind', () => PartnerKindEnum, { nullable: true }) kind?: PartnerKind,
    @Arg('serving', () => Boolean, { defaultValue: false, description: 'also partners registered elsewhere that are or were paired with villages here' }) serving?: boolean,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const [p, view, f] = [requirePrincipal(ctx), await viewOf(ctx), { kind: kind ?? null, serving: serving ?? false }];
    const args = `${f.kind ?? ''}:${f.serving}`;
    const rows = await ctx.loader(`pairing:partners:${args}:${afterId ?? ''}:${size}`, (units: readonly UnitKey[]) =>
      partnerPages(ctx.em, p, view, units, f, afterId, size + 1)).load(unitKey(u));
    const total = () => ctx.loader(`pairing:partners:count:${args}`, (units: readonly UnitKey[]) => partnerCounts(ctx.em, p, units, f)).load(unitKey(u));
    return toConnection(toPage(rows, size, (r) => r.id, total), toPartner);
  }

  @FieldResolver(() => SupportEntryConnection, { description: 'support entries for villages of this subtree in a period, newest first (a partner user: its own partner\'s only)' })
  async supportEntries(@Root() u: AdminUnitRow, @Arg('from', () => LocalDateScalar) from: string, @Arg('to', () => LocalDateScalar) to: string, @Ctx() ctx: JicengContext,
    @Arg('partnerId', () => ID, { nullable: true }) partner?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    const size = pageSize(first);
    const beforeId = decodeIdCursor(after);
    const [p, view, only] = [requirePrincipal(ctx), await viewOf(ctx), partner ? partnerId(partner) : null];
    const args = `${from}:${to}:${only ?? ''}`;
    const rows = await ctx.loader(`pairing:supportEntries:${args}:${beforeId ?? ''}:${size}`, (units: readonly UnitKey[]) =>
      supportEntryPages(ctx.em, p, view, units, { from, to }, only, beforeId, size + 1)).load(unitKey(u));
    const total = () => ctx.loader(`pairing:supportEntries:count:${args}`, (units: readonly UnitKey[]) =>
      supportEntryCounts(ctx.em, p, view, units, { from, to }, only)).load(unitKey(u));
    return toConnection(toPage(rows, size, (r) => r.id, total), (r: SupportEntryRecord) => ({
      ...r, id: supportId(r.id), corrects: supportId(r.corrects), correctedBy: supportId(r.correctedBy),
    }));
  }
}

const partnersLoader = (ctx: JicengContext) =>
  ctx.loader<string, PartnerRecord | null>('pairing:partnerById', async (ids) => {
    const rows = await partnersByIds(ctx.em, await viewOf(ctx), ids);
    return ids.map((id) => rows.find((r) => r.id === id) ?? null);
  });

@Resolver(() => SupportEntry)
export class SupportEntryResolver {
  @FieldResolver(() => Partner, { nullable: true })
  async partner(@Root() e: { partnerId: string }, @Ctx() ctx: JicengContext) {
    const r = await partnersLoader(ctx).load(e.partnerId);
    return r ? toPartner(r) : null;
  }

  @FieldResolver(() => AdminUnit)
  village(@Root() e: { unitId: string }, @Ctx() ctx: JicengContext) {
    return unitLoader(ctx).load(e.unitId);
  }
}

@Resolver(() => Me)
export class MePartnerResolver {
  @FieldResolver(() => Partner, { nullable: true, description: 'for a partner user: the partner they speak for' })
  async partner(@Ctx() ctx: JicengContext) {
    const r = await ownPartner(ctx.em, requirePrincipal(ctx));
    return r ? toPartner(r) : null;
  }
}
