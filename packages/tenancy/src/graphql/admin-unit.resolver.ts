import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import type { JicengContext } from '../context.js';
import type { AdminUnitRow } from '../entities/admin-unit.entity.js';
import { assertLevel, moveUnit, partyMembersUnder, requireUnit, searchUnits, unitByCode, unitTreeByCode } from '../admin-unit.service.js';
import { attachReadAhead, childrenLevels, childrenReadAhead, isPartialRow, leanLevels } from './tree-look-ahead.js';
import { ancestorsLoader, childrenLoader, primeUnits, unitLoader } from '../loaders.js';
import { CURSOR_KEYS, decodeCursor, pageSize, toPage } from '../pagination.js';
import { AdminLevel, AdminUnit, AdminUnitConnection, AdminUnitMove, LevelCount } from './admin-unit.types.js';
import { movesOf } from '../placement.js';
import { toConnection, type ConnectionShape } from './connection.js';
import { requirePrincipal } from './principal.js';

const DESCENDANT_LEVELS = Object.values(AdminLevel).filter((l) => l !== AdminLevel.COUNTRY);

export const unitGlobalId = (id: string) => toGlobalId('AdminUnit', id);
export const unitDbId = (globalId: string, field = 'id') => fromGlobalId(globalId, 'AdminUnit', field);

@Resolver(() => AdminUnit)
export class AdminUnitResolver {
  @Query(() => AdminUnit, { nullable: true, description: 'A unit by its 12-digit code; null when missing or out of scope' })
  async adminUnit(@Arg('code', () => String) code: string, @Ctx() ctx: JicengContext, @Info() info: GraphQLResolveInfo): Promise<AdminUnitRow | null> {
    // the unit and the plain levels of `children` asked under it: one statement (look-ahead)
    const levels = childrenLevels(info);
    if (!levels.length) return unitByCode(ctx.em, code.trim());
    const lean = leanLevels(info, levels.length);
    const tree = await unitTreeByCode(ctx.em, code.trim(), levels, lean);
    if (!tree) return null;
    attachReadAhead(tree[0]![0]!, levels, tree);
    return tree[0]![0]!;
  }

  @Query(() => AdminUnit, { nullable: true, description: 'A unit by its opaque id; null when missing or out of scope' })
  async adminUnitById(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext): Promise<AdminUnitRow | null> {
    return unitLoader(ctx).load(unitDbId(id));
  }

  @Mutation(() => AdminUnit, { description: '撤乡并镇: move a unit, its subtree and everything on it under another parent' })
  async moveAdminUnit(
    @Arg('unitId', () => ID) unitId: string,
    @Arg('newParentId', () => ID) newParentId: string,
    @Ctx() ctx: JicengContext,
  ): Promise<AdminUnitRow> {
    return moveUnit(ctx.em, requirePrincipal(ctx), unitDbId(unitId, 'unitId'), unitDbId(newParentId, 'newParentId'));
  }

  @FieldResolver(() => ID)
  id(@Root() u: AdminUnitRow): string {
    return unitGlobalId(u.id);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Party members: a village\'s own count; above villages, the sum over the villages of the subtree' })
  async partyMembers(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<number | null> {
    if (u.partyMembers != null || u.level === 'VILLAGE') return u.partyMembers ?? null;
    return ctx.loader<string, number | null>('unit:partyMembers', (paths) => partyMembersUnder(ctx.em, paths)).load(u.path);
  }

  @FieldResolver(() => AdminUnit, { nullable: true, description: 'null at the top of the tree or of your scope' })
  async parent(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<AdminUnitRow | null> {
    return u.parentId ? unitLoader(ctx).load(u.parentId) : null;
  }

  @FieldResolver(() => AdminUnitConnection)
  async children(
    @Root() u: AdminUnitRow,
    @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<AdminUnitRow>> {
    const size = pageSize(first, 100);
    // read with the unit when the request was planned ahead (adminUnit), else batched per level
    const rows = (after == null ? childrenReadAhead(u, size) : undefined) ?? (await childrenLoader(ctx, size, decodeCursor(after, 'after', CURSOR_KEYS.code)).load(u.id));
    // a row read with a few columns (a lean level) must not answer `parent` of another path in the query
    if (!isPartialRow(u)) primeUnits(ctx, [u]);
    return toConnection(toPage(rows, size, (r) => r.code));
  }

  @FieldResolver(() => [AdminUnit], { description: 'from the top of your scope down to the parent' })
  async ancestors(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<AdminUnitRow[]> {
    return ancestorsLoader(ctx).load(u.path);
  }

  @FieldResolver(() => [AdminUnitMove], { description: 'moves (撤乡并镇) of this unit, and of units into or out of it, newest first' })
  async history(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<AdminUnitMove[]> {
    const moves = await ctx.loader('unit:moves', async (ids: readonly string[]) => {
      const byUnit = await movesOf(ctx.em, ids);
      return ids.map((id) => byUnit.get(id) ?? []);
    }).load(u.id);
    const load = (id: string | null) => (id ? unitLoader(ctx).load(id) : Promise.resolve(null));
    return Promise.all(moves.map(async (m) => ({
      id: toGlobalId('AdminUnitMove', m.id), unit: await load(m.unitId), movedOn: m.movedOn,
      fromParent: await load(m.oldParentId), fromParentName: m.oldParentName, toParent: await load(m.newParentId), toParentName: m.newParentName, movedBy: m.by,
    })));
  }

  @FieldResolver(() => Int, { description: 'number of descendants at that level' })
  count(@Root() u: AdminUnitRow, @Arg('level', () => AdminLevel) level: AdminLevel): number {
    return u.descendantCounts?.[level] ?? 0;
  }

  @FieldResolver(() => [LevelCount], { description: 'descendants per level, REGION to VILLAGE (the country, the root, is no descendant)' })
  counts(@Root() u: AdminUnitRow): LevelCount[] {
    return DESCENDANT_LEVELS.map((level) => ({ level, count: u.descendantCounts?.[level] ?? 0 }));
  }

  @FieldResolver(() => AdminUnitConnection, { description: 'name search (trigram) within this subtree' })
  async search(
    @Root() u: AdminUnitRow,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: JicengContext,
    @Arg('level', () => AdminLevel, { nullable: true }) level?: AdminLevel,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<AdminUnitRow>> {
    return toConnection(await searchUnits(ctx.em, u, name, level ? assertLevel(level) : null, { first, after }));
  }
}

export { requireUnit };
