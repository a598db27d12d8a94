import {
  GraphQLID, GraphQLString, getNullableType, isInputObjectType, isListType, isObjectType,
  type GraphQLArgument, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { checkText, textMax } from '@jiceng/core';

type Check = (value: unknown, field: string) => void;

/**
 * How to check one input type's text, or null when it holds none. Text is String and ID; lists and
 * input objects are walked. Errors name the field as clients wrote it: `name`, `items[3].voucher`
 * (the fields of a top-level `input` argument go by their own names).
 */
function checker(type: GraphQLInputType, name: string, seen = new Map<string, Check | null>()): Check | null {
  const t = getNullableType(type);
  if (t === GraphQLString || t === GraphQLID) {
    const max = textMax(name);
    return (v, field) => {
      if (typeof v === 'string') checkText(field, v, max);
    };
  }
  if (isListType(t)) {
    const item = checker(t.ofType as GraphQLInputType, name, seen);
    return item && ((v, field) => {
      if (Array.isArray(v)) for (const [k, x] of v.entries()) item(x, `${field}[${k}]`);
    });
  }
  if (isInputObjectType(t)) {
    const key = `${t.name}:${name}`;
    if (seen.has(key)) return seen.get(key)!;
    seen.set(key, null);
    const fields = Object.values(t.getFields())
      .map((f) => ({ name: f.name, check: checker(f.type, f.name, seen) }))
      .filter((f): f is { name: string; check: Check } => !!f.check);
    const check: Check | null = fields.length
      ? (v, field) => {
          if (v == null || typeof v !== 'object') return;
          for (const f of fields) f.check((v as Record<string, unknown>)[f.name], field ? `${field}.${f.name}` : f.name);
        }
      : null;
    seen.set(key, check);
    return check;
  }
  return null;
}

function argsChecker(args: readonly GraphQLArgument[]): ((args: Record<string, unknown>) => void) | null {
  const checks = args
    .map((a) => ({ name: a.name, check: checker(a.type, a.name) }))
    .filter((a): a is { name: string; check: Check } => !!a.check);
  if (!checks.length) return null;
  return (values) => {
    for (const a of checks) a.check(values[a.name], a.name === 'input' ? '' : a.name);
  };
}

/**
 * A graphql-middleware map that refuses, before any resolver runs, text arguments and input fields
 * longer than their maximum (TEXT_LIMITS in @jiceng/core) with BAD_USER_INPUT naming the field.
 * Only fields that take text are wrapped.
 */
// Login and password changes check their own lengths, because an over-long guess must still be
// counted by the login throttle (auth.service.ts).
const SELF_CHECKED = new Set(['Mutation.login', 'Mutation.changePassword']);

export function textLimitsMiddleware(schema: GraphQLSchema): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const check = argsChecker(field.args);
      if (!check || SELF_CHECKED.has(`${type.name}.${field.name}`)) continue;
      out[type.name] ??= {};
      out[type.name]![field.name] = (resolve: any, parent: unknown, args: Record<string, unknown>, ctx: unknown, info: unknown) => {
        check(args);
        return resolve(parent, args, ctx, info);
      };
    }
  }
  return out;
}
