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

describe('funding entities', () => {
  test('em.find with filters: false returns only rows inside the scope (RLS alone), for every funding entity but the configuration read from above', async ({ app }) => {
    const { inScope } = await import('@jiceng/db');
    const { fundingEntities, FundingStandardEntity } = await import('../src/entities/funding.entities.js');
    const { appropriate, allocate, disburse, grantAward, setRegionStandards, compactFundRollup } = await import('../src/funding.service.js');
    const { key, principalOf } = await import('./support.js');
    const region = await app.tree.region();
    const counties = [await region.county(), await region.county()];
    const villages = [await (await counties[0]!.township()).village(), await (await counties[1]!.township()).village()];
    const admin = await app.user(region, ['PLATFORM_ADMIN', 'FINANCE']);
    const platform = await app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
    const p = principalOf(admin);
    await app.asOwner((em: any) => em.execute(`insert into rectification_case (unit_id, year, state) select unnest(?::bigint[]), 2025, 'TRANSFORMED'`, [`{${villages.map((v) => v.id).join(',')}}`]));
    await inScope(app.orm, ['cn'], (em) => setRegionStandards(em, { ...principalOf(platform), scopes: ['cn'] }, { regionId: region.id, effectiveOn: '2025-01-01', values: { award: 100_000n } }));
    await inScope(app.orm, [region.path], async (em) => {
      for (const fund of ['OFFICE', 'AWARD'] as const) await appropriate(em, p, { regionId: region.id, fund, year: 2025, amount: 1_000_000n, key: key('ap') });
      for (const v of villages) {
        await allocate(em, p, { fromId: region.id, toId: v.id, fund: 'OFFICE', year: 2025, amount: 10_000n, key: key('al') });
        await disburse(em, p, { villageId: v.id, fund: 'OFFICE', year: 2025, amount: 1_000n, voucher: key('PZ'), on: '2025-04-01', key: key('d') });
        await grantAward(em, p, { villageId: v.id, year: 2025, key: key('aw') });
      }
    });
    // compacted rollup rows, then one pending delta
    await inScope(app.orm, ['cn'], (em) => compactFundRollup(em));
    await inScope(app.orm, [region.path], (em) => allocate(em, p, { fromId: region.id, toId: villages[0]!.id, fund: 'OFFICE', year: 2025, amount: 1n, key: key('al') }));
    const home = counties[0]!.path;
    await inScope(app.orm, [home], async (em) => {
      for (const entity of fundingEntities) {
        const rows = await em.find(entity as any, {}, { filters: false }) as { unitPath: string }[];
        if (entity === FundingStandardEntity) {
          // configuration is readable below the unit it is set on: the region's standards, seen from the county
          expect(rows.map((r) => r.unitPath)).toEqual([region.path]);
          continue;
        }
        expect(rows.length, entity.meta.className).toBeGreaterThan(0);
        expect(rows.filter((r) => r.unitPath !== home && !r.unitPath.startsWith(`${home}.`)), entity.meta.className).toEqual([]);
      }
    });
  });
});
