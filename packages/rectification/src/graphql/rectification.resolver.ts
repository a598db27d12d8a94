import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import { executeBound } from '@jiceng/db';
import {
  AdminUnit, AdminUnitConnection, CURSOR_KEYS, assertCan, byKey, decodeCursor, decodeIdCursor, pageSize, requirePrincipal, toConnection, toPage, unitDbId, unitLoader,
  type AdminUnitRow, type ConnectionShape, type JicengContext,
} from '@jiceng/tenancy';
import { addProblem, assertYear, assess, designateWeak, markKeyTarget, recordAcceptance, requireCase, resolveProblem, today, transition, updateCase, type CaseRow } from '../case.service.js';
import { complaintById, receiveComplaint, replyComplaint, type ComplaintRow } from '../complaint.service.js';
import { accountability, keyTargetShares, relapsePatternVillages, relapsePatterns, summaries, type RelapsePattern } from '../dashboard.service.js';
import { NEXT_STATES, isCaseState } from '../lifecycle.js';
import {
  Assessment, CaseInput, CaseStateEnum, CaseTransition, CauseEnum, Complaint, ComplaintConnection, ProblemInput, ProblemItem, RectificationCase,
  RectificationCaseConnection, RectificationSummary, RelapsePatternEnum, RelapsePatterns, TownshipAccountability, TownshipKeyTargets,
} from './types.js';

export const caseGlobalId = (id: string) => toGlobalId('RectificationCase', id);
const caseId = (id: string) => fromGlobalId(id, 'RectificationCase', 'caseId');

const summaryLoader = (ctx: JicengContext, year: number) =>
  ctx.loader<AdminUnitRow, Awaited<ReturnType<typeof summaries>>[number]>(`rect:summary:${year}`, (units) => summaries(ctx.em, units, year), {
    cacheKeyFn: (u) => u.id,
  });

const problemsLoader = (ctx: JicengContext) =>
  ctx.loader<string, any[]>('rect:problems', async (ids) =>
    byKey(ids, await executeBound<any>(ctx.em,
      `select id, case_id, problem, measure, responsible, to_char(due_on, 'YYYY-MM-DD') as due_on, to_char(resolved_on, 'YYYY-MM-DD') as resolved_on, evidence
         from problem_item where case_id = any($1::bigint[]) order by due_on, id`, [ids]), (r) => String(r.case_id)));

const transitionsLoader = (ctx: JicengContext) =>
  ctx.loader<string, any[]>('rect:transitions', async (ids) =>
    byKey(ids, await executeBound<any>(ctx.em,
      `select t.case_id, t.from_state, t.to_state, t.reason, to_char(t.happened_on, 'YYYY-MM-DD') as happened_on, t.at, u.username
         from case_transition t left join app_user u on u.id = t.by_user
        where t.case_id = any($1::bigint[]) order by t.id`, [ids]), (r) => String(r.case_id)));

function toCase(c: CaseRow) {
  return {
    ...c, id: c.id, publicizedOn: c.publicized_on, responsibleLeader: c.responsible_leader, villageSecretary: c.village_secretary,
    workingGroup: c.working_group ?? [], transformedOn: c.transformed_on, closedOn: c.closed_on, allowedNextStates: NEXT_STATES[c.state],
  };
}

@Resolver(() => AdminUnit)
export class RectificationUnitResolver {
  @FieldResolver(() => RectificationSummary, { description: 'Rectification figures over this subtree for a year' })
  async rectificationSummary(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertYear(year);
    assertCan(ctx.principal, 'rectification:read');
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
    assertCan(ctx.principal, 'rectification:read');
    return { ...(await relapsePatterns(ctx.em, u, year)), unit: u, year };
  }

  @FieldResolver(() => [TownshipKeyTargets], { description: '重点整顿对象 per township: share reached or shortfall' })
  async keyTargets(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'rectification:read');
    const rows = await keyTargetShares(ctx.em, u.path, year);
    return Promise.all(rows.map(async (r) => ({ ...r, township: await unitLoader(ctx).load(r.townshipId) })));
  }

  @FieldResolver(() => [TownshipAccountability], { description: 'township accountability for newly paralysed villages' })
  async accountability(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'rectification:read');
    const rows = await accountability(ctx.em, u.path, year);
    return Promise.all(rows.map(async (r) => ({ ...r, township: await unitLoader(ctx).load(r.townshipId) })));
  }

  @FieldResolver(() => Assessment, { nullable: true, description: 'a village\'s assessment for a year' })
  async assessment(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'rectification:read');
    const [a] = await ctx.em.execute<any[]>(`select year, stars, category from assessment where unit_id = ? and year = ?`, [u.id, year]);
    return a ?? null;
  }

  @FieldResolver(() => RectificationCaseConnection, { description: 'cases of villages in this subtree' })
  async cases(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('state', () => CaseStateEnum, { nullable: true }) state?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'rectification:read');
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const rows = await ctx.em.execute<CaseRow[]>(
      `select c.*, to_char(c.publicized_on, 'YYYY-MM-DD') as publicized_on, to_char(c.deadline, 'YYYY-MM-DD') as deadline,
              to_char(c.transformed_on, 'YYYY-MM-DD') as transformed_on, to_char(c.closed_on, 'YYYY-MM-DD') as closed_on
         from rectification_case c where c.unit_path <@ ?::ltree and c.year = ? and (?::text is null or c.state = ?)
          and (?::bigint is null or c.id > ?::bigint) order by c.id limit ?`,
      [u.path, year, state ?? null, state ?? null, afterId, afterId, size + 1],
    );
    const total = async () => Number((await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from rectification_case where unit_path <@ ?::ltree and year = ? and (?::text is null or state = ?)`,
      [u.path, year, state ?? null, state ?? null]))[0]!.n);
    return toConnection(toPage(rows.map((r) => ({ ...r, id: String(r.id), unit_id: String(r.unit_id) })), size, (r) => r.id, total), toCase);
  }

  @FieldResolver(() => ComplaintConnection, { description: 'complaints about villages in this subtree received in a year, oldest first' })
  async complaints(
    @Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<unknown>> {
    assertCan(ctx.principal, 'rectification:read');
    const size = pageSize(first);
    const afterId = decodeIdCursor(after);
    const rows = await ctx.em.execute<ComplaintRow[]>(
      `select id, unit_id, to_char(received_on, 'YYYY-MM-DD') as received_on, summary, to_char(reply_due_on, 'YYYY-MM-DD') as reply_due_on,
              to_char(replied_on, 'YYYY-MM-DD') as replied_on, result
         from complaint where unit_path <@ ?::ltree and extract(year from received_on) = ? and (?::bigint is null or id > ?::bigint)
        order by id limit ?`,
      [u.path, year, afterId, afterId, size + 1],
    );
    const total = async () => Number((await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from complaint where unit_path <@ ?::ltree and extract(year from received_on) = ?`, [u.path, year]))[0]!.n);
    return toConnection(toPage(rows.map((r) => ({ ...r, id: String(r.id), unit_id: String(r.unit_id) })), size, (r) => r.id, total), toComplaint);
  }
}

export const toComplaint = (c: NonNullable<Awaited<ReturnType<typeof complaintById>>>) => ({
  id: toGlobalId('Complaint', c.id), unitId: String(c.unit_id), receivedOn: c.received_on, summary: c.summary, replyDueOn: c.reply_due_on, repliedOn: c.replied_on, result: c.result,
});

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
    assertCan(ctx.principal, 'rectification:read');
    const [row] = await ctx.em.execute<{ id: string }[]>(`select id from rectification_case where id = ?`, [caseId(id)]);
    return row ? toCase(await requireCase(ctx.em, String(row.id))) : null;
  }

  @FieldResolver(() => ID) id(@Root() c: CaseRow) { return caseGlobalId(c.id); }

  @FieldResolver(() => AdminUnit) village(@Root() c: CaseRow, @Ctx() ctx: JicengContext) { return unitLoader(ctx).load(String(c.unit_id)); }

  @FieldResolver(() => RectificationCase, { nullable: true, description: 'the earlier case this relapse follows' })
  async previousCase(@Root() c: CaseRow, @Ctx() ctx: JicengContext) {
    return c.previous_case_id ? toCase(await requireCase(ctx.em, String(c.previous_case_id))) : null;
  }

  @FieldResolver(() => [ProblemItem], { description: '问题清单' })
  async problems(@Root() c: CaseRow, @Ctx() ctx: JicengContext) {
    const now = today();
    return (await problemsLoader(ctx).load(c.id)).map((p) => ({
      id: toGlobalId('ProblemItem', p.id), problem: p.problem, measure: p.measure, responsible: p.responsible, dueOn: p.due_on,
      resolvedOn: p.resolved_on, evidence: p.evidence, overdue: !p.resolved_on && p.due_on < now,
    }));
  }

  @FieldResolver(() => [CaseTransition], { description: 'who moved the case, when and why' })
  async history(@Root() c: CaseRow, @Ctx() ctx: JicengContext) {
    return (await transitionsLoader(ctx).load(c.id)).map((t) => ({ from: t.from_state, to: t.to_state, reason: t.reason, on: t.happened_on, at: new Date(t.at).toISOString(), by: t.username }));
  }

  @Mutation(() => Assessment, { description: '十星级 rating; ≤ the configured stars opens a case (third category)' })
  async assessVillage(@Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('stars', () => Int) stars: number, @Ctx() ctx: JicengContext) {
    return assess(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), year, stars });
  }

  @Mutation(() => Boolean, { description: '软弱涣散 designation with problem types and a cause; opens a case' })
  async designateWeakVillage(
    @Arg('villageId', () => ID) villageId: string, @Arg('year', () => Int) year: number, @Arg('cause', () => CauseEnum) cause: string,
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
    await addProblem(ctx.em, requirePrincipal(ctx), caseId(id), input);
    return toCase(await requireCase(ctx.em, caseId(id)));
  }

  @Mutation(() => Boolean)
  async resolveProblemItem(@Arg('id', () => ID) id: string, @Arg('resolvedOn', () => String) resolvedOn: string, @Arg('evidence', () => String) evidence: string, @Ctx() ctx: JicengContext) {
    await resolveProblem(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'ProblemItem'), { resolvedOn, evidence });
    return true;
  }

  @Mutation(() => RectificationCase, { description: '验收: year-end acceptance with the villagers\' satisfaction rate (0 to 1)' })
  async recordAcceptance(
    @Arg('caseId', () => ID) id: string, @Arg('acceptedOn', () => String) acceptedOn: string,
    @Arg('satisfactionRate', () => Float) satisfactionRate: number, @Ctx() ctx: JicengContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ) {
    return toCase(await recordAcceptance(ctx.em, requirePrincipal(ctx), caseId(id), { acceptedOn, satisfactionRate, note }));
  }

  @Mutation(() => RectificationCase, {
    description: 'Move a case along its lifecycle on the date it happened (`on`, yyyy-mm-dd: not in the future, not before the previous move); ' +
      'INVALID_TRANSITION says what is missing and lists the allowed next states',
  })
  async transitionCase(
    @Arg('id', () => ID) id: string, @Arg('to', () => CaseStateEnum) to: string, @Arg('reason', () => String) reason: string,
    @Arg('on', () => String, { description: 'the date the move happened' }) on: string,
    @Ctx() ctx: JicengContext, @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ) {
    if (!isCaseState(to)) throw new Error('unreachable');
    return toCase(await transition(ctx.em, requirePrincipal(ctx), caseId(id), { to, reason, on, expectedVersion }));
  }

  @Mutation(() => Complaint, { description: '举报件: the reply is due within the configured working days' })
  async receiveComplaint(@Arg('villageId', () => ID) villageId: string, @Arg('receivedOn', () => String) receivedOn: string, @Arg('summary', () => String) summary: string, @Ctx() ctx: JicengContext) {
    const id = await receiveComplaint(ctx.em, requirePrincipal(ctx), { villageId: unitDbId(villageId, 'villageId'), receivedOn, summary });
    return toComplaint((await complaintById(ctx.em, id))!);
  }

  @Mutation(() => Complaint)
  async replyComplaint(@Arg('id', () => ID) id: string, @Arg('repliedOn', () => String) repliedOn: string, @Arg('result', () => String) result: string, @Ctx() ctx: JicengContext) {
    const dbId = fromGlobalId(id, 'Complaint');
    await replyComplaint(ctx.em, requirePrincipal(ctx), dbId, { repliedOn, result });
    return toComplaint((await complaintById(ctx.em, dbId))!);
  }
}
