import { forbidden, notFound, unauthenticated } from '@jiceng/core';
import { rolesFor, type Role } from './roles.js';

/** The caller of a request: who they are, their home unit and their scope (a set of subtrees). */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  unitId: string;
  unitPath: string;
  roles: Role[];
  scopes: string[];
}

export function can(principal: Principal | null | undefined, action: string): boolean {
  if (!principal) return false;
  const allowed = rolesFor(action);
  return principal.roles.some((r) => allowed.has(r));
}

export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + '.');
}

export function inScope(principal: Principal, path: string): boolean {
  return principal.scopes.some((s) => isWithin(path, s));
}

/**
 * Asserts the caller may do `action` on a target at `path`. Outside the scope the target
 * does not exist for the caller (NOT_FOUND, never FORBIDDEN).
 */
export function assertCan(principal: Principal | null | undefined, action: string, target?: { path: string; what: string }): Principal {
  if (!principal) throw unauthenticated();
  if (target && !inScope(principal, target.path)) throw notFound(target.what);
  if (!can(principal, action)) throw forbidden(`${action} is not granted to your roles`);
  return principal;
}

/** True when `path` lies strictly below one of the caller's scopes (not the scope's own unit). */
export function strictlyBelowScope(principal: Principal, path: string): boolean {
  return principal.scopes.some((s) => path.startsWith(s + '.'));
}

/**
 * Standards and calendars are set from above: only a unit strictly above the unit a setting applies to
 * may set it (a township never sets its own standards, a county never its own). Out of scope is
 * NOT_FOUND as usual; the caller's own unit (visible, but not theirs to configure) is FORBIDDEN.
 */
export function assertCanFromAbove(principal: Principal | null | undefined, action: string, target: { path: string; what: string }): Principal {
  const p = assertCan(principal, action, target);
  if (!strictlyBelowScope(p, target.path)) throw forbidden('standards and calendars are set by a unit above the one they apply to, never by the unit itself');
  return p;
}
