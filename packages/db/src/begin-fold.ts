import type { Pool, PoolClient } from 'pg';

/**
 * Saves a request's BEGIN round trip: a pooled connection holds back the `begin` MikroORM (through
 * Kysely) sends when a request opens its transaction, and sends it with the transaction's first
 * statement. A first statement without bound parameters (the simple query protocol: the account read,
 * the anonymous scope) travels in the same message as `begin; <statement>`: one round trip where there
 * were two. Any other first statement (bound parameters, a cursor) is queued right behind a `begin` of
 * its own, as before. A `commit` or `rollback` before any statement ends a transaction the server never
 * saw: nothing is sent.
 *
 * Nothing else changes: the statement runs inside the transaction (PostgreSQL runs a simple query's
 * statements one by one, and after `begin` they are in its block), so its `set_config(…, true)` (the
 * scope, the timeouts) lasts for the transaction, `statement_timeout` applies to each statement of the
 * message (PostgreSQL ≥ 13), and a cancel lands on the same backend. If the message fails the
 * transaction is aborted as before; if it failed before `begin` ran (a syntax error fails the whole
 * message before any of it runs), a transaction is opened and failed in one more message, so the
 * server is where it would have been: later statements refused, `commit` rolling back.
 */
export function foldBeginIntoFirstStatement(pool: Pool): void {
  pool.on('connect', (client) => fold(client));
}

const folded = new WeakSet<object>();

function fold(client: PoolClient): void {
  if (folded.has(client)) return;
  folded.add(client);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let pending = false;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: unknown, ...args: unknown[]) {
    const [text, values] = args;
    const simple = typeof text === 'string' && args.length <= 2 && (values === undefined || (Array.isArray(values) && values.length === 0));
    if (simple && /^\s*begin\s*;?\s*$/i.test(text) && !pending && client.getTransactionStatus?.() !== 'T') {
      pending = true;
      return Promise.resolve(emptyResult('BEGIN'));
    }
    if (!pending) return query(...args);
    pending = false;
    if (simple && /^\s*(commit|rollback)\s*;?\s*$/i.test(text)) return Promise.resolve(emptyResult(text.trim().replace(/;$/, '').toUpperCase()));
    if (!simple) {
      // bound parameters or a cursor: begin first, in the same queue (node-postgres sends in order)
      void (query('begin') as Promise<unknown>).catch(() => undefined);
      return query(...args);
    }
    return (query(`begin;\n${text}`) as Promise<unknown>).then(
      (r) => (Array.isArray(r) ? (r.length === 2 ? r[1] : r.slice(1)) : r),
      async (e: unknown) => {
        // failed before begin ran: open the transaction and fail it, as a failed first statement leaves it
        if (client.getTransactionStatus?.() === 'I') await (query('begin;\nselect 1/0') as Promise<unknown>).catch(() => undefined);
        throw e;
      },
    );
  };
}

function emptyResult(command: string) {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}
