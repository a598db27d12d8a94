import { allow, rule, shield } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { getNamedType, isAbstractType, isIntrospectionType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
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

/** A rule that passes only for a signed-in caller: isAuthenticated, or one granting an action. */
function impliesSignedIn(r: unknown): boolean {
  return r === isAuthenticated || (!!r && [...actionRules.values()].includes(r as IRule));
}

/**
 * The shield as a graphql-middleware map that wraps only the fields whose rule can refuse someone who
 * got that far. graphql-shield alone wraps every field of the schema in an async middleware, which makes
 * every field (a unit's `code`) a promise. Left unwrapped:
 * - fields whose rule is `allow`;
 * - fields whose rule is `isAuthenticated` on a type that only signed-in callers can reach: every field
 *   returning it (from any type) requires a signed-in caller itself, or sits on such a type (the largest
 *   such set, so a type reaching itself — `AdminUnit.parent` — counts). The caller cannot change within
 *   a request, so the check would always pass there.
 * Every other field keeps its rule, and a field without one still gets the deny fallback.
 */
export function shieldMiddleware(schema: GraphQLSchema, rules: RuleMap): Record<string, Record<string, unknown>> {
  const full = buildShield(rules).generate(schema) as Record<string, Record<string, unknown>>;
  const ruleOf = (type: string, field: string) => rules[type]?.[field] ?? rules[type]?.['*'] ?? null;
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  const objects = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !isIntrospectionType(t));
  // who returns each object type: [parent type, field]
  const returnedBy = new Map<string, [string, string][]>();
  for (const parent of objects) {
    for (const field of Object.values(parent.getFields())) {
      const named = getNamedType(field.type);
      const targets = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
      for (const t of targets) {
        const list = returnedBy.get(t.name) ?? [];
        list.push([parent.name, field.name]);
        returnedBy.set(t.name, list);
      }
    }
  }
  const signedInOnly = new Set(objects.map((t) => t.name).filter((n) => !roots.has(n)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of [...signedInOnly]) {
      const open = (returnedBy.get(t) ?? []).some(([p, f]) => !signedInOnly.has(p) && !impliesSignedIn(ruleOf(p, f)));
      if (open) {
        signedInOnly.delete(t);
        changed = true;
      }
    }
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [type, fields] of Object.entries(full)) {
    for (const [field, middleware] of Object.entries(fields)) {
      const r = ruleOf(type, field);
      if (r === allow || (r === isAuthenticated && signedInOnly.has(type))) continue;
      out[type] ??= {};
      out[type][field] = middleware;
    }
  }
  return out;
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
