#!/usr/bin/env node
// What the database alone allows for one disbursement per transaction on this machine: pgbench (the
// PostgreSQL client package) replays, with no Node.js in the loop, 8 clients for T seconds each (default
// 10), against a throwaway database (ledger-world.mjs):
//   - the statements one disburseFunds request sends through the service layer, exactly as sent: they are
//     captured from node-postgres while `disburse` runs once (as `pnpm bench funding` calls it), and
//     replayed with only the per-request values changed (the village, the idempotency key, the voucher);
//     each as its own message, in the simple query protocol as the service sends them (a captured statement
//     with bound parameters is refused: pgbench could not send it the same way);
//   - the posting statement alone in one round trip (scope and posting in one message, committed at once);
//   - for reference, the smallest write transaction (one row into a one-column table).
// Each client pays its own villages (client c the villages c, c + 8, …), as the service benchmark's 8
// requests in flight pay 8 different villages: no client waits on another's account lock.
// Figures from `pnpm bench funding` are compared with the first one (`pnpm bench ledger-ceiling funding`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, inScope } from '../../packages/db/dist/index.js';
import { disburse } from '../../packages/funding/dist/index.js';
import { allEntities } from '../../services/api/dist/index.js';
import { openLedgerWorld } from './ledger-world.mjs';

const SECONDS = Number(process.env.T ?? 10);
const CLIENTS = 8;
try {
  execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('pgbench is not installed (Debian: apt-get install postgresql-client)');
  process.exit(1);
}

/** The node-postgres the ORM uses (MikroORM's own dependency), to see the statements as they leave. */
function ormPg() {
  const db = createRequire(new URL('../../packages/db/package.json', import.meta.url));
  return createRequire(db.resolve('@mikro-orm/postgresql'))('pg');
}

/** The statements one request sends, as node-postgres sends them (text and bound values). */
async function capture(fn) {
  const { Client } = ormPg();
  const sent = [];
  const query = Client.prototype.query;
  Client.prototype.query = function (q, values, cb) {
    sent.push({ text: typeof q === 'string' ? q : q.text, values: (typeof q === 'string' ? values : (q.values ?? values)) ?? [] });
    return query.call(this, q, values, cb);
  };
  try {
    await fn();
  } finally {
    Client.prototype.query = query;
  }
  return sent;
}

const world = await openLedgerWorld({ poolMax: 1 });
const dir = mkdtempSync(join(tmpdir(), 'jiceng-ceiling-'));
try {
  const owner = await createOrm({ url: world.urls.ownerUrl, entities: allEntities(), poolMax: 1 });
  await inScope(owner, ['cn'], (em) => em.execute('create table bench_min (id bigint generated always as identity primary key, v integer); grant insert on bench_min to jiceng_api'));
  const ids = world.villages.map((v) => Number(v.id)).sort((a, b) => a - b);
  if (ids.at(-1) - ids[0] + 1 !== ids.length) throw new Error('the villages\' ids are not consecutive');
  const perClient = Math.floor((ids.length - CLIENTS) / CLIENTS); // client c pays villages c + 8j, j ≤ perClient

  // one request through the service layer, as `pnpm bench funding` sends it
  const KEY = 'ceiling-key-0001', VOUCHER = 'CEILING-VOUCHER-0001';
  const village = String(ids[0]);
  const sent = await capture(() => inScope(world.api, [world.county.path], (em) =>
    disburse(em, world.principal(world.county.path), { villageId: village, fund: 'OFFICE', year: 2026, amount: 100n, voucher: VOUCHER, on: '2026-03-01', key: KEY })));
  const bound = sent.filter((s) => s.values.length);
  // an older build's bound statements (ALLOW_BOUND=1, to compare builds): their values written into the text, so
  // pgbench sends them in the simple protocol, not as the service does (say so with the figure)
  if (bound.length && process.env.ALLOW_BOUND !== '1') throw new Error(`the request sends statements with bound parameters (the extended protocol), which pgbench -M simple cannot send the same way: ${bound.map((s) => s.text.slice(0, 80)).join(' | ')}`);
  const literal = (v) => `'${(Array.isArray(v) ? `{${v.map((x) => (String(x) === village ? ':v' : String(x))).join(',')}}` : String(v)).replaceAll("'", "''")}'`;
  for (const s of bound) s.text = s.text.replace(/\$(\d+)/g, (_, n) => literal(s.values[Number(n) - 1]));
  const replay = (text) => {
    const out = text.replaceAll(KEY, 'pgb-:client_id-:r').replaceAll(VOUCHER, 'PZ-:client_id-:r').replaceAll(`"${village}"`, '":v"');
    if (!out.includes(':v') && /jiceng_post/.test(text)) throw new Error('the posting statement does not name the village as captured');
    return out.trimEnd().replace(/;$/, '');
  };
  const vars = `\\set v ${ids[0]} + :client_id + ${CLIENTS} * random(0, ${perClient})\n\\set r random(1, 1000000000000)\n`;
  const request = `${vars}${sent.map((s) => `${replay(s.text)};\n`).join('')}`;
  const posting = sent.find((s) => /jiceng_post/.test(s.text));
  const scope = `select set_config('app.scopes', '{${world.county.path}}', true)`;
  const scripts = {
    [`the statements of one disburseFunds request as the service sends them (${sent.length} round trips: ${sent.map((s) => s.text.split(/\s/)[0]).join(', ')})${bound.length ? `, ${bound.length} bound statement(s) inlined` : ''}`]: request,
    'the posting statement alone, one round trip': `${vars}${scope} \\; ${replay(posting.text)};\n`,
    'reference: the smallest write transaction': 'insert into bench_min (v) values (1);\n',
  };
  if (process.env.SHOW_SQL === '1') console.log(request);
  for (const [name, sql] of Object.entries(scripts)) {
    const file = join(dir, 'tx.sql');
    writeFileSync(file, sql);
    const [before] = await inScope(owner, ['cn'], (em) => em.execute(`select count(*)::int as n from transfer where idempotency_key like 'pgb-%'`));
    let out;
    try {
      out = execFileSync('pgbench', ['-n', '-M', 'simple', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', file, world.urls.apiUrl], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`pgbench failed on "${name}": ${String(e.stderr).split('\n').slice(0, 3).join(' ')}`);
    }
    const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
    const done = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    const [after] = await inScope(owner, ['cn'], (em) => em.execute(`select count(*)::int as n from transfer where idempotency_key like 'pgb-%'`));
    // every replayed request must have paid (fresh key and voucher each): else the figure is not that of a payment
    const paid = after.n - before.n;
    if (!name.startsWith('reference') && paid !== done) throw new Error(`pgbench "${name}": ${done} transactions but ${paid} payments`);
    console.log(JSON.stringify({ name: `pgbench: ${name}`, clients: CLIENTS, seconds: SECONDS, perSecond: Math.round(tps), failed, paid: name.startsWith('reference') ? undefined : paid }));
  }
  await owner.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await world.close();
}
