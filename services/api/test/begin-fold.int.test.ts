import pg from 'pg';
import { foldBeginIntoFirstStatement } from '@jiceng/db';
import { test, expect } from '@jiceng/testkit';

// A transaction's BEGIN travels with its first statement (packages/db/src/begin-fold.ts): fewer round
// trips, the same transaction. Round trips are counted as the server's ReadyForQuery messages.
async function folded(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  foldBeginIntoFirstStatement(pool);
  const client = await pool.connect();
  let trips = 0;
  (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => trips++);
  return {
    client,
    trips: () => trips,
    async close() {
      client.release();
      await pool.end();
    },
  };
}

test('a first statement with bound parameters carries the BEGIN: one round trip less, and it runs inside the transaction', async ({ app }) => {
  const c = await folded(app.db.apiUrl);
  try {
    for (const first of [
      { text: `select set_config('jiceng.fold', $1, true) as v`, values: ['bound'] },
      { name: 'jiceng_fold_test', text: `select set_config('jiceng.fold', $1, true) as v`, values: ['prepared'] },
    ]) {
      const before = c.trips();
      await c.client.query('begin');
      expect(c.trips() - before).toBe(0); // held back
      const r = await c.client.query(first);
      expect(r.rows).toEqual([{ v: first.values[0] }]); // its own result, not begin's
      expect(c.trips() - before).toBe(1);
      expect(c.client.getTransactionStatus()).toBe('T');
      // the transaction-local setting is still there: both statements ran in one transaction
      expect((await c.client.query(`select current_setting('jiceng.fold', true) as v`)).rows).toEqual([{ v: first.values[0] }]);
      await c.client.query('commit');
      expect(c.trips() - before).toBe(3); // was 4: begin, the statement, the read, commit
      expect((await c.client.query(`select coalesce(current_setting('jiceng.fold', true), '') as v`)).rows).toEqual([{ v: '' }]);
    }
  } finally {
    await c.close();
  }
});

test('commit or rollback before any statement sends nothing; a statement without parameters gets its own BEGIN', async ({ app }) => {
  const c = await folded(app.db.apiUrl);
  try {
    const before = c.trips();
    await c.client.query('begin');
    await c.client.query('rollback');
    expect(c.trips()).toBe(before);
    await c.client.query('begin');
    await c.client.query(`select set_config('jiceng.fold', 'simple', true)`);
    expect(c.client.getTransactionStatus()).toBe('T');
    expect((await c.client.query(`select current_setting('jiceng.fold', true) as v`)).rows).toEqual([{ v: 'simple' }]);
    await c.client.query('commit');
    expect(c.trips() - before).toBe(4); // begin, the statement, the read, commit: as without the fold
  } finally {
    await c.close();
  }
});

test('a first statement that fails leaves the transaction aborted, as before; the connection serves the next one', async ({ app }) => {
  const c = await folded(app.db.apiUrl);
  try {
    await c.client.query('begin');
    await expect(c.client.query('select 1 / $1::int as v', [0])).rejects.toThrow(/division by zero/);
    expect(c.client.getTransactionStatus()).toBe('E');
    await expect(c.client.query('select $1::int as v', [1])).rejects.toThrow(/current transaction is aborted/);
    await c.client.query('rollback');
    await c.client.query('begin');
    expect((await c.client.query('select $1::int as v', [2])).rows).toEqual([{ v: 2 }]);
    await c.client.query('commit');
    expect(c.client.getTransactionStatus()).toBe('I');
  } finally {
    await c.close();
  }
});
