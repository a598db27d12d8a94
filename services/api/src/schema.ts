import 'reflect-metadata';
import { buildSchema, getMetadataStorage, type ClassType } from 'type-graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { GraphQLSchema } from 'graphql';
import { mergeRules, shieldMiddleware, textLimitsMiddleware, type JicengModule, type RuleMap } from '@jiceng/tenancy';

const NO_PUBSUB = {
  publish(): void {
    throw new Error('no pub/sub: a subscription names its channel through subtreeEvents');
  },
  subscribe(): never {
    throw new Error('no pub/sub: a subscription names its channel through subtreeEvents');
  },
};

export function mergedRules(mods: JicengModule[]): RuleMap {
  return mergeRules(mods.map((m) => m.rules));
}

/**
 * The executable schema: every module's resolvers, wrapped in the merged shield (deny by default; only
 * the fields whose rule could refuse are wrapped, see shieldMiddleware), then in the text limits (every
 * String/ID input has a maximum length).
 */
export async function buildAppSchema(mods: JicengModule[]): Promise<{ schema: GraphQLSchema; bare: GraphQLSchema }> {
  const resolvers = mods.flatMap((m) => m.resolvers) as [ClassType, ...ClassType[]];
  simpleFields();
  // subscriptions bring their own event streams (the `subscribe` option, services/api/src/live.ts)
  const bare = await buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: NO_PUBSUB });
  return { bare, schema: applyMiddleware(bare, shieldMiddleware(bare, mergedRules(mods)), textLimitsMiddleware(bare)) };
}

/**
 * A plain field (no @FieldResolver) reads its property through graphql-js's default resolver, not through
 * type-graphql's per-field wrapper (an object and a call per field, to run middlewares and role checks
 * that are not used here). Only when no middleware or @Authorized is declared anywhere, and only for
 * fields whose GraphQL name is their property's name (what the default resolver reads).
 */
function simpleFields(): void {
  const storage = getMetadataStorage();
  if (storage.middlewares.length || storage.resolverMiddlewares.length || storage.authorizedFields.length || storage.authorizedResolver.length) return;
  for (const f of storage.fields) if (f.simple === undefined && f.schemaName === f.name) f.simple = true;
}
