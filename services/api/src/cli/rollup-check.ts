// Checks every module's rollups (per-unit figures kept on write) against their source rows: each module
// that keeps rollups exports a check (`JicengModule.rollupCheck`, from its index) and this runs them all
// over the whole tree. Prints every disagreement (rollup, unit, key — the year —, figure, both values; the first 200);
// exits 1 when any figure disagrees, 2 when it could not check. Runs beside a started service too (it
// attaches to its embedded database).
// Usage: pnpm rollup:check
import { inScope } from '@jiceng/db';
import type { RollupDisagreement } from '@jiceng/tenancy';
import { modules } from '../modules.js';
import { runCheck } from './check-frame.js';

await runCheck('rollup-check', async (orm, log) => {
  const found: RollupDisagreement[] = [];
  const checked: string[] = [];
  for (const m of modules) {
    if (!m.rollupCheck) continue;
    checked.push(m.name);
    found.push(...(await inScope(orm, ['cn'], m.rollupCheck)));
  }
  for (const d of found.slice(0, 200)) {
    console.log(`${d.rollup} unit ${d.unitId} (${d.unitPath}) key ${d.key}: ${d.figure} is ${d.rollupValue ?? 'missing'}, source rows say ${d.sourceValue ?? 'none'}`);
  }
  if (found.length) log.error('rollups disagree with their source rows', { modules: checked, disagreements: found.length });
  else log.info('rollups consistent', { modules: checked });
  return !found.length;
});
