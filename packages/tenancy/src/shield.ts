import { allow, rule, shield } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { AppError, ErrorCode } from '@jiceng/core';
import type { JicengContext } from './context.js';
import { can } from './principal.js';

// Shield decides which operations a role may call at all; services check the target's scope.
export const isAuthenticated: IRule = rule('isAuthenticated', { cache: 'contextual' })((_p, _a, ctx: JicengContext) =>
  ctx.principal ? true : new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required'),
);

const actionRules = new Map<string, IRule>();
/** A rule that passes when one of the caller's roles is granted the action. */
export function canDo(action: string): IRule {
  let r = actionRules.get(action);
  if (!r) {
    r = rule(`can:${action}`, { cache: 'contextual' })((_p, _a, ctx: JicengContext) => {
      if (!ctx.principal) return new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required');
      return can(ctx.principal, action) ? true : new AppError(ErrorCode.FORBIDDEN, `${action} is not granted to your roles`);
    });
    actionRules.set(action, r);
  }
  return r;
}

export { allow };

export type RuleMap = Record<string, Record<string, any>>;

/** Merges modules' rule fragments; a field claimed twice is a mistake. */
export function mergeRules(fragments: RuleMap[]): RuleMap {
  const out: RuleMap = {};
  for (const f of fragments) {
    for (const [type, fields] of Object.entries(f)) {
      out[type] ??= {};
      for (const [field, r] of Object.entries(fields)) {
        if (out[type]![field]) throw new Error(`shield rule for ${type}.${field} defined twice`);
        out[type]![field] = r;
      }
    }
  }
  return out;
}

/** Deny by default; resolver errors pass through with their codes. */
export function buildShield(rules: RuleMap): any {
  return shield(rules, {
    fallbackRule: rule('deny')(() => false),
    allowExternalErrors: true,
    fallbackError: () => new AppError(ErrorCode.FORBIDDEN, 'not allowed'),
  });
}

/** A readable form of a rule map, for the permission snapshot. */
export function describeRules(rules: RuleMap): Record<string, Record<string, string>> {
  const name = (r: any): string => {
    if (r === allow) return 'allow';
    if (r?.name && typeof r.name === 'string') return r.name;
    if (r?.rules) return `${r.constructor?.name ?? 'logic'}(${r.rules.map(name).join(', ')})`;
    return 'custom';
  };
  return Object.fromEntries(
    Object.keys(rules).sort().map((t) => [t, Object.fromEntries(Object.keys(rules[t]!).sort().map((f) => [f, name(rules[t]![f])]))]),
  );
}
