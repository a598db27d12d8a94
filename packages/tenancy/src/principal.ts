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
