import { inScope } from '@jiceng/db';
import { test, expect, describe, type Node, type TestApp } from '@jiceng/testkit';
import { allocate, appropriate, disburse } from '../src/funding.service.js';
import { checkLedgerAfterAll, key, principalOf, UNIT_ID } from './support.js';

// Funding fields under a list of units cost one read per query level, however many units the level has.

const checkLedger = checkLedgerAfterAll();

/** A county with two townships of n villages each; each village allocated 100 + k yuan and paid 10; one village moved after 2025. */
async function county(app: TestApp, n: number) {
  const region = await app.tree.region();
  const c = await region.county();
  const townships = [await c.township(), await c.township()];
  const villages: { township: Node; village: Node }[] = [];
  for (const t of townships) for (let k = 0; k < n; k++) villages.push({ township: t, village: await t.village() });
  const finance = await app.user(region, ['FINANCE', 'ORG_ADMIN']);
  const p = principalOf(finance);
  await inScope(app.orm, [region.path], async (em) => {
    await appropriate(em, p, { regionId: region.id, fund: 'OFFICE', year: 2025, amount: 100_000_000n, key: key('ap') });
    for (const [k, { village }] of villages.entries()) {
      await allocate(em, p, { fromId: region.id, toId: village.id, fund: 'OFFICE', year: 2025, amount: 10_000n + BigInt(k) * 100n, key: key('al'), on: '2025-03-01' });
      await disburse(em, p, { villageId: village.id, fund: 'OFFICE', year: 2025, amount: 1_000n, voucher: key('PZ'), on: '2025-04-01', key: key('d') });
    }
  });
  // 撤乡并镇 after 2025: the first village of township 0 now lies under township 1, but its 2025 money stays with township 0
  const id = async (code: string) => (await finance.client.ok(UNIT_ID, { c: code })).adminUnit.id;
  await finance.client.ok(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { id } }`, { u: await id(villages[0]!.village.code), p: await id(townships[1]!.code) });
  checkLedger(app);
  return { region, county: c, townships, villages, finance };
}

const LIST = `query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated disbursed }
  fundingStandards { officePerVillage }
  fundingCompliance(year: 2025) { officeBelowStandardCount officeBelowStandard { code } counties { county { code } unit { code } allocated } }
  children(first: 2) { edges { node { code
    fundsSummary(year: 2025) { allocated disbursed byFund { fund allocated } }
    fundingStandards(on: "2025-06-01") { officePerVillage award }
    transfers(first: 2, kind: DISBURSE) { edges { node { amount voucher unit { code } village { code } } } }
    children(first: 8) { edges { node { code
      fundsSummary(year: 2025) { allocated disbursed spent balance }
      fundingStandards { officePerVillage }
      transfers(first: 2) { edges { node { kind amount unit { code } village { code } } } } } } } } } } } }`;

describe('funding fields under lists', () => {
  test('fundsSummary, fundingStandards, transfers { unit village } and fundingCompliance pieces: the same statements for 2 and 6 villages per township, a moved village included', async ({ app }) => {
    const counts: number[] = [];
    for (const n of [2, 6]) {
      const w = await county(app, n);
      app.sqlCount = 0;
      const r = (await w.finance.client.ok(LIST, { c: w.county.code })).adminUnit;
      counts.push(app.sqlCount);

      const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
      const allocated = (k: number) => 10_000n + BigInt(k) * 100n;
      const total = w.villages.reduce((s, _v, k) => s + allocated(k), 0n);
      expect(r.fundsSummary).toEqual({ allocated: yuan(total), disbursed: yuan(1_000n * BigInt(2 * n)) });
      expect(r.fundingCompliance.officeBelowStandardCount).toBe(2 * n);
      expect(r.fundingCompliance.officeBelowStandard).toHaveLength(2 * n);
      expect(r.fundingCompliance.counties).toEqual([{ county: { code: w.county.code }, unit: { code: w.county.code }, allocated: yuan(total) }]);

      const townships = new Map(r.children.edges.map((e: any) => [e.node.code, e.node]));
      expect(townships.size).toBe(2);
      for (const [t, township] of w.townships.entries()) {
        const node: any = townships.get(township.code);
        // 2025 on the tree of 2025: township 0 keeps its n villages' money, township 1 its own n
        const mine = w.villages.map((v, k) => ({ ...v, k })).filter((v) => v.township.code === township.code);
        const sum = mine.reduce((s, v) => s + allocated(v.k), 0n);
        expect(node.fundsSummary).toEqual({ allocated: yuan(sum), disbursed: yuan(1_000n * BigInt(n)), byFund: [{ fund: 'OFFICE', allocated: yuan(sum) }] });
        expect(node.fundingStandards).toEqual({ officePerVillage: '50000.00', award: '100000.00' });
        // transfers follow today's tree (a move carries its rows)
        expect(node.transfers.edges).toHaveLength(Math.min(2, t === 0 ? n - 1 : n + 1));
        for (const e of node.transfers.edges) expect(e.node.village).toEqual(e.node.unit);
        // today's children: township 1 has the moved village too
        expect(node.children.edges).toHaveLength(t === 0 ? n - 1 : n + 1);
        for (const { node: v } of node.children.edges) {
          const k = w.villages.findIndex((x) => x.village.code === v.code);
          expect(v.fundsSummary).toEqual({ allocated: yuan(allocated(k)), disbursed: '10.00', spent: '0.00', balance: yuan(allocated(k)) });
          expect(v.fundingStandards).toEqual({ officePerVillage: '50000.00' });
          expect(v.transfers.edges.map((e: any) => e.node.kind).sort()).toEqual(['ALLOCATE', 'DISBURSE']);
          for (const e of v.transfers.edges) expect(e.node).toMatchObject({ unit: { code: v.code }, village: { code: v.code } });
        }
      }
    }
    console.log(`funding fields under lists: ${counts.join(' and ')} SQL statements`);
    expect(counts[1]).toBe(counts[0]);
  });
});
