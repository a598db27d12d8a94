import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { badInput, fromGlobalId, toGlobalId } from '@jiceng/core';
import {
  AdminUnit, Connection, LocalDateScalar, MoneyScalar, decodeIdCursor, pageSize, requirePrincipal, toConnection, toPage, unitDbId, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext,
} from '@jiceng/tenancy';
import {
  allocate, allocateAwardQuota, allocateByStandard, appropriate, compliance, disburse, disburseMany, fundsSummaries, grantAward, reverseTransfer,
  setRegionStandards, spend, standardsFor, transfersIn, type FundsFigures,
} from '../funding.service.js';
import type { StandardField } from '../standards.js';
import { FUNDS, TRANSFER_KINDS, enumObject, type Fund, type TransferKind } from '../enums.js';
import type { TransferRow } from '../ledger.service.js';

// the value lists are declared once (enums.ts); a test checks them against the SQL check constraints
export const FundEnum = enumObject(FUNDS);
registerEnumType(FundEnum, { name: 'Fund', description: 'A fund (DOMAIN §5): office, Party activity, Party building, benefit projects, the award' });
export const TransferKindEnum = enumObject(TRANSFER_KINDS);
registerEnumType(TransferKindEnum, { name: 'TransferKind', description: 'What a transfer does: appropriate (money enters at a region), allocate (down the tree), disburse (拨付), spend (村财乡管), award (以奖代补)' });

@ObjectType() export class FundFigures {
  @Field(() => FundEnum) fund!: Fund;
  @Field(() => Int) year!: number;
  @Field(() => MoneyScalar) allocated!: bigint;
  @Field(() => MoneyScalar) disbursed!: bigint;
  @Field(() => MoneyScalar) spent!: bigint;
  @Field(() => MoneyScalar) balance!: bigint;
}

@ObjectType({ description: 'Funds over a unit\'s subtree for a year; exact to the fen' })
export class FundsSummary {
  @Field(() => MoneyScalar, { description: 'allocated into the subtree (net of reversals)' }) allocated!: bigint;
  @Field(() => MoneyScalar, { description: 'paid to villages (拨付), awards included' }) disbursed!: bigint;
  @Field(() => MoneyScalar, { description: 'spent by villages (村财乡管)' }) spent!: bigint;
  @Field(() => MoneyScalar, { description: 'held in the subtree: budgets not yet paid plus village cash' }) balance!: bigint;
  @Field(() => [FundFigures]) byFund!: FundFigures[];
}

@ObjectType({ description: 'Disbursement figures per county; below county level, one row for the unit asked about' })
export class CountyDisbursement {
  @Field(() => AdminUnit, { nullable: true, description: 'the county these figures cover whole; null when they cover only a unit below it (see unit)' }) county!: unknown;
  @Field(() => AdminUnit, { nullable: true, description: 'the unit these figures cover: the county, or the township or village asked about' }) unit!: unknown;
  @Field(() => MoneyScalar) allocated!: bigint;
  @Field(() => MoneyScalar) disbursed!: bigint;
  @Field(() => Float) rate!: number;
  @Field(() => Float, { nullable: true, description: 'average days from allocation to disbursement' }) averageDaysToDisburse!: number | null;
}

/** Villages listed by name in a compliance answer; the counts cover them all. */
const LISTED_BELOW = 500;

@ObjectType() export class FundingCompliance {
  @Field(() => [AdminUnit], { description: `rural villages whose office funds fall below their region's standard (the first ${LISTED_BELOW} by id)` }) officeBelowStandard!: unknown[];
  @Field(() => Int, { description: 'how many villages officeBelowStandard lists in all' }) officeBelowStandardCount!: number;
  @Field(() => [AdminUnit], { description: `rural villages whose activity funds fall below the per-member standard × Party members (the first ${LISTED_BELOW} by id)` }) activityBelowStandard!: unknown[];
  @Field(() => Int, { description: 'how many villages activityBelowStandard lists in all' }) activityBelowStandardCount!: number;
  @Field(() => [CountyDisbursement]) counties!: CountyDisbursement[];
}

@ObjectType() export class Transfer {
  @Field(() => ID) id!: string;
  @Field(() => TransferKindEnum) kind!: TransferKind;
  @Field(() => FundEnum) fund!: Fund;
  @Field(() => Int) year!: number;
  @Field(() => MoneyScalar) amount!: bigint;
  @Field(() => LocalDateScalar) occurredOn!: string;
  @Field(() => String, { nullable: true }) voucher!: string | null;
  @Field(() => String, { nullable: true }) category!: string | null;
  @Field(() => String, { nullable: true }) receipt!: string | null;
  @Field(() => ID, { nullable: true, description: 'the transfer this one reverses' }) reverses!: string | null;
  /** the deeper of the transfer's two units (the one it hangs on), resolved by the field resolvers */
  unitId!: string;
}

export const TransferConnection = Connection(Transfer, 'Transfer');

@ObjectType({ description: 'Funding standards in force (DOMAIN §5): money per year, venue sizes in m²' })
export class FundingStandards {
  @Field(() => MoneyScalar, { description: 'office funds per village-year' }) officePerVillage!: bigint;
  @Field(() => MoneyScalar, { description: 'Party activity funds per member-year' }) activityPerMember!: bigint;
  @Field(() => MoneyScalar, { description: 'Party-building special funds per village-year' }) partyBuildingPerVillage!: bigint;
  @Field(() => MoneyScalar, { description: 'benefit project funds per village' }) benefitProject!: bigint;
  @Field(() => MoneyScalar, { description: 'the one-time award (以奖代补)' }) award!: bigint;
  @Field(() => Int, { description: 'activity venue, farming villages' }) venueFarmingM2!: number;
  @Field(() => Int, { description: 'activity venue, pastoral villages' }) venuePastoralM2!: number;
}

@InputType({ description: 'Standards to set; those left out keep their values' })
export class FundingStandardsInput {
  @Field(() => MoneyScalar, { nullable: true }) officePerVillage?: bigint;
  @Field(() => MoneyScalar, { nullable: true }) activityPerMember?: bigint;
  @Field(() => MoneyScalar, { nullable: true }) partyBuildingPerVillage?: bigint;
  @Field(() => MoneyScalar, { nullable: true }) benefitProject?: bigint;
  @Field(() => MoneyScalar, { nullable: true }) award?: bigint;
  @Field(() => Int, { nullable: true }) venueFarmingM2?: number;
  @Field(() => Int, { nullable: true }) venuePastoralM2?: number;
}

/** FundingStandardsInput's rules, declared once with the type: venue sizes are whole m² from 1 to 100,000. */
export function validateFundingStandardsInput(i: FundingStandardsInput): FundingStandardsInput {
  for (const f of ['venueFarmingM2', 'venuePastoralM2'] as const) {
    const m2 = i[f];
    if (m2 != null && (m2 < 1 || m2 > 100_000)) throw badInput(f, 'must be a whole number of m² from 1 to 100,000');
  }
  return i;
}

const toStandards = (s: Record<StandardField, bigint>) => ({ ...s, venueFarmingM2: Number(s.venueFarmingM2), venuePastoralM2: Number(s.venuePastoralM2) });

@InputType({ description: 'One disbursement (拨付) of a batch' })
export class DisbursementInput {
  @Field(() => ID) villageId!: string;
  @Field(() => FundEnum) fund!: Fund;
  @Field(() => Int) year!: number;
  @Field(() => MoneyScalar) amount!: bigint;
  @Field(() => String) voucher!: string;
  @Field(() => LocalDateScalar, { description: 'date of payment' }) on!: string;
  @Field(() => String) idempotencyKey!: string;
}

const toTransfer = (t: TransferRow) => ({
  id: toGlobalId('Transfer', t.id), kind: t.kind, fund: t.fund, year: t.year, amount: t.amount, occurredOn: t.occurredOn,
  voucher: t.voucher, category: t.category, receipt: t.receipt, reverses: t.reverses ? toGlobalId('Transfer', t.reverses) : null,
  unitId: t.unitId,
});

const totals = (byFund: FundsFigures[]) => {
  const sum = (k: 'allocated' | 'disbursed' | 'spent' | 'balance') => byFund.reduce((s, f) => s + f[k], 0n);
  return { allocated: sum('allocated'), disbursed: sum('disbursed'), spent: sum('spent'), balance: sum('balance'), byFund };
};

// Every field below batches over the units of its query level: one loader per argument set, one read per level.
const unitKey = { cacheKeyFn: (u: AdminUnitRow) => String(u.id) };

@Resolver(() => AdminUnit)
export class FundingUnitResolver {
  @FieldResolver(() => FundsSummary, { description: 'Funds over this subtree for a year' })
  async fundsSummary(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    const loader = ctx.loader<AdminUnitRow, FundsFigures[]>(`funding:summary:${year}`, (units) => fundsSummaries(ctx.em, ctx.principal, units, year), unitKey);
    return totals(await loader.load(u));
  }

  @FieldResolver(() => TransferConnection, { description: 'Transfers hanging on this subtree, newest first' })
  async transfers(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('year', () => Int, { nullable: true }) year?: number, @Arg('kind', () => TransferKindEnum, { nullable: true }) kind?: TransferKind,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string): Promise<ConnectionShape<unknown>> {
    const size = pageSize(first);
    const beforeId = decodeIdCursor(after);
    const loader = ctx.loader<AdminUnitRow, TransferRow[]>(`funding:transfers:${JSON.stringify([year, kind, size, beforeId])}`,
      (units) => transfersIn(ctx.em, ctx.principal, units, { year, kind, size, beforeId }), unitKey);
    return toConnection(toPage(await loader.load(u), size, (t) => t.id), toTransfer);
  }

  @FieldResolver(() => FundingStandards, { description: 'The funding standards in force here on a date (today when omitted)' })
  async fundingStandards(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext, @Arg('on', () => LocalDateScalar, { nullable: true }) on?: string) {
    const loader = ctx.loader<AdminUnitRow, Record<StandardField, bigint>>(`funding:standards:${on ?? ''}`, (units) => standardsFor(ctx.em, ctx.principal, units, on), unitKey);
    return toStandards(await loader.load(u));
  }

  @FieldResolver(() => FundingCompliance)
  async fundingCompliance(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    const c = await compliance(ctx.em, ctx.principal, u, year);
    const load = (ids: string[]) => Promise.all(ids.slice(0, LISTED_BELOW).map((id) => unitLoader(ctx).load(id)));
    return {
      officeBelowStandard: await load(c.officeBelowStandard),
      officeBelowStandardCount: c.officeBelowStandard.length,
      activityBelowStandard: await load(c.activityBelowStandard),
      activityBelowStandardCount: c.activityBelowStandard.length,
      counties: await Promise.all(c.counties.map(async (x) => ({
        ...x, county: x.countyId == null ? null : await unitLoader(ctx).load(x.countyId), unit: await unitLoader(ctx).load(x.unitId),
      }))),
    };
  }
}

@Resolver(() => Transfer)
export class FundingResolver {
  @FieldResolver(() => AdminUnit, { nullable: true, description: 'the unit the transfer concerns: the deeper of its two (a village for payments, spending and awards; a county for an award quota)' })
  async unit(@Root() t: Transfer, @Ctx() ctx: JicengContext) {
    return unitLoader(ctx).load(t.unitId);
  }

  @FieldResolver(() => AdminUnit, { nullable: true, description: 'the village the transfer concerns, where it concerns one (payments, spending, awards, allocations to a village)' })
  async village(@Root() t: Transfer, @Ctx() ctx: JicengContext) {
    const unit = await unitLoader(ctx).load(t.unitId);
    return unit?.level === 'VILLAGE' ? unit : null;
  }

  @Mutation(() => Transfer, { description: 'Money enters at a region (its appropriation), into its budget or award pool' })
  async appropriateFunds(@Arg('regionId', () => ID) regionId: string, @Arg('fund', () => FundEnum) fund: Fund, @Arg('year', () => Int) year: number,
    @Arg('amount', () => MoneyScalar) amount: bigint, @Arg('idempotencyKey', () => String) key: string,
    @Arg('on', () => LocalDateScalar, { nullable: true, description: 'today when omitted' }) on: string | null, @Ctx() ctx: JicengContext) {
    return toTransfer(await appropriate(ctx.em, requirePrincipal(ctx), { regionId: unitDbId(regionId, 'regionId'), fund, year, amount, key, on }));
  }

  @Mutation(() => Transfer, { description: 'Allocate budget to a unit below' })
  async allocateFunds(@Arg('fromUnitId', () => ID) fromId: string, @Arg('toUnitId', () => ID) toId: string, @Arg('fund', () => FundEnum) fund: Fund,
    @Arg('year', () => Int) year: number, @Arg('amount', () => MoneyScalar) amount: bigint, @Arg('idempotencyKey', () => String) key: string,
    @Arg('on', () => LocalDateScalar, { nullable: true, description: 'today when omitted' }) on: string | null, @Ctx() ctx: JicengContext) {
    return toTransfer(await allocate(ctx.em, requirePrincipal(ctx), { fromId: unitDbId(fromId, 'fromUnitId'), toId: unitDbId(toId, 'toUnitId'), fund, year, amount, key, on }));
  }

  @Mutation(() => [Transfer], { description: 'Every village below gets its funds per the standard: all or nothing' })
  async allocateByStandard(@Arg('fromUnitId', () => ID) fromId: string, @Arg('fund', () => FundEnum) fund: Fund, @Arg('year', () => Int) year: number,
    @Arg('idempotencyKey', () => String) key: string, @Arg('on', () => LocalDateScalar, { nullable: true, description: 'today when omitted' }) on: string | null, @Ctx() ctx: JicengContext) {
    return (await allocateByStandard(ctx.em, requirePrincipal(ctx), { fromId: unitDbId(fromId, 'fromUnitId'), fund, year, key, on })).map(toTransfer);
  }

  @Mutation(() => Transfer, { description: '拨付: county finance pays a village' })
  async disburseFunds(@Arg('villageId', () => ID) villageId: string, @Arg('fund', () => FundEnum) fund: Fund, @Arg('year', () => Int) year: number,
    @Arg('amount', () => MoneyScalar) amount: bigint, @Arg('voucher', () => String) voucher: string, @Arg('on', () => LocalDateScalar) on: string,
    @Arg('idempotencyKey', () => String) key: string, @Ctx() ctx: JicengContext) {
    return toTransfer(await disburse(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), fund, year, amount, voucher, on, key }));
  }

  @Mutation(() => [Transfer], { description: '拨付 in a batch (up to 1,000 villages): all or nothing, in order; errors name the item, e.g. items[3].voucher' })
  async disburseFundsBatch(@Arg('items', () => [DisbursementInput]) items: DisbursementInput[], @Ctx() ctx: JicengContext) {
    const p = requirePrincipal(ctx);
    const batch = items.map((i, k) => ({ ...i, villageId: unitDbId(i.villageId, `items[${k}].villageId`), key: i.idempotencyKey }));
    return (await disburseMany(ctx.em, p, batch)).map(toTransfer);
  }

  @Mutation(() => Transfer, { description: '村财乡管: record village spending' })
  async recordVillageSpending(@Arg('villageId', () => ID) villageId: string, @Arg('fund', () => FundEnum) fund: Fund, @Arg('year', () => Int) year: number,
    @Arg('amount', () => MoneyScalar) amount: bigint, @Arg('category', () => String) category: string, @Arg('receipt', () => String) receipt: string,
    @Arg('on', () => LocalDateScalar) on: string, @Arg('idempotencyKey', () => String) key: string, @Ctx() ctx: JicengContext) {
    return toTransfer(await spend(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), fund, year, amount, category, receipt, on, key }));
  }

  @Mutation(() => Transfer, { description: '以奖代补: the one-time award to a transformed village (once per village, in any year), from the region\'s pool or, for a county\'s users, the county\'s quota' })
  async grantAward(@Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('idempotencyKey', () => String) key: string,
    @Arg('on', () => LocalDateScalar, { nullable: true, description: 'today when omitted' }) on: string | null, @Ctx() ctx: JicengContext) {
    return toTransfer(await grantAward(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), year, key, on }));
  }

  @Mutation(() => Transfer, { description: 'The region gives a county an award quota for a year, from its award pool; the county\'s users grant awards from it' })
  async allocateAwardQuota(@Arg('countyId', () => ID) countyId: string, @Arg('year', () => Int) year: number, @Arg('amount', () => MoneyScalar) amount: bigint,
    @Arg('idempotencyKey', () => String) key: string, @Arg('on', () => LocalDateScalar, { nullable: true, description: 'today when omitted' }) on: string | null, @Ctx() ctx: JicengContext) {
    return toTransfer(await allocateAwardQuota(ctx.em, requirePrincipal(ctx), { countyId: unitDbId(countyId, 'countyId'), year, amount, key, on }));
  }

  @Mutation(() => FundingStandards, { description: 'Set a region\'s funding standards from a date on; returns those in force that day' })
  async setFundingStandards(@Arg('regionId', () => ID) regionId: string, @Arg('effectiveOn', () => LocalDateScalar) effectiveOn: string,
    @Arg('input', () => FundingStandardsInput) input: FundingStandardsInput, @Ctx() ctx: JicengContext) {
    const m2 = (v: number | null | undefined) => (v == null ? null : BigInt(v));
    validateFundingStandardsInput(input);
    return toStandards(await setRegionStandards(ctx.em, requirePrincipal(ctx), {
      regionId: unitDbId(regionId, 'regionId'), effectiveOn,
      values: { ...input, venueFarmingM2: m2(input.venueFarmingM2), venuePastoralM2: m2(input.venuePastoralM2) },
    }));
  }

  @Mutation(() => Transfer, { description: 'A correction: the reversing transfer of an earlier one' })
  async reverseTransfer(@Arg('transferId', () => ID) transferId: string, @Arg('reason', () => String) reason: string, @Arg('idempotencyKey', () => String) key: string, @Ctx() ctx: JicengContext) {
    return toTransfer(await reverseTransfer(ctx.em, requirePrincipal(ctx), { transferId: fromGlobalId(transferId, 'Transfer', 'transferId'), reason, key }));
  }
}
