// Light changes for the board benchmarks (web.mjs, web-page.mjs): NOTIFYs on the lightChanged channel for
// real villages of a unit, as a report would send them, without writing any warning.
import { withClient } from '../../packages/db/dist/index.js';
import { LIGHT_CHANGED_CHANNEL } from '../../packages/tenancy/dist/index.js';

/** The first 200 villages under `code` (id, path), read as the owner. */
export function villagesUnder(ownerUrl, code) {
  return withClient(ownerUrl, async (c) => {
    await c.query(`select set_config('app.scopes', '{cn}', false)`);
    const { rows } = await c.query(`select id::text, path::text from admin_unit where level = 'VILLAGE' and path <@ (select path from admin_unit where code = $1) order by code limit 200`, [code]);
    return rows;
  });
}

/**
 * Sends changes at `eps` per second on one connection until `stopped()` says so: the n-th moves the n-th
 * village (round robin) green → yellow or back. Returns how many were sent; `counter.sent` counts across calls.
 */
export function sendChanges(ownerUrl, villages, { eps, stopped, counter, prefix }) {
  return withClient(ownerUrl, async (c) => {
    while (!stopped()) {
      const n = counter.sent;
      const v = villages[n % villages.length];
      const to = n % 2 ? 'GREEN' : 'YELLOW';
      await c.query('select pg_notify($1, $2)', [LIGHT_CHANGED_CHANNEL, JSON.stringify({ villageId: v.id, path: v.path, from: to === 'GREEN' ? 'YELLOW' : 'GREEN', to, at: new Date().toISOString(), eventId: `${prefix}-${n}` })]);
      counter.sent++;
      await new Promise((r) => setTimeout(r, 1000 / eps));
    }
  });
}
