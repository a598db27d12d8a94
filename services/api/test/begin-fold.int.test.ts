import { beginRequest, endRequest, executeBound, type EntityManager } from '@jiceng/db';
import { test, expect, describe } from '@jiceng/testkit';

/** True when the statement arrived in the same message as its transaction's BEGIN. */
const FOLDED = `statement_timestamp() = transaction_timestamp()`;

async function inRequest<T>(app: { orm: Parameters<typeof beginRequest>[0] }, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const em = await beginRequest(app.orm);
  try {
    return await fn(em);
  } finally {
    await endRequest(em, false).catch(() => undefined);
  }
}

describe("a request's BEGIN travels with its first statement", () => {
  test('a first statement without parameters is sent with BEGIN, and what it sets lasts for the transaction', async ({ app }) => {
    await inRequest(app, async (em) => {
      const [first] = await executeBound<{ folded: boolean }>(em, `select ${FOLDED} as folded, set_config('app.scopes', '{cn.x1}', true)`, []);
      expect(first?.folded).toBe(true);
      const [second] = await executeBound<{ scopes: string; folded: boolean; inTx: boolean }>(em,
        `select current_setting('app.scopes', true) as scopes, ${FOLDED} as folded, now() < statement_timestamp() as "inTx"`, []);
      expect(second).toEqual({ scopes: '{cn.x1}', folded: false, inTx: true });
    });
    // the setting was local to that transaction
    await inRequest(app, async (em) => {
      const [row] = await executeBound<{ scopes: string | null }>(em, `select nullif(current_setting('app.scopes', true), '') as scopes`, []);
      expect(row?.scopes).toBeNull();
    });
  });

  test('a first statement with bound parameters runs in the transaction after its own BEGIN', async ({ app }) => {
    await inRequest(app, async (em) => {
      await executeBound(em, `select set_config('app.scopes', $1, true)`, ['{cn.x2}']);
      const [row] = await executeBound<{ scopes: string }>(em, `select current_setting('app.scopes', true) as scopes`, []);
      expect(row?.scopes).toBe('{cn.x2}');
    });
  });

  test('commit and rollback with no statement at all succeed', async ({ app }) => {
    const a = await beginRequest(app.orm);
    await endRequest(a, true);
    const b = await beginRequest(app.orm);
    await endRequest(b, false);
    await inRequest(app, async (em) => {
      const [row] = await executeBound<{ folded: boolean }>(em, `select ${FOLDED} as folded`, []);
      expect(row?.folded).toBe(true);
    });
  });

  test('a first statement that fails (even before BEGIN could run) leaves the transaction aborted, as a failed statement does', async ({ app }) => {
    for (const bad of ['selec 1', 'select 1 from jiceng_no_such_table']) {
      const em = await beginRequest(app.orm);
      await expect(executeBound(em, bad, [])).rejects.toThrow();
      await expect(executeBound(em, `select 1`, [])).rejects.toMatchObject({ code: '25P02' });
      await endRequest(em, false);
      // the connection is clean for the next request
      await inRequest(app, async (next) => {
        const [row] = await executeBound<{ one: number }>(next, `select 1 as one`, []);
        expect(row?.one).toBe(1);
      });
    }
  });
});
