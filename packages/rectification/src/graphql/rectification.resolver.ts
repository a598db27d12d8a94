import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fromGlobalId, toGlobalId, today } from '@jiceng/core';
import {
  AdminUnit, AdminUnitConnection, CURSOR_KEYS, LocalDateScalar, decodeCursor, decodeIdCursor, pageSize, requirePrincipal, toConnection, toPage, unitDbId, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext,
} from '@jiceng/tenancy';
import { addProblem, assertYear, assess, designateWeak, findCase, markKeyTarget, recordAcceptance, resolveProblem, transition, updateCase, type Case } from '../case.service.js';
import { receiveComplaint, replyComplaint, type Complaint as ComplaintRow } from '../complaint.service.js';
import { relapsePatternVillages, type RelapsePattern } from '../dashboard.service.js';
import { NEXT_STATES, type CaseState, type Cause } from '../lifecycle.js';
import { accountabilityLoader, keyTargetsLoader, relapsePatternsLoader, caseCountLoader, caseLoader, casePagesLoader, complaintCountLoader, complaintPagesLoader, assessmentsLoader, problemsLoader, summaryLoader, transitionsLoader } from './loaders.js';
import {
  Assessment, CaseInput, CaseStateEnum, CaseTransition, CauseEnum, Complaint, ComplaintConnection, ProblemInput, ProblemItem, RectificationCase,
  RectificationCaseConnection, RectificationSummary, RelapsePatternEnum, RelapsePatterns, TownshipAccountability, TownshipKeyTargets,
} from './types.js';

// Thin resolvers: permissions are shield rules (rules.ts), scope and input checks are the services'.

export const caseGlobalId = (id: string) => toGlobalId('RectificationCase', id);
const caseId = (id: string) => fromGlobalId(id, 'RectificationCase', 'caseId');

const toCase = (c: Case) => ({ ...c, allowedNextStates: NEXT_STATES[c.state] });

export const toComplaint = (c: ComplaintRow) => ({ ...c, id: toGlobalId('Complaint', c.id) });

@Resolver(() => AdminUnit)
export class RectificationUnitResolver {
  @FieldResolver(() => RectificationSummary, { description: 'Rectification figures over this subtree for a year' })
  async rectificationSummary(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    const s = await summaryLoader(ctx, year).load(u);
    return {
      ...s,
      transformationRate: s.targets ? s.transformed / s.targets : 0,
      byCause: Object.entries(s.byCause).map(([cause, count]) => ({ cause, count })),
      casesByState: Object.entries(s.casesByState).map(([state, count]) => ({ state, count })),
    };
  }

  @FieldResolver(() => RelapsePatterns, { description: "seed 004's patterns of the year's weak villages in this subtree" })
  async relapsePatterns(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    return { ...(await relapsePatternsLoader(ctx, year).load(u)), unit: u, year };
  }

  @FieldResolver(() => [TownshipKeyTargets], { description: '重点整顿对象 per township: share reached or shortfall' })
  async keyTargets(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    const rows = await keyTargetsLoader(ctx, year).load(u);
    return rows.map((r) => ({ ...r, township: unitLoader(ctx).load(r.townshipId) }));
  }

  @FieldResolver(() => [TownshipAccountability], { description: 'township accountability for newly paralysed villages' })
  async accountability(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    const rows = await accountabilityLoader(ctx, year).load(u);
    return rows.map((r) => ({ ...r, township: unitLoader(ctx).load(r.townshipId) }));
  }

  @FieldResolver(() => Assessment, { nullable: true, description: 'a village\'s assessment for a year' })
  async assessment(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    return (await assessmentsLoader(ctx, year, year).load(u.id))[0] ?? null;
  }

  @FieldResolver(() => RectificationCaseConnection, { description: 'cases of villages in this subtree' })
  async cases(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('state', () => CaseStateEnum, { nullable: true }) state?: CaseState,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const rows = await casePagesLoader(ctx, year, state ?? null, afterId, size + 1).load(u);
    const total = () => caseCountLoader(ctx, year, state ?? null).load(u);
    return toConnection(toPage(rows, size, (r) => r.id, total), toCase);
  }

  @FieldResolver(() => ComplaintConnection, { description: 'complaints about villages in this subtree received in a year, oldest first' })
  async complaints(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const rows = await complaintPagesLoader(ctx, year, afterId, size + 1).load(u);
    const total = () => complaintCountLoader(ctx, year).load(u);
    return toConnection(toPage(rows, size, (r) => r.id, total), toComplaint);
  }
}

@Resolver(() => RelapsePatterns)
export class RelapsePatternsResolver {
  @FieldResolver(() => AdminUnitConnection, { description: 'the villages of one pattern, by code' })
  async villages(
    @Root() r: { unit: AdminUnitRow; year: number }, @Arg('pattern', () => RelapsePatternEnum) pattern: RelapsePattern, @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<AdminUnitRow>> {
    const size = pageSize(first);
    const ids = await relapsePatternVillages(ctx.em, r.unit, r.year, pattern, size, decodeCursor(after, 'after', CURSOR_KEYS.code));
    const units = (await unitLoader(ctx).loadMany(ids)).filter((v): v is AdminUnitRow => v != null && !(v instanceof Error));
    return toConnection(toPage(units, size, (v) => v.code));
  }
}

@Resolver(() => RectificationCase)
export class RectificationCaseResolver {
  @Query(() => RectificationCase, { nullable: true })
  async rectificationCase(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    const c = await findCase(ctx.em, ctx.principal, caseId(id));
    return c ? toCase(c) : null;
  }

  @FieldResolver(() => ID) id(@Root() c: Case) { return caseGlobalId(c.id); }

  @FieldResolver(() => AdminUnit) village(@Root() c: Case, @Ctx() ctx: JicengContext) { return unitLoader(ctx).load(c.unitId); }

  @FieldResolver(() => RectificationCase, { nullable: true, description: 'the earlier case this relapse follows' })
  async previousCase(@Root() c: Case, @Ctx() ctx: JicengContext) {
    const p = c.previousCaseId ? await caseLoader(ctx).load(c.previousCaseId) : null;
    return p ? toCase(p) : null;
  }

  @FieldResolver(() => [ProblemItem], { description: '问题清单' })
  async problems(@Root() c: Case, @Ctx() ctx: JicengContext) {
    const now = today();
    return (await problemsLoader(ctx).load(c.id)).map((p) => ({ ...p, id: toGlobalId('ProblemItem', p.id), overdue: !p.resolvedOn && p.dueOn < now }));
  }

  @FieldResolver(() => [CaseTransition], { description: 'who moved the case, when and why' })
  async history(@Root() c: Case, @Ctx() ctx: JicengContext) {
    return (await transitionsLoader(ctx).load(c.id)).map((t) => ({ ...t, at: new Date(t.at).toISOString() }));
  }

  @Mutation(() => Assessment, { description: '十星级 rating; ≤ the configured stars opens a case (third category)' })
  assessVillage(@Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('stars', () => Int) stars: number, @Ctx() ctx: JicengContext) {
    return assess(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), year, stars });
  }

  @Mutation(() => Boolean, { description: '软弱涣散 designation with problem types and a cause; opens a case' })
  async designateWeakVillage(
    @Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('cause', () => CauseEnum) cause: Cause,
    @Arg('problemTypes', () => [String]) problemTypes: string[], @Ctx() ctx: JicengContext,
    @Arg('paralysed', () => Boolean, { defaultValue: false, description: 'the village team is paralysed (瘫痪班子): counts in township accountability; cause WEAK_LAX only' }) paralysed: boolean,
  ) {
    await designateWeak(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), year, cause, problemTypes, paralysed });
    return true;
  }

  @Mutation(() => AdminUnit, { description: 'mark (or unmark) a target village as a key target (重点整顿对象)' })
  markKeyTarget(@Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('key', () => Boolean, { defaultValue: true }) key: boolean, @Ctx() ctx: JicengContext) {
    return markKeyTarget(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), year, key });
  }

  @Mutation(() => RectificationCase)
  async updateRectificationCase(@Arg('id', () => ID) id: string, @Arg('input', () => CaseInput) input: CaseInput, @Ctx() ctx: JicengContext) {
    return toCase(await updateCase(ctx.em, requirePrincipal(ctx), caseId(id), input));
  }

  @Mutation(() => RectificationCase)
  async addProblemItem(@Arg('caseId', () => ID) id: string, @Arg('input', () => ProblemInput) input: ProblemInput, @Ctx() ctx: JicengContext) {
    return toCase(await addProblem(ctx.em, requirePrincipal(ctx), caseId(id), input));
  }

  @Mutation(() => Boolean)
  async resolveProblemItem(@Arg('id', () => ID) id: string, @Arg('resolvedOn', () => LocalDateScalar) resolvedOn: string, @Arg('evidence', () => String) evidence: string, @Ctx() ctx: JicengContext) {
    await resolveProblem(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'ProblemItem'), { resolvedOn, evidence });
    return true;
  }

  @Mutation(() => RectificationCase, { description: '验收: year-end acceptance with the villagers\' satisfaction rate (0 to 1)' })
  async recordAcceptance(
    @Arg('caseId', () => ID) id: string, @Arg('acceptedOn', () => LocalDateScalar) acceptedOn: string,
    @Arg('satisfactionRate', () => Float) satisfactionRate: number, @Ctx() ctx: JicengContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ) {
    return toCase(await recordAcceptance(ctx.em, requirePrincipal(ctx), caseId(id), { acceptedOn, satisfactionRate, note }));
  }

  @Mutation(() => RectificationCase, {
    description: 'Move a case along its lifecycle on the date it happened (`on`: not in the future, not before the previous move); ' +
      'INVALID_TRANSITION says what is missing and lists the allowed next states',
  })
  async transitionCase(
    @Arg('id', () => ID) id: string, @Arg('to', () => CaseStateEnum) to: CaseState, @Arg('reason', () => String) reason: string,
    @Arg('on', () => LocalDateScalar, { description: 'the date the move happened' }) on: string,
    @Ctx() ctx: JicengContext, @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ) {
    return toCase(await transition(ctx.em, requirePrincipal(ctx), caseId(id), { to, reason, on, expectedVersion }));
  }

  @Mutation(() => Complaint, { description: '举报件: the reply is due within the configured working days' })
  async receiveComplaint(@Arg('villageId', () => ID) villageId: string, @Arg('receivedOn', () => LocalDateScalar) receivedOn: string, @Arg('summary', () => String) summary: string, @Ctx() ctx: JicengContext) {
    return toComplaint(await receiveComplaint(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), receivedOn, summary }));
  }

  @Mutation(() => Complaint)
  async replyComplaint(@Arg('id', () => ID) id: string, @Arg('repliedOn', () => LocalDateScalar) repliedOn: string, @Arg('result', () => String) result: string, @Ctx() ctx: JicengContext) {
    return toComplaint(await replyComplaint(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Complaint'), { repliedOn, result }));
  }
}
