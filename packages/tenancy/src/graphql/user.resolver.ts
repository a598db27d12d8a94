import { Arg, Ctx, Field, FieldResolver, ID, Info, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import type { JicengContext } from '../context.js';
import type { UserRow } from '../entities/user.entity.js';
import { authenticate, login } from '../auth.service.js';
import { changeOwnPassword, clearLoginFailures, createUser, findUser, selfUser, setUserDisabled, updateUser, usersUnder } from '../user.service.js';
import { can } from '../principal.js';
import { actionCatalogue } from '../roles.js';
import { unitLoader } from '../loaders.js';
import { requireUnit, selfUnit, unitIdsAtPaths } from '../admin-unit.service.js';
import type { AdminUnitRow } from '../entities/admin-unit.entity.js';
import { AdminUnit, AuthPayload, Me, User, UserConnection } from './admin-unit.types.js';
import { unitDbId } from './admin-unit.resolver.js';
import { assertOnlyRootField, requirePrincipal } from './principal.js';
import { toConnection, type ConnectionShape } from './connection.js';
import { decodeCursor, pageSize, toPage } from '../pagination.js';

const userDbId = (id: string, field = 'id') => fromGlobalId(id, 'User', field);


@InputType()
class CreateUserInput {
  @Field(() => String) username!: string;
  @Field(() => String) displayName!: string;
  @Field(() => String) password!: string;
  @Field(() => ID) unitId!: string;
  @Field(() => [String]) roles!: string[];
}

@InputType()
class UpdateUserInput {
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => [String], { nullable: true }) roles?: string[];
  @Field(() => ID, { nullable: true }) unitId?: string;
}

@Resolver(() => User)
export class UserResolver {
  @Mutation(() => AuthPayload, { description: 'Exchange a username and password for a token' })
  async login(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: JicengContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    assertOnlyRootField(info);
    const { token, userId } = await login(ctx, username, password);
    // the rest of this request sees what the new session sees
    ctx.principal = await authenticate(ctx.em, ctx.services, token);
    return { token, user: await selfUser(ctx.em, userId) };
  }

  @Query(() => Me, { description: 'The caller, their home unit and scope' })
  async me(@Ctx() ctx: JicengContext) {
    const p = requirePrincipal(ctx);
    // the national scope `cn` is the country's own path (its unit, the root of the tree)
    const scopeIds = await unitIdsAtPaths(ctx.em, p.scopes);
    const scope = (await Promise.all(scopeIds.map((id) => unitLoader(ctx).load(id)))).filter(Boolean) as AdminUnitRow[];
    return {
      user: await selfUser(ctx.em, p.userId),
      unit: await selfUnit(ctx.em, p.userId),
      scope,
      actions: Object.keys(actionCatalogue()).filter((a) => can(p, a)),
    };
  }

  @Query(() => User, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext): Promise<UserRow | null> {
    return findUser(ctx.em, userDbId(id));
  }

  @Query(() => UserConnection, { description: 'Accounts whose home unit is in the given subtree' })
  async users(
    @Arg('unitId', () => ID) unitId: string,
    @Ctx() ctx: JicengContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionShape<UserRow>> {
    const unit = await requireUnit(ctx.em, unitDbId(unitId, 'unitId'));
    const size = pageSize(first);
    const afterName = decodeCursor(after);
    const rows = await usersUnder(ctx.em, unit.path, afterName, size + 1);
    return toConnection(toPage(rows, size, (u) => u.username));
  }

  @Mutation(() => User)
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: JicengContext) {
    return createUser(ctx.em, requirePrincipal(ctx), { ...input, unitId: unitDbId(input.unitId, 'unitId') });
  }

  @Mutation(() => User)
  async updateUser(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateUserInput) input: UpdateUserInput, @Ctx() ctx: JicengContext) {
    return updateUser(ctx.em, requirePrincipal(ctx), userDbId(id), {
      ...input,
      unitId: input.unitId ? unitDbId(input.unitId, 'unitId') : null,
    });
  }

  @Mutation(() => User, { description: 'Disable an account; its tokens stop working at once' })
  async disableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    return setUserDisabled(ctx.em, requirePrincipal(ctx), userDbId(id), true);
  }

  @Mutation(() => User)
  async enableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    return setUserDisabled(ctx.em, requirePrincipal(ctx), userDbId(id), false);
  }

  @Mutation(() => User, { description: "Forget an account's failed logins from every address (its owner's recovery from the login throttle)" })
  async clearLoginFailures(@Arg('id', () => ID) id: string, @Ctx() ctx: JicengContext) {
    return clearLoginFailures(ctx.em, requirePrincipal(ctx), userDbId(id));
  }

  @Mutation(() => Boolean, { description: 'Set a new password, given the current one; every session of the account ends. Wrong current passwords count like failed logins.' })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: JicengContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    assertOnlyRootField(info);
    await changeOwnPassword(ctx, requirePrincipal(ctx), currentPassword, newPassword);
    return true;
  }

  @FieldResolver(() => ID)
  id(@Root() u: UserRow) {
    return toGlobalId('User', u.id);
  }

  @FieldResolver(() => AdminUnit, { nullable: true, description: 'home unit' })
  unit(@Root() u: UserRow, @Ctx() ctx: JicengContext) {
    return unitLoader(ctx).load(u.unitId);
  }
}
