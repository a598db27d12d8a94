import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { badInput } from '@jiceng/core';
import type { JicengContext } from '../context.js';
import { DUE_ITEMS_MAX, dueItemsOf } from '../due-items.js';
import { unitLoader } from '../loaders.js';
import { AdminUnit, Me } from './admin-unit.types.js';
import { LocalDateScalar } from './scalars.js';
import { requirePrincipal } from './principal.js';

@ObjectType({ description: 'Something due for the caller: a warning to handle, a complaint to answer, an overdue problem item, a case to accept' })
export class DueItem {
  @Field(() => String, { description: 'WARNING_TO_HANDLE, WARNING_NOTICE, RECTIFICATION_NOTICE, COMPLAINT_REPLY, PROBLEM_ITEM_OVERDUE, CASE_ACCEPTANCE (modules may add kinds)' }) kind!: string;
  @Field(() => String) title!: string;
  @Field(() => LocalDateScalar, { nullable: true, description: 'the deadline; null when there is none' }) dueOn!: string | null;
  @Field(() => AdminUnit, { nullable: true, description: 'the unit it concerns; null outside the caller\'s scope (a department\'s notice on a village it is not paired with)' }) unit!: unknown;
  @Field(() => ID, { description: 'the global id of the warning, warning notice, rectification notice, complaint, problem item or case' }) refId!: string;
}

@Resolver(() => Me)
export class DueItemsResolver {
  @FieldResolver(() => [DueItem], { description: `What is due for the caller across modules, earliest deadline first (at most ${DUE_ITEMS_MAX})` })
  async dueItems(@Root() _me: unknown, @Ctx() ctx: JicengContext, @Arg('first', () => Int, { defaultValue: 50 }) first: number) {
    const p = requirePrincipal(ctx);
    if (!Number.isInteger(first) || first < 1 || first > DUE_ITEMS_MAX) throw badInput('first', `must be 1 to ${DUE_ITEMS_MAX}`);
    const rows = await dueItemsOf(ctx.em, p, first);
    return rows.map((r) => ({ ...r, unit: unitLoader(ctx).load(r.unitId) }));
  }
}
