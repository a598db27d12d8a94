import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, Kind, Lexer, Source, TokenKind, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { createLogger, type Logger } from '@jiceng/core';
import { test, expect, describe, GraphQLClient } from '@jiceng/testkit';
import type { TestApp } from '@jiceng/testkit';
import { buildAppSchema } from '../src/schema.js';
import { createApp } from '../src/server.js';
import { modules } from '../src/modules.js';
import { DEFAULT_LIMITS, checkQuery, queryCost, resolveLimits, type Limits } from '../src/limits.js';

/** A second server over the test database with its own limits (or schema, or logger). */
async function serve(app: TestApp, opts: { limits?: Partial<Limits>; production?: boolean; schema?: GraphQLSchema; log?: Logger } = {}) {
  const schema = opts.schema ?? (await buildAppSchema(modules)).schema;
  const settings = { ...app.settings, production: opts.production ?? false };
  const server = await createApp({ orm: app.orm, schema, settings, log: opts.log ?? createLogger('error'), limits: opts.limits, compileAfter: 1 });
  await new Promise<void>((ok) => server.server.listen(0, '127.0.0.1', ok));
  const { port } = server.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return { app: server, url, port, client: (token?: string) => new GraphQLClient(url, token) };
}

/** Runs fn and returns how long it took. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/** Polls until check() is truthy or the deadline passes, and returns that value. */
async function until<T>(check: () => Promise<T>, deadlineMs = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached before the deadline');
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

const nest = (levels: number, inner: string) => {
  let q = inner;
  for (let i = 0; i < levels; i++) q = `children(first: 500) { edges { node { code parent { ${q} } } } }`;
  return q;
};

/** A region down to one township with three villages, and an inspector at the region. */
async function smallTree(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  for (let i = 0; i < 3; i++) await township.village();
  return { region, county, township, user: await app.user(region, ['INSPECTOR']) };
}

describe('hostile queries are refused at once', () => {
  test('the crash query and a corpus at every limit + 1: QUERY_TOO_COMPLEX in < 1 s each, memory bounded, server up', async ({ app }) => {
    const { region, township, user } = await smallTree(app);
    const crash = `{ adminUnit(code: "${township.code}") { ${nest(5, 'code')} } }`;
    expect(crash.length).toBeLessThan(400);
    let deep = 'name';
    for (let i = 0; i < 300; i++) deep = `parent { ${deep} }`;
    const summaries = (levels: number) => {
      let q = 'code rectificationSummary(year: 2025) { assessed } fundsSummary(year: 2025) { balance }';
      for (let i = 0; i < levels; i++) q = `code rectificationSummary(year: 2025) { assessed } fundsSummary(year: 2025) { balance } children { edges { node { ${q} } } }`;
      return q;
    };
    const corpus: [string, string][] = [
      ['depth', crash],
      ['depth', `{ adminUnit(code: "${township.code}") { ${nest(4, 'code')} } }`],
      ['cost', `{ adminUnit(code: "${township.code}") { ${nest(2, 'code')} } }`],
      ['depth', `{ adminUnit(code: "${region.code}") { ${deep} } }`],
      // 200 aliases of pairingCoverage are 2,000+ tokens: refused while parsing; 100 pass the parser
      ['tokens', `{ adminUnit(code: "${region.code}") { ${Array.from({ length: 200 }, (_, i) => `a${i}: pairingCoverage(year: 2025) { rate }`).join(' ')} } }`],
      ['aliases', `{ adminUnit(code: "${region.code}") { ${Array.from({ length: 100 }, (_, i) => `a${i}: pairingCoverage(year: 2025) { rate }`).join(' ')} } }`],
      // an aggregate resolved once per row (fundingCompliance): aliases and a page multiply it. (Batched aggregates such as
      // pairingCoverage cost their weight once per place in the query since the cost model of issue 12: 14 aliases and a page
      // of 20 of it are 15 statements, and pass.)
      ['cost', `{ adminUnit(code: "${region.code}") { ${Array.from({ length: 14 }, (_, i) => `a${i}: fundingCompliance(year: ${2011 + i}) { officeBelowStandardCount }`).join(' ')} b: children(first: 50) { edges { node { fundingCompliance(year: 2025) { officeBelowStandardCount } } } } } }`],
      ['cost', `{ adminUnit(code: "${region.code}") { ${summaries(3)} } }`],
      ['aliases', `{ adminUnit(code: "${region.code}") { ${Array.from({ length: DEFAULT_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: name`).join(' ')} } }`],
      ['directives', `{ adminUnit(code: "${region.code}") { ${Array.from({ length: DEFAULT_LIMITS.maxDirectives + 1 }, () => `name @include(if: true)`).join(' ')} } }`],
      ['tokens', `{ adminUnit(code: "${region.code}") { ${'name '.repeat(DEFAULT_LIMITS.maxTokens)} } }`],
    ];
    const before = process.memoryUsage().rss;
    for (const [limit, query] of corpus) {
      const [r, ms] = await timed(() => user.client.request(query));
      expect(r.errors?.[0]?.extensions, query.slice(0, 80)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
      expect(r.errors![0]!.message).toContain(`${limit} limit of`);
      expect(r.status).toBe(200);
      expect(ms).toBeLessThan(1000);
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    const health = await fetch(app.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
  });

  test('each limit: the largest legal query passes and the next one is refused', async ({ app }) => {
    const region = await app.tree.region();
    const county = await region.county();
    const user = await app.user(region, ['INSPECTOR']);
    const unit = (body: string) => `{ adminUnit(code: "${county.code}") { ${body} } }`;
    const boundary = async (limit: string, make: (n: number) => string, max: number) => {
      await user.client.ok(make(max));
      const refused = await user.client.fails('QUERY_TOO_COMPLEX', make(max + 1));
      expect(refused.extensions).toMatchObject({ limit, max });
    };
    // depth: adminUnit is 1, each parent 1 more, name the last
    await boundary('depth', (n) => unit(`${'parent { '.repeat(n - 2)}name${' }'.repeat(n - 2)}`), DEFAULT_LIMITS.maxDepth);
    await boundary('aliases', (n) => unit(Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ')), DEFAULT_LIMITS.maxAliases);
    await boundary('directives', (n) => unit(Array.from({ length: n }, () => 'name @include(if: true)').join(' ')), DEFAULT_LIMITS.maxDirectives);
    // tokens as graphql-js counts them (no comments, no end token)
    const tokens = (q: string) => {
      const lexer = new Lexer(new Source(q));
      let n = 0;
      while (lexer.advance().kind !== TokenKind.EOF) n++;
      return n;
    };
    // padding: small operations beside the one run (5 or 6 tokens each; one selection set of thousands of
    // fields would trip graphql-js's own budget for comparing fields)
    const padded = (n: number) => {
      const main = `query Main ${unit('name')}`;
      let rest = n - tokens(main);
      const ops: string[] = [];
      for (let i = 0; rest > 0; i++) {
        const six = rest % 5 !== 0;
        ops.push(six ? `query P${i} { __typename __typename }` : `query P${i} { __typename }`);
        rest -= six ? 6 : 5;
      }
      return [main, ...ops].join('\n');
    };
    const run = async (query: string) => {
      const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: JSON.stringify({ query, operationName: 'Main' }) });
      return (await res.json()) as { data?: any; errors?: { extensions: Record<string, unknown> }[] };
    };
    expect(tokens(padded(DEFAULT_LIMITS.maxTokens))).toBe(DEFAULT_LIMITS.maxTokens);
    expect(tokens(padded(DEFAULT_LIMITS.maxTokens + 1))).toBe(DEFAULT_LIMITS.maxTokens + 1);
    expect(await run(padded(DEFAULT_LIMITS.maxTokens))).toEqual({ data: { adminUnit: { name: county.unit.name } } });
    expect((await run(padded(DEFAULT_LIMITS.maxTokens + 1))).errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: DEFAULT_LIMITS.maxTokens });
    // cost: the largest page of units each with an aggregate resolved per row that fits, then one more unit (pairingCoverage,
    // batched since issue 12, costs its weight once whatever the page: the page would reach the page size limit first)
    const { schema } = await buildAppSchema(modules);
    const page = (k: number) => unit(`children(first: ${k}) { edges { node { code fundingCompliance(year: 2025) { officeBelowStandardCount } } } }`);
    const cost = (k: number) => queryCost(DEFAULT_LIMITS, schema, parse(page(k)));
    let k = 1;
    while (cost(k + 1) <= DEFAULT_LIMITS.maxCost) k++;
    expect(cost(k)).toBeGreaterThan(DEFAULT_LIMITS.maxCost * 0.9);
    await user.client.ok(page(k));
    expect((await user.client.fails('QUERY_TOO_COMPLEX', page(k + 1))).extensions).toMatchObject({ limit: 'cost', max: DEFAULT_LIMITS.maxCost, found: cost(k + 1) });
  });

  test('a cap on the values in one response: at the cap it passes, one more is RESPONSE_TOO_LARGE', async ({ app }) => {
    const { township, user } = await smallTree(app);
    // adminUnit, children, edges, then node and code for each of the 3 villages: 9 values
    const s = await serve(app, { limits: { maxResponseNodes: 9 } });
    try {
      const q = (extra: string) => `{ adminUnit(code: "${township.code}") { ${extra} children { edges { node { code } } } } }`;
      const ok = await s.client(user.token).ok(q(''));
      expect(ok.adminUnit.children.edges).toHaveLength(3);
      const r = await s.client(user.token).request(q('name'));
      expect(r.data).toBeNull();
      expect(r.errors).toEqual([{ message: 'the response would hold more than 9 values', extensions: { code: 'RESPONSE_TOO_LARGE', limit: 'responseNodes', max: 9 } }]);
    } finally {
      await s.app.stop();
    }
  });
});

/** Every operation in the graphql blocks of a document, with made-up values for its variables. */
function documentedOperations(file: string): { name: string; doc: DocumentNode; variables: Record<string, unknown> }[] {
  const text = readFileSync(new URL(`../../../docs/${file}`, import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    parse(block).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((op) => {
      const variables = Object.fromEntries(
        (op.variableDefinitions ?? []).map((v) => {
          const type = JSON.stringify(v.type);
          return [v.variable.name.value, type.includes('ListType') ? [] : type.includes('"Int"') ? 1 : 'x'];
        }),
      );
      return { name: `${file}: ${block.slice(0, 60).replace(/\s+/g, ' ')}`, doc: { kind: Kind.DOCUMENT, definitions: [op] } as DocumentNode, variables };
    }),
  );
}

// the dashboards the benchmarks measure (scripts/bench) and what the web client asks most
const DASHBOARDS = [
  `{ adminUnit(code: "150000000000") { rectificationSummary(year: 2025) { assessed thirdCategory targets transformed transformationRate keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline } } }`,
  `{ adminUnit(code: "150000000000") { relapsePatterns(year: 2025) { goodThenWeak transformedThenRelapsed weakThroughout } } }`,
  `{ adminUnit(code: "150429000000") { cases(year: 2025, first: 50) { edges { node { state village { name } problems { overdue } } } } } }`,
  `{ adminUnit(code: "150000000000") { pairingCoverage(year: 2025) { targets fullyCovered rate slots { slot filled rate } } } }`,
  `{ adminUnit(code: "150000000000") { pairingCoverage(year: 2025) { targets fullyCovered rate gaps { village { code name } missing } } } }`,
  `{ adminUnit(code: "150000000000") { supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits peoplePlaced materialsValue meetings problemsSolved } } }`,
  `{ adminUnit(code: "150000000000") { fundsSummary(year: 2025) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } } } }`,
  `{ adminUnit(code: "150429000000") { fundingCompliance(year: 2025) { officeBelowStandard { id } officeBelowStandardCount activityBelowStandardCount counties { county { name } allocated disbursed rate averageDaysToDisburse } } } }`,
  `{ adminUnit(code: "150429100000") { children(first: 100) { edges { node { id code name } } } } }`,
  `{ adminUnit(code: "150000000000") { counts { level count } } }`,
];

describe('normal use stays within the defaults', () => {
  test('every query in docs/api-guide.md and docs/rectification.md, and the dashboards, pass the production defaults', async () => {
    const { schema } = await buildAppSchema(modules);
    const limits = resolveLimits({}, true);
    const all = [
      ...documentedOperations('api-guide.md'),
      ...documentedOperations('rectification.md'),
      ...DASHBOARDS.map((q) => ({ name: q.slice(0, 60), doc: parse(q, { maxTokens: limits.maxTokens }), variables: {} })),
    ];
    expect(all.length).toBeGreaterThanOrEqual(20);
    const costs: Record<string, number> = {};
    for (const { name, doc, variables } of all) {
      expect(validate(schema, doc), name).toEqual([]);
      expect(() => checkQuery(limits, schema, doc, variables), name).not.toThrow();
      costs[name] = queryCost(limits, schema, doc, variables);
      expect(costs[name], name).toBeLessThanOrEqual(limits.maxCost);
    }
    console.log(`documented and dashboard query costs (max ${limits.maxCost}): ${Math.max(...Object.values(costs))} at most`);
  });

  test('the dashboards run under the defaults against the API', async ({ app }) => {
    const { region, user } = await smallTree(app);
    for (const q of DASHBOARDS) {
      const r = await user.client.request(q.replace(/"150\d{9}"/, `"${region.code}"`));
      expect(r.errors?.filter((e) => e.extensions?.code !== 'FORBIDDEN'), q).toBeUndefined();
    }
  });
});

describe('the cost of batched aggregates (issue 12)', () => {
  const summary = `rectificationSummary(year: 2025) { assessed thirdCategory targets transformed transformationRate keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline }`;
  const funds = `fundsSummary(year: 2025) { allocated disbursed spent balance byFund { fund allocated disbursed spent balance } }`;
  const support = `supportTotals(from: "2025-01-01", to: "2025-12-31") { entries visits meetings problemsSolved projectsCoordinated peoplePlaced materialsValue }`;
  const villageList = (code: string, townships: number, villages: number) =>
    `{ adminUnit(code: "${code}") { code children(first: ${townships}) { edges { node { code children(first: ${villages}) { edges { node { code name ${summary} ${funds} ${support} } } } } } } } }`;

  test('a batched aggregate costs its weight once where it occurs, whatever the rows; an aggregate resolved per row multiplies', async () => {
    const { schema } = await buildAppSchema(modules);
    const cost = (field: string, n: number) => queryCost(DEFAULT_LIMITS, schema, parse(`{ adminUnit(code: "1") { children(first: ${n}) { edges { node { code ${field} } } } } }`));
    const plain = (n: number) => cost('', n);
    // fundsSummary { allocated }: 2 per row (the field and its value) and 3,000 once
    expect(cost('fundsSummary(year: 2025) { allocated }', 10) - plain(10)).toBe(3000 + 10 * 2);
    expect(cost('fundsSummary(year: 2025) { allocated }', 100) - plain(100)).toBe(3000 + 100 * 2);
    // twice in the query (two statements: another year): twice the weight
    expect(cost('a: fundsSummary(year: 2025) { allocated } b: fundsSummary(year: 2024) { allocated }', 10) - plain(10)).toBe(2 * 3000 + 10 * 4);
    // fundingCompliance runs once per row: 6,000 on every row
    expect(cost('fundingCompliance(year: 2025) { officeBelowStandardCount }', 10) - plain(10)).toBe(10 * (6000 + 1));
  });

  test('the per-village list (county → 30 townships → 40 villages each with rectificationSummary, fundsSummary, supportTotals) passes the defaults with room; a fourth level of summaries is refused', async ({ app }) => {
    const { schema } = await buildAppSchema(modules);
    const listCost = queryCost(DEFAULT_LIMITS, schema, parse(villageList('1', 30, 40)));
    expect(listCost).toBeLessThan(DEFAULT_LIMITS.maxCost * 0.6);
    const region = await app.tree.region();
    const county = await region.county();
    for (let t = 0; t < 2; t++) {
      const township = await county.township();
      for (let v = 0; v < 3; v++) await township.village();
    }
    const user = await app.user(county, ['INSPECTOR']);
    const r = await user.client.ok(villageList(county.code, 30, 40));
    const villages = r.adminUnit.children.edges.flatMap((t: any) => t.node.children.edges);
    expect(villages).toHaveLength(6);
    expect(villages[0].node.fundsSummary).toMatchObject({ allocated: '0.00' });
    // the same summaries on every unit of a region four levels down (the 592 s query of the Hardening issue): the rows alone are refused
    const summaries = (levels: number) => {
      let q = `code ${summary} ${funds}`;
      for (let i = 0; i < levels; i++) q = `code ${summary} ${funds} children { edges { node { ${q} } } }`;
      return q;
    };
    expect((await user.client.fails('QUERY_TOO_COMPLEX', `{ adminUnit(code: "${region.code}") { ${summaries(3)} } }`)).extensions).toMatchObject({ limit: 'cost' });
  });
});

describe('time: deadline, statement_timeout, client disconnect', () => {
  /** Holds an exclusive lock on the transfer table in an owner transaction until release(). */
  async function lockTransfers(app: TestApp) {
    const em = app.ownerOrm.em.fork();
    await em.begin();
    await em.execute('lock table transfer in access exclusive mode');
    return { release: () => em.rollback() };
  }
  const transfers = (code: string) => `{ adminUnit(code: "${code}") { transfers(first: 5) { edges { node { id } } } } }`;
  const apiBackends = (app: TestApp) =>
    app.orm.em.getConnection().execute<{ pid: number; state: string; query: string }[]>(
      `select pid, state, query from pg_stat_activity where usename = current_user and pid <> pg_backend_pid() and (state = 'active' or state like 'idle in transaction%')`,
    );

  test('a statement past statement_timeout is TIMEOUT; the past-the-deadline request is TIMEOUT; both release their connection', async ({ app }) => {
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    for (const [limits, limit] of [[{ statementTimeoutMs: 200 }, 'statementTimeoutMs'], [{ deadlineMs: 300 }, 'deadlineMs']] as const) {
      const s = await serve(app, { limits });
      const lock = await lockTransfers(app);
      try {
        const [r, ms] = await timed(() => s.client(finance.token).request(transfers(region.code)));
        expect(r.data).toBeNull();
        expect(r.errors).toHaveLength(1);
        expect(r.errors![0]!.extensions).toMatchObject({ code: 'TIMEOUT', limit });
        expect(ms).toBeLessThan(3000);
      } finally {
        await lock.release();
      }
      // nothing of the request is left running or holding a transaction, and the server answers again
      await until(async () => (await apiBackends(app)).length === 0);
      expect((await s.client(finance.token).ok(transfers(region.code))).adminUnit.transfers.edges).toEqual([]);
      await s.app.stop();
    }
  });

  test('authentication past the statement timeout is TIMEOUT too, not an internal error', async ({ app }) => {
    const region = await app.tree.region();
    const user = await app.user(region, ['INSPECTOR']);
    const s = await serve(app, { limits: { statementTimeoutMs: 200 } });
    const em = app.ownerOrm.em.fork();
    await em.begin();
    await em.execute('lock table app_user in access exclusive mode');
    try {
      const r = await s.client(user.token).request(`{ me { user { username } } }`);
      expect([r.status, r.errors?.[0]?.extensions?.code]).toEqual([200, 'TIMEOUT']);
    } finally {
      await em.rollback();
      await s.app.stop();
    }
  });

  test('a client that disconnects cancels its running statement', async ({ app }) => {
    const region = await app.tree.region();
    const finance = await app.user(region, ['FINANCE']);
    const lock = await lockTransfers(app);
    try {
      const body = JSON.stringify({ query: transfers(region.code) });
      const port = new URL(app.url).port;
      const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${finance.token}`, 'content-length': Buffer.byteLength(body) } });
      req.on('error', () => undefined);
      req.end(body);
      // the request's statement waits on the lock
      const waiting = await until(async () => (await apiBackends(app)).find((b) => b.state === 'active' && /transfer/.test(b.query)));
      req.destroy();
      // gone well before the 10 s statement_timeout: cancelled, rolled back, connection back in the pool
      const [, ms] = await timed(() => until(async () => !(await apiBackends(app)).some((b) => b.pid === waiting.pid), 3000));
      expect(ms).toBeLessThan(3000);
    } finally {
      await lock.release();
    }
  });
});

describe('the HTTP edge', () => {
  test('a 20 MB body is 413 with a JSON error; XML is 415; GET works per the spec', async ({ app }) => {
    const big = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { unit { name } } }`, pad: 'x'.repeat(20 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxBodyBytes', max: DEFAULT_LIMITS.maxBodyBytes } }] });
    const xml = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
    const get = await fetch(`${app.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect([get.status, await get.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
    const getMutation = await fetch(`${app.url}?query=${encodeURIComponent('mutation { login(username: "x", password: "y") { token } }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(getMutation.status).toBe(405);
  });

  test('parse, validation and variable errors are 200 for application/json, 400 for application/graphql-response+json', async ({ app }) => {
    const post = (query: string, variables: unknown, accept?: string) =>
      fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: JSON.stringify({ query, variables }) });
    const cases: [string, unknown, string][] = [
      ['{ nope', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      ['query($c: String!) { adminUnit(code: $c) { name } }', { c: 5 }, 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, code] of cases) {
      const plain = await post(query, variables);
      expect([plain.status, ((await plain.json()) as any).errors[0].extensions.code]).toEqual([200, code]);
      const strict = await post(query, variables, 'application/graphql-response+json');
      expect([strict.status, ((await strict.json()) as any).errors[0].extensions.code]).toEqual([400, code]);
    }
  });

  test('introspection is off in production unless configured; anonymous callers get no field suggestions', async ({ app }) => {
    const region = await app.tree.region();
    const user = await app.user(region, ['INSPECTOR']);
    const prod = await serve(app, { production: true });
    const prodOn = await serve(app, { production: true, limits: { introspection: true } });
    try {
      await prod.client(user.token).fails('GRAPHQL_VALIDATION_FAILED', '{ __schema { queryType { name } } }');
      expect((await prodOn.client(user.token).ok('{ __schema { queryType { name } } }')).__schema.queryType.name).toBe('Query');
      expect((await app.anonymous.ok('{ __schema { queryType { name } } }')).__schema.queryType.name).toBe('Query'); // dev default
      const anon = await prod.client().fails('GRAPHQL_VALIDATION_FAILED', '{ adminUnt(code: "1") { name } }');
      expect(anon.message).toBe('Cannot query field "adminUnt" on type "Query".');
      const signedIn = await prod.client(user.token).fails('GRAPHQL_VALIDATION_FAILED', '{ adminUnt(code: "1") { name } }');
      expect(signedIn.message).toContain('Did you mean "adminUnit"');
    } finally {
      await prod.app.stop();
      await prodOn.app.stop();
    }
  });
});

test('the "unexpected error" log line carries the request id', async ({ app }) => {
  const lines: string[] = [];
  const log = createLogger('error', {}, (l) => lines.push(l));
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { boom: { type: GraphQLString, resolve: () => { throw new Error('boom'); } } } }),
  });
  const s = await serve(app, { schema, log });
  try {
    const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-boom-1' }, body: JSON.stringify({ query: '{ boom }' }) });
    expect(((await res.json()) as any).errors[0]).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unexpected error');
    expect(line).toMatchObject({ requestId: 'req-boom-1', error: { message: 'boom' }, path: ['boom'] });
  } finally {
    await s.app.stop();
  }
});
