import { describe, expect, it } from 'vitest';
import { buildSchema, graphql } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, canDo, isAuthenticated, shieldMiddleware, type RuleMap } from '@jiceng/tenancy';

// Box is reachable only through fields that require a signed-in caller; Note also through an `allow` field.
const sdl = `
  type Query { box: Box, lobby: Lobby, stray: Stray }
  type Lobby { greeting: String, note: Note }
  type Box { label: String, inner: Box, note: Note }
  type Note { text: String }
  type Stray { y: String }
`;
const rules: RuleMap = {
  Query: { box: canDo('unit:read'), lobby: allow, stray: allow },
  Lobby: { '*': allow },
  Box: { '*': isAuthenticated },
  Note: { '*': isAuthenticated },
  // Stray has no rule at all: the deny fallback
};
const resolvers = {
  Query: { box: () => ({ label: 'b', inner: { label: 'i' }, note: { text: 'n' } }), lobby: () => ({ greeting: 'hi', note: { text: 'n' } }), stray: () => ({ y: 'y' }) },
};

function schemaWithShield() {
  const bare = buildSchema(sdl);
  for (const [type, fields] of Object.entries(resolvers)) {
    const t = bare.getType(type) as any;
    for (const [f, resolve] of Object.entries(fields)) t.getFields()[f].resolve = resolve;
  }
  const map = shieldMiddleware(bare, rules);
  return { map, schema: applyMiddleware(bare, map as any) };
}

const staff = { principal: { userId: '1', roles: ['ORG_ADMIN'], scopes: ['cn'] } };

describe('shieldMiddleware: only fields whose rule could refuse are wrapped', () => {
  it('leaves isAuthenticated fields unwrapped on types only signed-in callers reach, and allow fields everywhere', () => {
    const { map } = schemaWithShield();
    expect(Object.keys(map).sort()).toEqual(['Note', 'Query', 'Stray']);
    expect(Object.keys(map.Query!).sort()).toEqual(['box']);
    // Note is also reachable through Lobby.note (allow): its rule stays
    expect(Object.keys(map.Note!)).toEqual(['text']);
    expect(Object.keys(map.Stray!)).toEqual(['y']);
  });

  it('still refuses: the deny fallback on fields without a rule, isAuthenticated where anyone can reach it', async () => {
    const { schema } = schemaWithShield();
    const anon = await graphql({ schema, source: '{ lobby { greeting note { text } } stray { y } box { label } }', contextValue: { principal: null } });
    expect(anon.data).toEqual({ lobby: { greeting: 'hi', note: { text: null } }, stray: { y: null }, box: null });
    const codes = Object.fromEntries(anon.errors!.map((e) => [e.path!.join('.'), e.extensions?.code]));
    expect(codes).toEqual({ 'lobby.note.text': 'UNAUTHENTICATED', 'stray.y': 'FORBIDDEN', box: 'UNAUTHENTICATED' });

    const signedIn = await graphql({ schema, source: '{ box { label inner { label } note { text } } lobby { note { text } } stray { y } }', contextValue: staff });
    expect(signedIn.data).toEqual({ box: { label: 'b', inner: { label: 'i' }, note: { text: 'n' } }, lobby: { note: { text: 'n' } }, stray: { y: null } });
    expect(signedIn.errors!.map((e) => [e.path!.join('.'), e.extensions?.code])).toEqual([['stray.y', 'FORBIDDEN']]);
  });
});
