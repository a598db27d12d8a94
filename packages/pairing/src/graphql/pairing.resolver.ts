import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import { AdminUnit, LocalDateScalar, requirePrincipal, unitDbId, unitLoader, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import { coverageCountsOf, coverageOf, pairingsOf, suggestDepartments, supportTotalsOf } from '../coverage.service.js';
import { endPairing, linkPartnerAccount, logSupport, pair, partnerView, readPartner, registerPartner, type PartnerView } from '../pairing.service.js';
import { Pairing, PairingCoverage, Partner, PartnerInputType, SupportInputType, SupportTotals, VillageCoverage, toPartner } from './types.js';

export { Partner, PairingCoverage, Pairing, SlotCoverage, SupportFigures, SupportTotals, VillageCoverage, toPartner } from './types.js';

export const partnerId = (id: string) => fromGlobalId(id, 'Partner', 'partnerId');
/** The caller's view of partners, once per request. */
export function viewOf(ctx: JicengContext): Promise<PartnerView> {
  const p = requirePrincipal(ctx);
  return ctx.loader<string, PartnerView>('pairing:view', async (keys) => {
    const view = await partnerView(ctx.em, p);
    return keys.map(() => view);
  }).load(p.userId);
}

/** A unit as a loader key: every unit of a query level is batched into one call. */
export const unitKey = (u: AdminUnitRow) => ({ id: u.id, path: u.path });
export type UnitKey = ReturnType<typeof unitKey>;

@Resolver(() => AdminUnit)
export class PairingUnitResolver {
  @FieldResolver(() => PairingCoverage, { description: '五个一 coverage of this subtree\'s third-category villages in a year' })
  async pairingCoverage(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    const c = await ctx.loader(`pairing:coverage:${year}`, (units: readonly UnitKey[]) => coverageCountsOf(ctx.em, requirePrincipal(ctx), units, year)).load(unitKey(u));
    return { ...c, unit: unitKey(u), year };
  }

  @FieldResolver(() => [Partner], { description: 'for a target village: departments whose type fits its cause, least loaded first' })
  async departmentSuggestions(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    const view = await viewOf(ctx);
    const rows = await ctx.loader(`pairing:suggestions:${year}`, (units: readonly UnitKey[]) => suggestDepartments(ctx.em, requirePrincipal(ctx), view, units, year)).load(unitKey(u));
    return rows.map(toPartner);
  }

  @FieldResolver(() => [Pairing], { description: 'pairings of this village, ended ones included' })
  async pairings(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext) {
    const view = await viewOf(ctx);
    const rows = await ctx.loader('pairing:pairings', (units: readonly UnitKey[]) => pairingsOf(ctx.em, requirePrincipal(ctx), view, units)).load(unitKey(u));
    return rows.map((r) => ({ id: toGlobalId('Pairing', r.id), startsOn: r.startsOn, endsOn: r.endsOn, partner: toPartner(r.partner) }));
  }

  @FieldResolver(() => SupportTotals, { description: 'support logged for villages in this subtree in a period (optionally one partner)' })
  async supportTotals(@Root() u: AdminUnitRow, @Arg('from', () => LocalDateScalar) from: string, @Arg('to', () => LocalDateScalar) to: string, @Ctx() ctx: JicengContext,
    @Arg('partnerId', () => ID, { nullable: true }) partner?: string) {
    const view = await viewOf(ctx);
    const only = partner ? partnerId(partner) : null;
    return ctx.loader(`pairing:supportTotals:${from}:${to}:${only ?? ''}`, (units: readonly UnitKey[]) =>
      supportTotalsOf(ctx.em, requirePrincipal(ctx), view, units, { from, to }, only)).load(unitKey(u));
  }
}

@Resolver(() => PairingCoverage)
export class PairingCoverageResolver {
  @FieldResolver(() => [VillageCoverage], { description: 'the villages with something missing: the list to act on (first 500)' })
  async gaps(@Root() c: { unit: UnitKey; year: number }, @Ctx() ctx: JicengContext) {
    const view = await viewOf(ctx);
    const coverage = await ctx.loader(`pairing:coverageVillages:${c.year}`, (units: readonly UnitKey[]) => coverageOf(ctx.em, requirePrincipal(ctx), view, units, c.year), { cacheKeyFn: (k: UnitKey) => k.id })
      .load(c.unit);
    const gaps = coverage.villages.filter((v) => v.missing.length).slice(0, 500);
    return Promise.all(gaps.map(async (v) => ({ ...v, village: await unitLoader(ctx).load(v.unitId) })));
  }
}

@Resolver(() => Partner)
export class PairingResolver {
  @Query(() => Partner, { nullable: true })
  async partner(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    const r = await readPartner(ctx.em, requirePrincipal(ctx), await viewOf(ctx), partnerId(id));
    return r && toPartner(r);
  }

  @Mutation(() => Partner, { description: 'Register an enterprise, department, county leader, first secretary or project' })
  async registerPartner(@Arg('input', () => PartnerInputType) input: PartnerInputType, @Ctx() ctx: JicengContext) {
    return toPartner(await registerPartner(ctx.em, requirePrincipal(ctx), { ...input, unitId: unitDbId(input.unitId, 'unitId') }));
  }

  @Mutation(() => ID, { description: '结对: pair a partner with a village from a date (the end date is exclusive)' })
  async pairPartner(@Arg('partnerId', () => ID) partner: string, @Arg('villageId', () => ID) villageId: string, @Arg('startsOn', () => LocalDateScalar) startsOn: string,
    @Ctx() ctx: JicengContext, @Arg('endsOn', () => LocalDateScalar, { nullable: true }) endsOn?: string) {
    return toGlobalId('Pairing', await pair(ctx.em, requirePrincipal(ctx), { partnerId: partnerId(partner), villageId: unitDbId(villageId, 'villageId'), startsOn, endsOn }));
  }

  @Mutation(() => ID, { description: 'End a pairing on a date; the partner loses access to the village from that date' })
  async endPairing(@Arg('pairingId', () => ID) id: string, @Arg('endsOn', () => LocalDateScalar) endsOn: string, @Ctx() ctx: JicengContext) {
    return toGlobalId('Pairing', await endPairing(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Pairing', 'pairingId'), endsOn));
  }

  @Mutation(() => Boolean, { description: 'Link a partner user (ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY) to their partner' })
  async linkPartnerAccount(@Arg('userId', () => ID) userId: string, @Arg('partnerId', () => ID) partner: string, @Ctx() ctx: JicengContext) {
    await linkPartnerAccount(ctx.em, requirePrincipal(ctx), { userId: fromGlobalId(userId, 'User', 'userId'), partnerId: partnerId(partner) });
    return true;
  }

  @Mutation(() => ID, { description: 'Log support for a village your partner is paired with' })
  async logSupport(@Arg('input', () => SupportInputType) input: SupportInputType, @Ctx() ctx: JicengContext) {
    return toGlobalId('SupportLog', await logSupport(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') }));
  }

  @Mutation(() => ID, { description: 'Correct an entry: a new entry that replaces the referenced one in every total' })
  async correctSupport(@Arg('correctsId', () => ID) corrects: string, @Arg('input', () => SupportInputType) input: SupportInputType, @Ctx() ctx: JicengContext) {
    return toGlobalId('SupportLog', await logSupport(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') }, fromGlobalId(corrects, 'SupportLog', 'correctsId')));
  }
}
