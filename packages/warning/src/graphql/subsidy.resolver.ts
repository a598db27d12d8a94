import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver, registerEnumType } from 'type-graphql';
import { toGlobalId } from '@jiceng/core';
import { AdminUnit, LocalDateScalar, MoneyScalar, User, requirePrincipal, unitDbId, unitLoader, type JicengContext } from '@jiceng/tenancy';
import { payReporterSubsidies } from '../subsidy.service.js';
import { ReporterConsequence } from './accountability.resolver.js';

export enum ReporterSubsidyStatus { PAID = 'PAID', PAID_BEFORE = 'PAID_BEFORE', WITHHELD = 'WITHHELD' }
registerEnumType(ReporterSubsidyStatus, {
  name: 'ReporterSubsidyStatus',
  description: 'PAID by this run; PAID_BEFORE (the month was paid already); WITHHELD by the accountability consequences',
});

@ObjectType({ description: 'A reporter\'s monthly subsidy (信息员补贴) in a payment run' })
export class ReporterSubsidy {
  @Field(() => User) reporter!: unknown;
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => String, { description: 'yyyy-mm' }) month!: string;
  @Field(() => ReporterSubsidyStatus) status!: string;
  @Field(() => MoneyScalar, { description: 'paid by this run (0.00 when withheld or paid before)' }) amount!: bigint;
  @Field(() => ReporterConsequence, { nullable: true, description: 'the consequence of the reporter\'s lapses in the year so far' }) consequence!: string | null;
  @Field(() => ID, { nullable: true, description: 'the ledger transfer that paid the month (this run\'s or the earlier one)' }) transferId!: string | null;
}

@Resolver()
export class SubsidyResolver {
  @Mutation(() => [ReporterSubsidy], {
    description: 'County finance pays a month\'s subsidy (seed 002: 180 yuan) to every active reporter of a township or county from the county\'s '
      + 'REPORTER_SUBSIDY budget, less the months the accountability consequences withhold; all or nothing',
  })
  async payReporterSubsidies(
    @Arg('unitId', () => ID) unitId: string, @Arg('month', () => String) month: string, @Arg('voucher', () => String) voucher: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string, @Ctx() ctx: JicengContext,
    @Arg('on', () => LocalDateScalar, { nullable: true }) on?: string,
  ) {
    const lines = await payReporterSubsidies(ctx.em, requirePrincipal(ctx), { unitId: unitDbId(unitId, 'unitId'), month, voucher, on, key: idempotencyKey });
    return lines.map((l) => ({ ...l, village: unitLoader(ctx).load(l.reporter.unitId), transferId: l.transferId && toGlobalId('Transfer', l.transferId) }));
  }
}
