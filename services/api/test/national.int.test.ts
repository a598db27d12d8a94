import { test, expect, unitId } from '@jiceng/testkit';

// A national dashboard is one query at the country (000000000000), the root unit, like at any unit:
// its figures are those of every province together.
const COUNTRY = '000000000000';
const FIGURES = `counts { level count }
  rectificationSummary(year: 2025) { assessed targets byCause { cause count } }
  fundsSummary(year: 2025) { allocated balance }
  pairingCoverage(year: 2025) { targets fullyCovered }`;

test('the national dashboard sums the provinces: per-level counts, rectification, funds and pairing coverage', async ({ app }) => {
  const a = await app.tree.region();
  const b = await app.tree.region();
  const villageA = await (await (await a.county()).township()).village();
  const townshipB = await (await b.county()).township();
  const villageB = await townshipB.village();
  await townshipB.village();
  const admin = await app.user(await app.tree.country(), ['PLATFORM_ADMIN']);
  for (const [region, village, amount] of [[a, villageA, '1000.00'], [b, villageB, '250.50']] as const) {
    await admin.client.ok(`mutation($v: ID!) { designateWeakVillage(villageId: $v, year: 2025, cause: WEAK_LAX, problemTypes: ["LEADERSHIP"]) }`, { v: unitId(village) });
    await admin.client.ok(`mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k) { id } }`,
      { r: unitId(region), a: amount, k: `national-${region.code}` });
  }
  const r = await admin.client.ok(`query($a: String!, $b: String!) {
    country: adminUnit(code: "${COUNTRY}") { level ${FIGURES} }
    a: adminUnit(code: $a) { ${FIGURES} }
    b: adminUnit(code: $b) { ${FIGURES} }
  }`, { a: a.code, b: b.code });
  expect(r.country.level).toBe('COUNTRY');
  // this file's database holds these two provinces only
  expect(r.country.counts).toEqual([{ level: 'REGION', count: 2 }, { level: 'COUNTY', count: 2 }, { level: 'TOWNSHIP', count: 2 }, { level: 'VILLAGE', count: 3 }]);
  expect(r.country.rectificationSummary).toEqual({ assessed: 0, targets: 2, byCause: [{ cause: 'WEAK_LAX', count: 2 }] });
  expect([r.a.rectificationSummary.targets, r.b.rectificationSummary.targets]).toEqual([1, 1]);
  expect(r.country.fundsSummary).toEqual({ allocated: '1250.50', balance: '1250.50' });
  expect([r.a.fundsSummary.allocated, r.b.fundsSummary.allocated]).toEqual(['1000.00', '250.50']);
  expect(r.country.pairingCoverage).toEqual({ targets: 2, fullyCovered: 0 });

  // a province's staff see their province's figures, and nothing of the country
  const regional = await app.user(a, ['ORG_ADMIN', 'FINANCE']);
  expect((await regional.client.ok(`{ adminUnit(code: "${COUNTRY}") { ${FIGURES} } }`)).adminUnit).toBeNull();
  expect((await regional.client.ok(`query($a: String!) { adminUnit(code: $a) { ${FIGURES} } }`, { a: a.code })).adminUnit).toEqual(r.a);
});
