import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { badInput, fromGlobalId, localDate, notFound, toGlobalId } from '@jiceng/core';
import { AdminUnit, MoneyScalar, assertCan, requirePrincipal, unitDbId, unitLoader, type AdminUnitRow, type JicengContext } from '@jiceng/tenancy';
import { coverage, suggestDepartments, supportTotals } from '../coverage.service.js';
import { endPairing, linkPartnerAccount, logSupport, maskPartner, pair, partnerView, registerPartner, requirePartner, type PartnerView } from '../pairing.service.js';

@ObjectType() export class Partner {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY or PROJECT' }) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: '统一社会信用代码' }) creditCode!: string | null;
  @Field(() => String, { nullable: true }) contact!: string | null;
  @Field(() => String, { nullable: true }) departmentType!: string | null;
  @Field(() => String, { nullable: true }) homeOrg!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) budget!: bigint | null;
  @Field(() => String, { nullable: true }) status!: string | null;
  @Field(() => String, { nullable: true, description: 'start of the term (first secretaries: 驻村 term), yyyy-mm-dd' }) termStart!: string | null;
  @Field(() => String, { nullable: true, description: 'end of the term, yyyy-mm-dd' }) termEnd!: string | null;
  @Field(() => String, { nullable: true, description: 'a project\'s kind (种植, 养殖, …)' }) projectKind!: string | null;
  @Field(() => Int, { nullable: true, description: 'villages carried now (suggestions)' }) carried!: number | null;
}

@ObjectType() export class SlotCoverage {
  @Field(() => String) slot!: string;
  @Field(() => Int) filled!: number;
  @Field(() => Float) rate!: number;
}

@ObjectType() export class VillageCoverage {
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => String, { nullable: true }) cause!: string | null;
  @Field(() => [String], { description: 'slots still to fill' }) missing!: string[];
  @Field(() => Int) enterprises!: number;
  @Field(() => Int) projects!: number;
  @Field(() => Boolean, { description: 'fewer projects than the target (3 by default)' }) projectsBelowTarget!: boolean;
}

@ObjectType({ description: '五个一 coverage of the third-category villages in a subtree' })
export class PairingCoverage {
  @Field(() => Int) targets!: number;
  @Field(() => Int, { description: 'villages with all five slots filled' }) fullyCovered!: number;
  @Field(() => Float) rate!: number;
  @Field(() => [SlotCoverage]) slots!: SlotCoverage[];
  @Field(() => [VillageCoverage], { description: 'the villages with something missing: the list to act on (first 500)' }) gaps!: VillageCoverage[];
}

/** The figures of a support entry, and of totals over entries. */
@ObjectType() export class SupportFigures {
  @Field(() => Int) visits!: number;
  @Field(() => Int) peoplePlaced!: number;
  @Field(() => MoneyScalar) materialsValue!: bigint;
  @Field(() => Int) meetings!: number;
  @Field(() => Int) problemsSolved!: number;
  @Field(() => Int) projectsCoordinated!: number;
}

@ObjectType() export class SupportTotals extends SupportFigures {
  @Field(() => Int) entries!: number;
}

@ObjectType() export class Pairing {
  @Field(() => ID) id!: string;
  @Field(() => Partner) partner!: unknown;
  @Field(() => String) startsOn!: string;
  @Field(() => String, { nullable: true }) endsOn!: string | null;
}

@InputType() class PartnerInput {
  @Field(() => ID) unitId!: string;
  @Field(() => String) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) creditCode?: string;
  @Field(() => String, { nullable: true }) contact?: string;
  @Field(() => String, { nullable: true }) departmentType?: string;
  @Field(() => String, { nullable: true }) homeOrg?: string;
  @Field(() => String, { nullable: true }) termStart?: string;
  @Field(() => String, { nullable: true }) termEnd?: string;
  @Field(() => String, { nullable: true }) projectKind?: string;
  @Field(() => MoneyScalar, { nullable: true }) budget?: bigint;
  @Field(() => String, { nullable: true }) status?: string;
}

@InputType() class SupportInput {
  @Field(() => ID) villageId!: string;
  @Field(() => String) loggedOn!: string;
  @Field(() => Int, { nullable: true }) visits?: number;
  @Field(() => Int, { nullable: true }) peoplePlaced?: number;
  @Field(() => MoneyScalar, { nullable: true }) materialsValue?: bigint;
  @Field(() => Int, { nullable: true }) meetings?: number;
  @Field(() => Int, { nullable: true }) problemsSolved?: number;
  @Field(() => Int, { nullable: true }) projectsCoordinated?: number;
  @Field(() => String, { nullable: true }) note?: string;
}

/** A date column as yyyy-mm-dd (node-postgres reads a date as local midnight). */
const ymd = (d: unknown): string | null => {
  if (d == null) return null;
  if (typeof d === 'string') return d.slice(0, 10);
  const x = d as Date;
  return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
};

export const toPartner = (r: any) => ({
  id: toGlobalId('Partner', String(r.id)), kind: r.kind, name: r.name, creditCode: r.credit_code, contact: r.contact, departmentType: r.department_type,
  homeOrg: r.home_org, termStart: ymd(r.term_start), termEnd: ymd(r.term_end), projectKind: r.project_kind ?? null, budget: r.budget == null ? null : BigInt(r.budget), status: r.status, carried: r.carried == null ? null : Number(r.carried),
});
export const partnerId = (id: string) => fromGlobalId(id, 'Partner', 'partnerId');
/** The caller's view of partners, once per request. */
export function viewOf(ctx: JicengContext): Promise<PartnerView> {
  const p = requirePrincipal(ctx);
  return ctx.loader<string, PartnerView>('pairing:view', async (keys) => {
    const view = await partnerView(ctx.em, p);
    return keys.map(() => view);
  }).load(p.userId);
}
function period(from: string, to: string) {
  localDate(from, 'from');
  if (localDate(to, 'to') < from) throw badInput('to', 'must be a date on or after from');
}

@Resolver(() => AdminUnit)
export class PairingUnitResolver {
  @FieldResolver(() => PairingCoverage, { description: '五个一 coverage of this subtree\'s third-category villages in a year' })
  async pairingCoverage(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'pairing:read');
    const c = await coverage(ctx.em, u.path, year);
    // a partner user reads no rectification data: not the weakness cause of the villages it serves
    const hideCause = (await viewOf(ctx)).partnerOnly;
    const gaps = c.villages.filter((v) => v.missing.length).slice(0, 500);
    return { ...c, gaps: await Promise.all(gaps.map(async (v) => ({ ...v, cause: hideCause ? null : v.cause, village: await unitLoader(ctx).load(v.unitId) }))) };
  }

  @FieldResolver(() => [Partner], { description: 'for a target village: departments whose type fits its cause, least loaded first' })
  async departmentSuggestions(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'pairing:read');
    // suggestions follow the village's weakness cause (rectification data) and serve those who pair
    if ((await viewOf(ctx)).partnerOnly) return [];
    return (await suggestDepartments(ctx.em, u, year)).map(toPartner);
  }

  @FieldResolver(() => [Pairing], { description: 'pairings of this village, ended ones included' })
  async pairings(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'pairing:read');
    const rows = await ctx.em.execute<any[]>(
      `select p.id, to_char(p.starts_on, 'YYYY-MM-DD') as starts_on, to_char(p.ends_on, 'YYYY-MM-DD') as ends_on, pa.*, p.id as pairing_id
         from pairing p join partner pa on pa.id = p.partner_id where p.unit_id = ? order by p.starts_on, p.id`,
      [u.id],
    );
    const view = await viewOf(ctx);
    return rows.map((r) => ({ id: toGlobalId('Pairing', String(r.pairing_id)), startsOn: r.starts_on, endsOn: r.ends_on, partner: toPartner(maskPartner(view, { ...r, id: r.partner_id ?? r.id })) }));
  }

  @FieldResolver(() => SupportTotals, { description: 'support logged for villages in this subtree in a period (optionally one partner)' })
  async supportTotals(@Root() u: AdminUnitRow, @Arg('from', () => String) from: string, @Arg('to', () => String) to: string, @Ctx() ctx: JicengContext,
    @Arg('partnerId', () => ID, { nullable: true }) partner?: string) {
    assertCan(ctx.principal, 'support:read');
    period(from, to);
    // a partner user reads its own partner's figures only: a co-partner's are not found
    const view = await viewOf(ctx);
    const only = partner ? partnerId(partner) : null;
    if (view.partnerOnly && (!view.own || (only && only !== view.own))) throw notFound('partner');
    return supportTotals(ctx.em, u.path, from, to, view.partnerOnly ? view.own : only);
  }
}

@Resolver(() => Partner)
export class PairingResolver {
  @Query(() => Partner, { nullable: true })
  async partner(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'pairing:read');
    const [r] = await ctx.em.execute<any[]>(`select * from partner where id = ?`, [partnerId(id)]);
    return r ? toPartner(maskPartner(await viewOf(ctx), r)) : null;
  }

  @Mutation(() => Partner, { description: 'Register an enterprise, department, county leader, first secretary or project' })
  async registerPartner(@Arg('input', () => PartnerInput) input: PartnerInput, @Ctx() ctx: JicengContext) {
    const id = await registerPartner(ctx.em, requirePrincipal(ctx), { ...input, unitId: unitDbId(input.unitId, 'unitId') });
    return toPartner(await requirePartner(ctx.em, id));
  }

  @Mutation(() => ID, { description: '结对: pair a partner with a village from a date (the end date is exclusive)' })
  async pairPartner(@Arg('partnerId', () => ID) partner: string, @Arg('villageId', () => ID) villageId: string, @Arg('startsOn', () => String) startsOn: string,
    @Ctx() ctx: JicengContext, @Arg('endsOn', () => String, { nullable: true }) endsOn?: string) {
    return toGlobalId('Pairing', await pair(ctx.em, requirePrincipal(ctx), { partnerId: partnerId(partner), villageId: unitDbId(villageId, 'villageId'), startsOn, endsOn }));
  }

  @Mutation(() => ID, { description: 'End a pairing on a date; the partner loses access to the village from that date' })
  async endPairing(@Arg('pairingId', () => ID) id: string, @Arg('endsOn', () => String) endsOn: string, @Ctx() ctx: JicengContext) {
    return toGlobalId('Pairing', await endPairing(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Pairing', 'pairingId'), endsOn));
  }

  @Mutation(() => Boolean, { description: 'Link a partner user (ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY) to their partner' })
  async linkPartnerAccount(@Arg('userId', () => ID) userId: string, @Arg('partnerId', () => ID) partner: string, @Ctx() ctx: JicengContext) {
    await linkPartnerAccount(ctx.em, requirePrincipal(ctx), { userId: fromGlobalId(userId, 'User', 'userId'), partnerId: partnerId(partner) });
    return true;
  }

  @Mutation(() => ID, { description: 'Log support for a village your partner is paired with' })
  async logSupport(@Arg('input', () => SupportInput) input: SupportInput, @Ctx() ctx: JicengContext) {
    return toGlobalId('SupportLog', await logSupport(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') }));
  }

  @Mutation(() => ID, { description: 'Correct an entry: a new entry that replaces the referenced one in every total' })
  async correctSupport(@Arg('correctsId', () => ID) corrects: string, @Arg('input', () => SupportInput) input: SupportInput, @Ctx() ctx: JicengContext) {
    return toGlobalId('SupportLog', await logSupport(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') }, fromGlobalId(corrects, 'SupportLog', 'correctsId')));
  }
}
