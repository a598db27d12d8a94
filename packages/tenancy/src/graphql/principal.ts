import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { badInput, unauthenticated } from '@jiceng/core';
import type { JicengContext } from '../context.js';
import type { Principal } from '../principal.js';

export function requirePrincipal(ctx: JicengContext): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
}

/**
 * A resolver whose failure record must outlive the rolled-back request (keepWritesOnError) runs only
 * as the one field of its operation: nothing else could then be kept with it, and a batch of aliased
 * guesses in one request is refused before any is checked.
 */
export function assertOnlyRootField(info: GraphQLResolveInfo): void {
  const count = (set: SelectionSetNode): number =>
    set.selections.reduce((n, s) => {
      if (s.kind === Kind.FIELD) return n + (s.name.value === '__typename' ? 0 : 1);
      if (s.kind === Kind.INLINE_FRAGMENT) return n + count(s.selectionSet);
      const f = info.fragments[s.name.value];
      return n + (f ? count(f.selectionSet) : 0);
    }, 0);
  if (count(info.operation.selectionSet) !== 1) throw badInput(info.fieldName, `${info.fieldName} must be the only field of its operation`);
}
