import { unauthenticated } from '@jiceng/core';
import type { JicengContext } from '../context.js';
import type { Principal } from '../principal.js';

export function requirePrincipal(ctx: JicengContext): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
}
