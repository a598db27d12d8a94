import type { AddressInfo } from 'node:net';
import { createLogger } from '@jiceng/core';
import { test, expect } from '@jiceng/testkit';
import { buildAppSchema } from '../src/schema.js';
import { modules } from '../src/modules.js';
import { createApp } from '../src/server.js';

// The suite's servers compile every query from its first request (testkit); this one keeps the default:
// a document's first request runs on graphql-js, the next ones compiled. Both must answer alike, byte for byte.
test('a query answers the same interpreted (its first request) and compiled (from the second on): data, errors, paths, codes', async ({ app }) => {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  for (let i = 0; i < 3; i++) await township.village();
  const other = await (await app.tree.region()).county();
  // a reporter reads the tree but not the funds
  const reporter = await app.user(county, ['REPORTER']);
  const server = await createApp({ orm: app.orm, schema: (await buildAppSchema(modules)).schema, settings: app.settings, log: createLogger('error') });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/graphql`;
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reporter.token}` }, body: JSON.stringify({ query, variables }) });
    return `${res.status} ${await res.text()}`;
  };
  const TREE = `query($c: String!, $n: Int) { adminUnit(code: $c) { id code name level parent { code }
    children(first: $n) { totalCount edges { cursor node { id code name level children(first: 2) { edges { node { code name } } pageInfo { hasNextPage endCursor } } } } pageInfo { hasNextPage } } } }`;
  const cases: [string, string, Record<string, unknown>][] = [
    ['a tree under the look-ahead', TREE, { c: county.code, n: 5 }],
    ['a page of one, with a cursor', TREE, { c: county.code, n: 1 }],
    ['a unit outside the caller\'s scope', TREE, { c: other.code, n: 5 }],
    ['a page size the resolver refuses (BAD_USER_INPUT on first)', TREE, { c: county.code, n: -1 }],
    ['variables of the wrong type (refused before running)', TREE, { c: county.code, n: 'five' }],
    ['a missing required variable', TREE, { n: 5 }],
    ['a field the role may not read (FORBIDDEN, with its path)', `query($c: String!) { adminUnit(code: $c) { code transfers(first: 5) { edges { node { id } } } } }`, { c: county.code }],
    ['aliases, fragments and directives', `query($c: String!, $yes: Boolean!) { a: adminUnit(code: $c) { ...u b: children(first: 2) @include(if: $yes) { edges { node { ...u } } } c: children(first: 2) @skip(if: $yes) { totalCount } } } fragment u on AdminUnit { code level }`, { c: county.code, yes: true }],
  ];
  try {
    for (const [i, [what, text, variables]] of cases.entries()) {
      // a text of its own: Apollo parses each text once, and the compiled state belongs to that document
      const query = `${text}\n# case ${i}`;
      const before = { ...server.execution.counts };
      const interpreted = await post(query, variables);
      const compiled = await post(query, variables);
      const again = await post(query, variables);
      expect(compiled, what).toBe(interpreted);
      expect(again, what).toBe(interpreted);
      // the first ran on graphql-js; the others compiled, unless their variables were refused before anything ran
      const refused = /"code":"BAD_USER_INPUT"/.test(interpreted) && !/"data"/.test(interpreted);
      expect([server.execution.counts.compiled - before.compiled, server.execution.counts.interpreted - before.interpreted], what).toEqual(refused ? [0, 3] : [2, 1]);
    }
  } finally {
    await server.stop();
  }
});
