import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { badInput, localDate, notFound, toGlobalId } from '@jiceng/core';
import { executeBound } from '@jiceng/db';
import {
  AdminUnit, Connection, Me, assertCan, decodeIdCursor, oneByKey, pageSize, requirePrincipal, toConnection, toPage, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext,
} from '@jiceng/tenancy';
import { PARTNER_KINDS, maskPartner } from '../pairing.service.js';
import { Partner, SupportFigures, partnerId, toPartner, viewOf } from './pairing.resolver.js';

// Lists to find records by: a unit's partners, the support entries of a subtree (a partner finds the
// entry to correct), and the caller's own partner (me.partner).

export const PartnerConnection = Connection(Partner, 'Partner');

@ObjectType({ description: 'One support log entry; a corrected entry names its correction' })
export class SupportEntry extends SupportFigures {
  @Field(() => ID) id!: string;
  @Field(() => String) loggedOn!: string;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => ID, { nullable: true, description: 'the entry this one corrects' }) corrects!: string | null;
  @Field(() => ID, { nullable: true, description: 'the entry that corrects this one: it no longer counts' }) correctedBy!: string | null;
  @Field(() => Partner, { nullable: true, description: 'null when outside your reach' }) partner!: unknown;
  @Field(() => AdminUnit) village!: unknown;
}
export const SupportEntryConnection = Connection(SupportEntry, 'SupportEntry');

const supportId = (id: unknown) => toGlobalId('SupportLog', String(id));

@Resolver(() => AdminUnit)
export class PairingListsResolver {
  @FieldResolver(() => PartnerConnection, { description: 'partners registered by units of this subtree (with serving: also those paired with its villages), oldest first' })
  async partners(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext,
    @Arg('kind', () => String, { nullable: true, description: 'ENTERPRISE, DEPARTMENT, LEADER, FIRST_SECRETARY or PROJECT' }) kind?: string,
    @Arg('serving', () => Boolean, { defaultValue: false, description: 'also partners registered elsewhere that are or were paired with villages here' }) serving?: boolean,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'pairing:read');
    if (kind != null && !(PARTNER_KINDS as readonly string[]).includes(kind)) throw badInput('kind', `must be one of ${PARTNER_KINDS.join(', ')}`);
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const where = `(pa.unit_path <@ $1::ltree or ($2 and exists (select 1 from pairing p where p.partner_id = pa.id and p.unit_path <@ $1::ltree)))
       and ($3::text is null or pa.kind = $3)`;
    const rows = await executeBound<any>(ctx.em,
      `select pa.* from partner pa where ${where} and ($4::bigint is null or pa.id > $4) order by pa.id limit $5`,
      [u.path, serving ?? false, kind ?? null, afterId, size + 1]);
    const view = await viewOf(ctx);
    const total = async () => Number((await executeBound<{ n: string }>(ctx.em, `select count(*) as n from partner pa where ${where}`, [u.path, serving ?? false, kind ?? null]))[0]!.n);
    return toConnection(toPage(rows, size, (r) => String(r.id), total), (r) => toPartner(maskPartner(view, r)));
  }

  @FieldResolver(() => SupportEntryConnection, { description: 'support entries for villages of this subtree in a period, newest first (a partner user: its own partner\'s only)' })
  async supportEntries(@Root() u: AdminUnitRow, @Arg('from', () => String) from: string, @Arg('to', () => String) to: string, @Ctx() ctx: JicengContext,
    @Arg('partnerId', () => ID, { nullable: true }) partner?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'support:read');
    localDate(from, 'from');
    if (localDate(to, 'to') < from) throw badInput('to', 'must be a date on or after from');
    const size = pageSize(first);
    const beforeId = decodeIdCursor(after);
    const view = await viewOf(ctx);
    const only = partner ? partnerId(partner) : null;
    if (view.partnerOnly && (!view.own || (only && only !== view.own))) throw notFound('partner');
    const who = view.partnerOnly ? view.own : only;
    const where = `s.unit_path <@ $1::ltree and s.logged_on between $2::date and $3::date and ($4::bigint is null or s.partner_id = $4)`;
    const rows = await executeBound<any>(ctx.em,
      `select s.id, s.partner_id, s.unit_id, to_char(s.logged_on, 'YYYY-MM-DD') as logged_on, s.visits, s.people_placed, s.materials_value, s.meetings,
              s.problems_solved, s.projects_coordinated, s.note, s.corrects, (select c.id from support_log c where c.corrects = s.id) as corrected_by
         from support_log s where ${where} and ($5::bigint is null or s.id < $5) order by s.id desc limit $6`,
      [u.path, from, to, who, beforeId, size + 1]);
    const total = async () => Number((await executeBound<{ n: string }>(ctx.em, `select count(*) as n from support_log s where ${where}`, [u.path, from, to, who]))[0]!.n);
    return toConnection(toPage(rows, size, (r) => String(r.id), total), (r) => ({
      id: supportId(r.id), loggedOn: r.logged_on, visits: r.visits, peoplePlaced: r.people_placed, materialsValue: BigInt(r.materials_value),
      meetings: r.meetings, problemsSolved: r.problems_solved, projectsCoordinated: r.projects_coordinated, note: r.note,
      corrects: r.corrects == null ? null : supportId(r.corrects), correctedBy: r.corrected_by == null ? null : supportId(r.corrected_by),
      partnerId: String(r.partner_id), unitId: String(r.unit_id),
    }));
  }
}

const partnersLoader = (ctx: JicengContext) =>
  ctx.loader<string, any>('pairing:partnerById', async (ids) =>
    oneByKey(ids, await executeBound<any>(ctx.em, `select * from partner where id = any ($1::bigint[])`, [[...ids]]), (r) => String(r.id)));

@Resolver(() => SupportEntry)
export class SupportEntryResolver {
  @FieldResolver(() => Partner, { nullable: true })
  async partner(@Root() e: { partnerId: string }, @Ctx() ctx: JicengContext) {
    const r = await partnersLoader(ctx).load(e.partnerId);
    return r ? toPartner(maskPartner(await viewOf(ctx), r)) : null;
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
    const [r] = await ctx.em.execute<any[]>(`select * from jiceng_my_partner_row(?)`, [requirePrincipal(ctx).userId]);
    return r ? toPartner(r) : null;
  }
}
