import { test, expect, describe } from '@jiceng/testkit';
import { ACCOUNT_KINDS, FUNDS, STANDARD_KEYS, TRANSFER_KINDS } from '../src/enums.js';

// Each closed list is declared once (src/enums.ts); the SQL check constraints and the GraphQL enums must say the same.

/** The values a column's check constraint allows (`col in ('A', 'B')`, written by PostgreSQL as `= ANY (ARRAY[…])`). */
async function checkValues(app: any, table: string, column: string): Promise<string[]> {
  const rows = await app.asOwner((em: any) => em.execute(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'c' and c.conrelid = ?::regclass and a.attname = ? and array_length(c.conkey, 1) = 1`, [table, column]));
  const defs = rows.map((r: any) => r.def as string).filter((d: string) => d.includes('ARRAY['));
  expect(defs, `${table}.${column}`).toHaveLength(1);
  return [...defs[0]!.matchAll(/'([^']+)'::text/g)].map((m) => m[1]!);
}

describe('closed value lists', () => {
  test('the SQL check constraints allow exactly the values of enums.ts', async ({ app }) => {
    expect(await checkValues(app, 'account', 'fund')).toEqual([...FUNDS]);
    expect(await checkValues(app, 'account', 'kind')).toEqual([...ACCOUNT_KINDS]);
    expect(await checkValues(app, 'transfer', 'kind')).toEqual([...TRANSFER_KINDS]);
    expect(await checkValues(app, 'funding_standard', 'key')).toEqual([...STANDARD_KEYS]);
  });

  test('the GraphQL enums Fund and TransferKind list the same values, and a value outside them is refused before anything runs', async ({ app }) => {
    const region = await app.tree.region();
    const u = await app.user(region, ['FINANCE']);
    const values = async (name: string) => (await u.client.ok(`query($n: String!) { __type(name: $n) { enumValues { name } } }`, { n: name })).__type.enumValues.map((v: any) => v.name);
    expect(await values('Fund')).toEqual([...FUNDS]);
    expect(await values('TransferKind')).toEqual([...TRANSFER_KINDS]);
    const bad = await u.client.request(`query($c: String!) { adminUnit(code: $c) { transfers(kind: PAYMENT) { edges { node { id } } } } }`, { c: region.code });
    expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
