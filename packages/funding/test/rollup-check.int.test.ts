import { inScope } from '@jiceng/db';
import { test, expect } from '@jiceng/testkit';
import { allocate, appropriate } from '../src/funding.service.js';
import { fundingModule } from '../src/index.js';
import { checkLedgerAfterAll, key, principalOf } from './support.js';

const checkLedger = checkLedgerAfterAll();

test('pnpm rollup:check runs funding\'s check: a corrupted rollup row is named by rollup, unit, year and figure', async ({ app }) => {
  const region = await app.tree.region();
  const village = await (await (await region.county()).township()).village();
  const finance = await app.user(region, ['FINANCE']);
  checkLedger(app);
  await inScope(app.orm, [region.path], async (em) => {
    await appropriate(em, principalOf(finance), { regionId: region.id, fund: 'OFFICE', year: 2026, amount: 900n, key: key('ap') });
    await allocate(em, principalOf(finance), { fromId: region.id, toId: village.id, fund: 'OFFICE', year: 2026, amount: 300n, key: key('al') });
  });
  const check = fundingModule.rollupCheck!;
  expect(await inScope(app.orm, ['cn'], check)).toEqual([]);
  await app.asOwner((em) => em.execute(`update fund_unit_delta set amount = amount + 1 where id = (select min(id) from fund_unit_delta where unit_path = ?::ltree and kind = 'BUDGET')`, [region.path]));
  expect(await inScope(app.orm, ['cn'], check)).toEqual([
    { rollup: 'fund_unit_rollup', unitId: region.id, unitPath: region.path, key: '2026', figure: 'OFFICE BUDGET amount', rollupValue: '901', sourceValue: '900' },
  ]);
  await app.asOwner((em) => em.execute(`update fund_unit_delta set amount = amount - 1 where id = (select min(id) from fund_unit_delta where unit_path = ?::ltree and kind = 'BUDGET')`, [region.path]));
});
