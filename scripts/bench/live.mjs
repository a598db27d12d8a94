#!/usr/bin/env node
// Subscriptions: N subscribers (default 1,000; N=…) connected over graphql-ws to one API instance, all on
// lightChanged of one township, held by 10 accounts; E events (default 20; E=…) sent one after another
// with pg_notify, each when the previous has reached everyone. Prints the delivery latency (NOTIFY sent
// → the client has the message) over all deliveries. The clients run in this same process as the server
// (one Node.js on the same cores): a conservative figure. Throwaway database as in ledger-world.mjs.
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createLogger, toGlobalId } from '../../packages/core/dist/index.js';
import { createOrm, inScope } from '../../packages/db/dist/index.js';
import { signToken, LIGHT_CHANGED_CHANNEL } from '../../packages/tenancy/dist/index.js';
import { allEntities, buildAppSchema, createApp, modules } from '../../services/api/dist/index.js';
import { openLedgerWorld } from './ledger-world.mjs';

const N = Number(process.env.N ?? 1000);
const E = Number(process.env.E ?? 20);
const ACCOUNTS = 10;

async function until(cond, what, ms = 60_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const world = await openLedgerWorld({ poolMax: 20 });
const owner = await createOrm({ url: world.urls.ownerUrl, entities: allEntities(), poolMax: 2 });
const settings = { jwtKey: new TextEncoder().encode('bench-live-secret-bench-live-secret'), tokenTtlSeconds: 3600, production: true };
let app;
const clients = [];
try {
  const township = await inScope(owner, ['cn'], async (em) => (await em.execute(`select id, path::text as path from admin_unit where level = 'TOWNSHIP' and path <@ 'cn.r99'`))[0]);
  const tokens = await inScope(owner, ['cn'], async (em) => {
    const out = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const [u] = await em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values (?, ?, 'x', ?, '{ORG_ADMIN}') returning id`, [`bench-live-${i}`, `bench-live-${i}`, township.id]);
      out.push(await signToken(settings, String(u.id), 1));
    }
    return out;
  });
  const { schema } = await buildAppSchema(modules);
  app = await createApp({ orm: world.api, schema, settings, log: createLogger('error') });
  await new Promise((ok) => app.server.listen(0, '127.0.0.1', ok));
  const url = `ws://127.0.0.1:${app.server.address().port}/graphql`;
  const unitId = toGlobalId('AdminUnit', String(township.id));
  const received = new Array(N).fill(0);
  const arrivals = [];
  let sentAt = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { token: tokens[i % ACCOUNTS] }, retryAttempts: 0, lazy: true });
    clients.push(client);
    client.subscribe({ query: `subscription($u: ID!) { lightChanged(unitId: $u) { village { code } from to at } }`, variables: { u: unitId } }, {
      next: (r) => {
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        received[i]++;
        arrivals.push(performance.now() - sentAt);
      },
      error: (e) => console.error('subscription error', e),
      complete: () => undefined,
    });
  }
  await until(() => app.live.hub.subscribers === N, `${N} subscriptions`);
  const connectMs = performance.now() - t0;
  const village = world.villages[0];
  for (let e = 1; e <= E; e++) {
    const payload = JSON.stringify({ villageId: village.id, path: village.path, from: 'GREEN', to: e % 2 ? 'RED' : 'GREEN', at: new Date().toISOString(), eventId: `bench-${e}` });
    sentAt = performance.now();
    await inScope(owner, ['cn'], (em) => em.execute('select pg_notify(?, ?)', [LIGHT_CHANGED_CHANNEL, payload]));
    await until(() => received.every((n) => n >= e), `event ${e} everywhere`);
  }
  arrivals.sort((a, b) => a - b);
  const pct = (p) => +arrivals[Math.min(arrivals.length - 1, Math.floor((p / 100) * arrivals.length))].toFixed(1);
  console.log(JSON.stringify({ name: 'lightChanged delivery (NOTIFY → client)', subscribers: N, events: E, deliveries: arrivals.length, p50: pct(50), p95: pct(95), max: pct(100), connectAllMs: Math.round(connectMs) }));
} finally {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.stop(1000);
  await owner.close();
  await world.close();
}
