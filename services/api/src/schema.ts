import 'reflect-metadata';
import { buildSchema, type ClassType } from 'type-graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { GraphQLSchema } from 'graphql';
import { buildShield, mergeRules, textLimitsMiddleware, type JicengModule, type RuleMap } from '@jiceng/tenancy';

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
 * The executable schema: every module's resolvers, wrapped in the merged shield (deny by default),
 * then in the text limits (every String/ID input has a maximum length).
 */
export async function buildAppSchema(mods: JicengModule[]): Promise<{ schema: GraphQLSchema; bare: GraphQLSchema }> {
  const resolvers = mods.flatMap((m) => m.resolvers) as [ClassType, ...ClassType[]];
  // subscriptions bring their own event streams (the `subscribe` option, services/api/src/live.ts)
  const bare = await buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: NO_PUBSUB });
  return { bare, schema: applyMiddleware(bare, buildShield(mergedRules(mods)), textLimitsMiddleware(bare)) };
}
