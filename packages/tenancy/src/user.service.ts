import { badInput, conflict, forbidden, notFound } from '@jiceng/core';
import { requestScope, type EntityManager } from '@jiceng/db';
import type { UserRow } from './entities/user.entity.js';
import * as store from './tenancy.store.js';
import { requireUnit } from './admin-unit.service.js';
import { hashPassword, verifyPassword } from './password.js';
import { assertCan, type Principal } from './principal.js';
import type { JicengContext } from './context.js';
import { assertLoginAllowed, recordLoginFailure } from './auth.service.js';
import { GRANTABLE, ALL_ROLES, type Role } from './roles.js';

export interface UserInput {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  roles: string[];
}

const ADMIN_ROLES: readonly Role[] = ['PLATFORM_ADMIN', 'ORG_ADMIN'];

export function assertPassword(password: string, field = 'password') {
  if (typeof password !== 'string' || password.length < 10 || password.length > 200) throw badInput(field, 'must be 10 to 200 characters');
}

/**
 * The granter may hand out only roles they hold the right to grant, and admin roles only to
 * users strictly below their own unit: nobody can raise their own rights or a peer's.
 */
export function assertGrantable(granter: Principal, roles: string[], targetPath: string) {
  if (!roles.length) throw badInput('roles', 'at least one role');
  const may = new Set(granter.roles.flatMap((r) => GRANTABLE[r]));
  for (const r of roles) {
    if (!(ALL_ROLES as string[]).includes(r)) throw badInput('roles', `unknown role ${r}`);
    if (!may.has(r as Role)) throw forbidden(`you may not grant ${r}`);
    if (ADMIN_ROLES.includes(r as Role) && !granter.roles.includes('PLATFORM_ADMIN') && targetPath === granter.unitPath) {
      throw forbidden(`${r} can only be granted to users below your own unit`);
    }
  }
}

/**
 * The unit whose subtree bounds what an account may reach through a partner link: the granting
 * administrator's own (null for the platform: the whole country). See migration 0121.
 */
export const reachOf = (granter: Principal): string | null => (granter.roles.includes('PLATFORM_ADMIN') ? null : granter.unitId);

/** Records that `granter` gave the account its reach (a partner link): it is bounded by what they hold. */
export async function grantReach(em: EntityManager, granter: Principal, userId: string): Promise<void> {
  // the scope is read afresh on every request: the account's sessions follow without ending
  await store.setUserReach(em, userId, reachOf(granter));
}

/** An account visible in the caller's scope, or null. */
export async function findUser(em: EntityManager, id: string): Promise<UserRow | null> {
  return /^\d{1,18}$/.test(id) ? store.findUser(em, id) : null;
}

/** Accounts whose home unit lies in a subtree, by username after `afterName`, at most `limit`. */
export function usersUnder(em: EntityManager, path: string, afterName: string | null, limit: number): Promise<UserRow[]> {
  return store.selectUsersUnder(em, path, afterName, limit, requestScope(em));
}

/** The caller's own account, also when it lies outside their scope (partners). */
export const selfUser = store.selectSelfUser;

/** An account's home unit and roles (`{ id, unitId, unitPath, roles }`), if the caller sees it (RLS), for other modules. */
export const accountPlace = store.selectAccountPlace;

export async function requireUser(em: EntityManager, id: string): Promise<UserRow> {
  const u = await findUser(em, id);
  if (!u) throw notFound('user');
  return u;
}

export async function createUser(em: EntityManager, principal: Principal, input: UserInput): Promise<UserRow> {
  const username = input.username?.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(username ?? '')) throw badInput('username', '3 to 64 characters: letters, digits, . _ -');
  if (!input.displayName?.trim()) throw badInput('displayName', 'required');
  assertPassword(input.password);
  const unit = await requireUnit(em, input.unitId, 'unitId');
  assertCan(principal, 'user:manage', { path: unit.path, what: 'admin unit' });
  assertGrantable(principal, input.roles, unit.path);
  const hash = await hashPassword(input.password);
  return em.transactional(async (tx) => {
    const id = await store.insertUser(tx, {
      username, displayName: input.displayName.trim(), passwordHash: hash, unitId: unit.id, roles: input.roles,
      createdBy: principal.userId, reachUnitId: reachOf(principal),
    });
    if (!id) throw conflict('that username is taken', { field: 'username' });
    return requireUser(tx, id);
  });
}

/** Changes roles, name or unit of a user in the caller's subtree; never the caller's own account's roles. */
export async function updateUser(
  em: EntityManager,
  principal: Principal,
  id: string,
  patch: { displayName?: string | null; roles?: string[] | null; unitId?: string | null },
): Promise<UserRow> {
  const user = await requireUser(em, id);
  assertCan(principal, 'user:manage', { path: user.unitPath!, what: 'user' });
  if (user.id === principal.userId && (patch.roles || patch.unitId)) throw forbidden('you cannot change your own roles or unit');
  if (user.id === principal.userId) {
    // one's own display name is the only thing one may change about oneself
    if (patch.displayName == null || !patch.displayName.trim()) throw badInput('displayName', 'must not be empty');
    await store.setUserDisplayName(em, user.id, patch.displayName.trim());
    em.clear();
    return requireUser(em, user.id);
  }
  let unitPath = user.unitPath!;
  let unitId = user.unitId;
  if (patch.unitId) {
    const unit = await requireUnit(em, patch.unitId, 'unitId');
    assertCan(principal, 'user:manage', { path: unit.path, what: 'admin unit' });
    unitPath = unit.path;
    unitId = unit.id;
  }
  // an admin may not touch a peer or superior admin's account
  if (user.roles.some((r) => ADMIN_ROLES.includes(r as Role))) assertGrantable(principal, user.roles, user.unitPath!);
  const roles = patch.roles ?? user.roles;
  assertGrantable(principal, roles, unitPath);
  if (patch.displayName != null && !patch.displayName.trim()) throw badInput('displayName', 'must not be empty');
  // whoever changes the roles or the unit gives the account its reach from now on
  await store.updateUserGrant(em, user.id, { displayName: patch.displayName?.trim() ?? null, roles, unitId, reachUnitId: reachOf(principal) });
  em.clear();
  return requireUser(em, user.id);
}

/** Disabling bumps the token version: every token of the account stops working at once. */
export async function setUserDisabled(em: EntityManager, principal: Principal, id: string, disabled: boolean): Promise<UserRow> {
  const user = await requireUser(em, id);
  assertCan(principal, 'user:manage', { path: user.unitPath!, what: 'user' });
  if (user.id === principal.userId) throw forbidden('you cannot disable or enable your own account');
  if (user.roles.some((r) => ADMIN_ROLES.includes(r as Role))) assertGrantable(principal, user.roles, user.unitPath!);
  await store.setUserDisabledRow(em, user.id, disabled);
  em.clear();
  return requireUser(em, user.id);
}

/**
 * A new password for oneself, given the current one (a stolen token alone cannot take the account).
 * Wrong current passwords count toward the login throttle of (account, address), like failed logins.
 */
export async function changeOwnPassword(ctx: JicengContext, principal: Principal, current: string, password: string): Promise<void> {
  assertPassword(password, 'newPassword');
  const username = principal.username.toLowerCase();
  await assertLoginAllowed(ctx, username);
  const hash = await store.selectSelfPasswordHash(ctx.em, principal.userId);
  if (!hash || typeof current !== 'string' || current.length > 200 || !(await verifyPassword(current, hash))) {
    await recordLoginFailure(ctx, username);
    throw badInput('currentPassword', 'the current password is wrong');
  }
  await store.setUserPasswordHash(ctx.em, principal.userId, await hashPassword(password));
}

/**
 * The owner's recovery from the login throttle: an administrator over the account (as for disabling
 * it) forgets its failed logins from every address, so its owner may sign in at once.
 */
export async function clearLoginFailures(em: EntityManager, principal: Principal, id: string): Promise<UserRow> {
  const user = await requireUser(em, id);
  assertCan(principal, 'user:manage', { path: user.unitPath!, what: 'user' });
  if (user.roles.some((r) => ADMIN_ROLES.includes(r as Role))) assertGrantable(principal, user.roles, user.unitPath!);
  await store.clearLoginFailuresOf(em, user.username);
  return user;
}
