#!/usr/bin/env node
// `pnpm bench compare`: the API against PostGraphile 5 (amber preset) on the same database, role and scope.
//
// PostGraphile logs in as the API's own role (jiceng_api: no superuser, no BYPASSRLS) and sets, per request,
// `role` and `app.scopes` to demo-region's scope (pgSettings), so row-level security gives both the same
// rows. Three queries as demo-region: one unit by code; the region → 2 levels of children (120 units);
// 宁城县 → townships → villages (359 units). Both answers are checked to hold the same units, then each
// query runs in alternating rounds (API, PostGraphile, PostGraphile, API, …) with CONCURRENCY requests in
// flight, and the throughput ratio API / PostGraphile is printed (target ≥ 1.0).
//
// The API: BENCH_URL (default http://localhost:$PORT/graphql) when it answers, with its data directory in
// JICENG_DATA_DIR (default .data) for the database's port and the API role's password; otherwise this
// script starts one (`services/api/dist/main.js`, demo data) on a free port with JICENG_DATA_DIR (default
// /tmp/jiceng-bench-compare, kept between runs so the demo seed runs once) and stops it at the end.
// PostGraphile runs in a child process of its own, like the API. Environment: ROUNDS (6), ROUND_MS
// (2000), CONCURRENCY (8), QUERIES (comma-separated names, default all), and BASELINE_URL: another build
// of the API on the same database (before a change), measured in the same rounds (`baselineRatio`); several
// builds comma-separated (steps of a change), each a side of its own (`baselines`).
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO_USER = 'demo-region';
const DEMO_PASSWORD = 'jiceng-demo';
/** demo-region's scope (its unit 150000000000's path): what the API sets for it, given to PostGraphile */
const SCOPE = '{cn.r15}';

const unitFields = 'id code name level';
export const QUERIES = [
  {
    name: 'unit by code',
    units: 1,
    api: `{ adminUnit(code: "150429100200") { ${unitFields} } }`,
    pg: `{ adminUnitByCode(code: "150429100200") { ${unitFields} } }`,
  },
  {
    name: 'region → 2 levels',
    units: 121, // the region and the 120 units of its two levels
    api: `{ adminUnit(code: "150000000000") { ${unitFields} children(first: 20) { edges { node { ${unitFields} children(first: 20) { edges { node { ${unitFields} } } } } } } } }`,
    pg: `{ adminUnitByCode(code: "150000000000") { ${unitFields} adminUnitsByParentId(first: 20, orderBy: CODE_ASC) { edges { node { ${unitFields} adminUnitsByParentId(first: 20, orderBy: CODE_ASC) { edges { node { ${unitFields} } } } } } } } }`,
  },
  {
    // villages with code and name only: the same query with every field would pass the default cost limit
    name: '宁城县 → townships → villages',
    units: 360, // the county and its 359 units
    api: `{ adminUnit(code: "150429000000") { ${unitFields} children(first: 25) { edges { node { ${unitFields} children(first: 40) { edges { node { code name } } } } } } } }`,
    pg: `{ adminUnitByCode(code: "150429000000") { ${unitFields} adminUnitsByParentId(first: 25, orderBy: CODE_ASC) { edges { node { ${unitFields} adminUnitsByParentId(first: 40, orderBy: CODE_ASC) { edges { node { code name } } } } } } } }`,
  },
];

// ---- the PostGraphile child ----
if (process.argv[2] === '--postgraphile') {
  const { postgraphile } = await import('postgraphile');
  const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
  const { makePgService } = await import('postgraphile/adaptors/pg');
  const { grafserv } = await import('postgraphile/grafserv/node');
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: process.env.PG_URL, schemas: ['public'], pgSettings: () => ({ role: 'jiceng_api', 'app.scopes': SCOPE }) })],
    grafserv: { graphqlPath: '/graphql', graphiql: false },
  });
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server);
  await serv.ready();
  // run by hand (`PG_URL=… PG_PORT=… node compare.mjs --postgraphile`) it just serves
  server.listen(Number(process.env.PG_PORT ?? 0), '127.0.0.1', () => (process.send ? process.send({ port: server.address().port }) : console.log(`PostGraphile on ${server.address().port}`)));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

async function main() {
  const rounds = Number(process.env.ROUNDS ?? 6);
  const roundMs = Number(process.env.ROUND_MS ?? 2000);
  const concurrency = Number(process.env.CONCURRENCY ?? 8);
  const only = process.env.QUERIES?.split(',').map((s) => s.trim());
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const children = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('exit', stopAll);
  try {
    let apiUrl = process.env.BENCH_URL ?? (process.env.PORT ? `http://localhost:${process.env.PORT}/graphql` : null);
    let dataDir = resolve(root, process.env.JICENG_DATA_DIR ?? '.data');
    if (!apiUrl || !(await answers(apiUrl))) {
      dataDir = resolve(process.env.JICENG_DATA_DIR ?? '/tmp/jiceng-bench-compare');
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}/graphql`;
      console.error(`starting the API on port ${port} with data in ${dataDir} (the demo seed takes a while the first time)`);
      const api = spawn(process.execPath, [resolve(root, 'services/api/dist/main.js')], {
        env: { ...process.env, PORT: String(port), JICENG_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(api);
      await waitFor(() => answers(apiUrl), 300_000, 'the API to start');
    }
    const pgUrl = process.env.COMPARE_PG_URL ?? apiRoleUrl(dataDir);
    const pg = fork(fileURLToPath(import.meta.url), ['--postgraphile'], { env: { ...process.env, PG_URL: pgUrl, GRAPHILE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(pg);
    const pgPort = await new Promise((ok, fail) => {
      pg.once('message', (m) => ok(m.port));
      pg.once('exit', (code) => fail(new Error(`PostGraphile exited (${code})`)));
    });
    const pgGraphql = `http://127.0.0.1:${pgPort}/graphql`;

    const signIn = async (url) => (await post(url, `mutation { login(username: "${DEMO_USER}", password: "${DEMO_PASSWORD}") { token } }`)).data.login.token;
    const agent = () => new Agent({ keepAlive: true, maxSockets: concurrency });
    const targets = {
      api: { url: apiUrl, headers: { authorization: `Bearer ${await signIn(apiUrl)}` }, agent: agent() },
      pg: { url: pgGraphql, headers: {}, agent: agent() },
    };
    // BASELINE_URL: one build or several (comma-separated), each its own side in the same rounds
    const baseUrls = process.env.BASELINE_URL?.split(',').map((u) => u.trim()).filter(Boolean) ?? [];
    const baseSides = baseUrls.map((_, i) => (i ? `base${i + 1}` : 'base'));
    for (const [i, url] of baseUrls.entries()) targets[baseSides[i]] = { url, headers: { authorization: `Bearer ${await signIn(url)}` }, agent: agent() };
    const sides = Object.keys(targets);
    const results = [];
    for (const q of QUERIES.filter((q) => !only || only.includes(q.name))) {
      const apiBody = await post(targets.api.url, q.api, targets.api);
      const pgBody = await post(targets.pg.url, q.pg, targets.pg);
      const a = unitsOf(apiBody);
      const b = unitsOf(pgBody);
      if (a.length !== q.units || JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(`${q.name}: the answers differ (API ${a.length} units, PostGraphile ${b.length}, expected ${q.units})`);
      }
      for (const side of baseSides) {
        if (JSON.stringify(unitsOf(await post(targets[side].url, q.api, targets[side]))) !== JSON.stringify(a)) throw new Error(`${q.name}: the baseline's answer differs (${targets[side].url})`);
      }
      const queryOf = (side) => (side === 'pg' ? q.pg : q.api);
      // warm every side (JIT, plans, pools), then alternate, each round in the reverse order of the last
      for (const side of sides) await load(targets[side], queryOf(side), concurrency, 500);
      const sums = Object.fromEntries(sides.map((side) => [side, { n: 0, ms: 0 }]));
      const ratios = [];
      const sideRatios = Object.fromEntries(baseSides.map((side) => [side, []]));
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 ? [...sides].reverse() : sides;
        const got = {};
        for (const side of order) {
          got[side] = await load(targets[side], queryOf(side), concurrency, roundMs);
          sums[side].n += got[side].n;
          sums[side].ms += got[side].ms;
        }
        ratios.push(got.api.n / got.api.ms / (got.pg.n / got.pg.ms));
        for (const side of baseSides) sideRatios[side].push(got[side].n / got[side].ms / (got.pg.n / got.pg.ms));
      }
      const rps = (s) => (s.n / s.ms) * 1000;
      const spread = (list) => {
        const sorted = [...list].sort((x, y) => x - y);
        return { min: +sorted[0].toFixed(2), median: +sorted[Math.floor(sorted.length / 2)].toFixed(2), max: +sorted.at(-1).toFixed(2) };
      };
      ratios.sort((x, y) => x - y);
      const result = {
        name: q.name,
        units: q.units,
        apiPerSecond: +rps(sums.api).toFixed(1),
        postgraphilePerSecond: +rps(sums.pg).toFixed(1),
        ratio: +(rps(sums.api) / rps(sums.pg)).toFixed(2),
        ...(targets.base ? { baselinePerSecond: +rps(sums.base).toFixed(1), baselineRatio: +(rps(sums.base) / rps(sums.pg)).toFixed(2) } : {}),
        ...(baseSides.length > 1
          ? { baselines: baseSides.map((side) => ({ url: targets[side].url, perSecond: +rps(sums[side]).toFixed(1), ratio: +(rps(sums[side]) / rps(sums.pg)).toFixed(2), roundRatios: spread(sideRatios[side]) })) }
          : {}),
        roundRatios: { min: +ratios[0].toFixed(2), median: +ratios[Math.floor(ratios.length / 2)].toFixed(2), max: +ratios.at(-1).toFixed(2) },
        rounds,
        roundMs,
        concurrency,
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
    const below = results.filter((r) => r.ratio < 1);
    console.log(below.length ? `below 1.0×: ${below.map((r) => `${r.name} ${r.ratio}×`).join(', ')}` : 'every query ≥ 1.0× PostGraphile');
  } finally {
    stopAll();
  }
}

/** The API role's connection string, from the data directory of an embedded database (the one the service uses). */
function apiRoleUrl(dataDir) {
  const secrets = resolve(dataDir, 'secrets.json');
  const pid = resolve(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(secrets) || !existsSync(pid)) throw new Error(`no embedded database in ${dataDir}: set JICENG_DATA_DIR to the service's, or COMPARE_PG_URL`);
  const { apiPassword } = JSON.parse(readFileSync(secrets, 'utf8'));
  const port = readFileSync(pid, 'utf8').split('\n')[3].trim();
  return `postgres://jiceng_api:${encodeURIComponent(apiPassword)}@127.0.0.1:${port}/jiceng`;
}

/** The units in an answer, in order: code and name of every node at any depth. */
function unitsOf(body) {
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const out = [];
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    if (typeof v.code === 'string') out.push(`${v.code} ${v.name}`);
    for (const [k, x] of Object.entries(v)) if (k !== 'code' && k !== 'name') walk(x);
  };
  walk(body.data);
  return out;
}

/** Keeps `concurrency` requests in flight for `ms`; returns how many completed and the time taken. */
async function load(target, query, concurrency, ms) {
  const body = JSON.stringify({ query });
  const started = performance.now();
  const until = started + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const res = await send(target, body);
        if (res.status !== 200 || res.text.includes('"errors"')) throw new Error(`${target.url}: ${res.status} ${res.text.slice(0, 300)}`);
        n++;
      }
    }),
  );
  return { n, ms: performance.now() - started };
}

function send(target, body) {
  return new Promise((ok, fail) => {
    const req = request(
      target.url,
      { method: 'POST', agent: target.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

async function post(url, query, target = { url, headers: {}, agent: undefined }) {
  const res = await send({ ...target, url }, JSON.stringify({ query }));
  return JSON.parse(res.text);
}

async function answers(url) {
  try {
    const res = await fetch(new URL('/readyz', url));
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}
