#!/usr/bin/env node
// `pnpm bench <name>…` runs scripts/bench/<name>.mjs in turn; without a name it lists them.
// The HTTP benchmarks expect a running `pnpm start`; country-import, ledger-ceiling and funding's ledger
// part start their own databases. Each prints JSON lines with the figures.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = new URL('./bench/', import.meta.url);
const HELPERS = ['http.mjs', 'ledger-world.mjs', 'bench-db.mjs', 'board-changes.mjs'];
const available = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !HELPERS.includes(f)).map((f) => f.slice(0, -4));
const wanted = process.argv.slice(2);
if (!wanted.length) {
  console.log(`usage: pnpm bench <${available.join('|')}>…`);
  process.exit(0);
}
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`no benchmark "${name}"; have: ${available.join(', ')}`);
    process.exit(1);
  }
  execFileSync(process.execPath, [new URL(`${name}.mjs`, dir).pathname], { stdio: 'inherit' });
}
