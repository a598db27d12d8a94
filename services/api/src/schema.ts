import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { GraphQLSchema } from 'graphql';
import { mergeRules, shieldMiddleware, textLimitsMiddleware, type JicengModule, type RuleMap } from '@jiceng/tenancy';

export function mergedRules(mods: JicengModule[]): RuleMap {
  return mergeRules(mods.map((m) => m.rules));
}

/**
 * The executable schema: every module's resolvers, wrapped in the merged shield (deny by default; only
 * the fields whose rule could refuse are wrapped, see shieldMiddleware), then in the text limits (every
 * String/ID input has a maximum length).
 */
export async function buildAppSchema(mods: JicengModule[]): Promise<{ schema: GraphQLSchema; bare: GraphQLSchema }> {
  const resolvers = mods.flatMap((m) => m.resolvers) as unknown as [Function, ...Function[]];
  const bare = await buildSchema({ resolvers, validate: false, emitSchemaFile: false });
  return { bare, schema: applyMiddleware(bare, shieldMiddleware(bare, mergedRules(mods)), textLimitsMiddleware(bare)) };
}
