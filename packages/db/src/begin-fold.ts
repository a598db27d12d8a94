import pg from 'pg';
import type { Pool, PoolClient, QueryConfig } from 'pg';

/**
 * Saves a request's BEGIN round trip. A pooled connection holds back the `begin` MikroORM (through
 * Kysely) sends when a transaction opens, and sends it in the same write as the transaction's first
 * statement when that statement uses the extended protocol (a prepared statement such as the account
 * read, or bound parameters): Parse/Bind/Execute of `begin`, then the statement's own messages, and one
 * Sync. PostgreSQL runs them in order, so the statement runs inside the transaction (its
 * `set_config(…, true)` lasts for it, a cancel lands on the same backend), and answers with one
 * ReadyForQuery: one round trip where there were two. If `begin` failed, the statement would not run and
 * its caller gets the error.
 *
 * Any other first statement (simple protocol, a cursor, a callback) is queued behind a `begin` of its
 * own, as before. A `commit` or `rollback` before any statement ends a transaction the server never
 * saw: nothing is sent.
 */
export function foldBeginIntoFirstStatement(pool: Pool): void {
  pool.on('connect', (client) => fold(client));
}

const BEGIN = /^\s*begin\s*;?\s*$/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;

type Callback = (err: Error | null, result?: pg.QueryResult) => void;
interface WireConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(q: { text: string }): void;
  bind(c: Record<string, unknown>): void;
  execute(c: Record<string, unknown>): void;
}
type QueryInternals = { text?: string; name?: string; values?: unknown; submit(c: WireConnection): Error | null; handleCommandComplete(msg: unknown, c: WireConnection): void };

/** A statement sent with `begin` in front of it, in one write ending with the statement's Sync. */
class BeginFirst extends (pg.Query as unknown as new (config: QueryConfig, values: unknown, callback: Callback) => QueryInternals) {
  private begun = false;

  override submit(connection: WireConnection): Error | null {
    // node-postgres's own refusals, before anything is written: a refusal after `begin`'s messages
    // would leave them on the wire without their Sync
    const refused = refusal(this, connection);
    if (refused) return refused;
    connection.stream.cork?.();
    try {
      connection.parse({ text: 'begin' });
      connection.bind({});
      connection.execute({});
      return super.submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }

  /** The first CommandComplete is `begin`'s: not a result of the statement. */
  override handleCommandComplete(msg: unknown, connection: WireConnection): void {
    if (!this.begun) {
      this.begun = true;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}

/** What Query#submit refuses (node-postgres 8), with its words. */
function refusal(q: QueryInternals, connection: WireConnection): Error | null {
  if (typeof q.text !== 'string' && typeof q.name !== 'string') return new Error('A query must have either text or a name. Supplying neither is unsupported.');
  const previous = q.name ? connection.parsedStatements[q.name] || connection.submittedNamedStatements[q.name] : undefined;
  if (q.text && previous && q.text !== previous) return new Error(`Prepared statements must be unique - '${q.name}' was used for a different statement`);
  if (q.values && !Array.isArray(q.values)) return new Error('Query values must be an array');
  return null;
}

const folded = new WeakSet<object>();

function fold(client: PoolClient): void {
  if (folded.has(client)) return;
  folded.add(client);
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  let held = false;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const callback = args.some((a) => typeof a === 'function');
    const plain = typeof text === 'string' && !callback && (values === undefined || (Array.isArray(values) && values.length === 0));
    if (plain && BEGIN.test(text) && !held && client.getTransactionStatus() !== 'T') {
      held = true;
      return Promise.resolve(emptyResult('BEGIN'));
    }
    if (!held) return query(...args);
    held = false;
    if (plain && END.test(text)) return Promise.resolve(emptyResult(text.trim().replace(/;$/, '').toUpperCase()));
    const config = (typeof text === 'string' ? { text } : text) as (QueryConfig & { submit?: unknown }) | null;
    const extended = !callback && !!config && typeof config.submit !== 'function' && (!!config.name || (Array.isArray(values ?? config.values) && ((values ?? config.values) as unknown[]).length > 0));
    if (!extended) {
      // begin first, in the same queue (node-postgres sends in order); its failure surfaces on the statement
      void query('begin').catch(() => undefined);
      return query(...args);
    }
    return new Promise<pg.QueryResult>((resolve, reject) => {
      void query(new BeginFirst(config, values, (err, result) => (err ? reject(err) : resolve(result!))));
    });
  };
}

function emptyResult(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}
