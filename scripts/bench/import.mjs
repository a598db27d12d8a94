#!/usr/bin/env node
// Spreadsheet import over HTTP against `pnpm start` (demo data): a file of the region's 11,588 rural
// villages' assessments (every 嘎查/村 of infra/data/units-15.csv.gz but the urban communities, as the demo
// assesses them) for the first year nobody has assessed yet, imported as demo-region: the first import
// (every row new, ~10% third category opening their cases), then the same file again (nothing changes),
// then as CSV. Target: < 20 s. Prints the job's progress and one JSON line per run.
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BENCH_URL, gql, login } from './http.mjs';

const ExcelJS = createRequire(new URL('../../packages/sheets/package.json', import.meta.url))('exceljs');
const base = BENCH_URL.replace(/\/graphql$/, '');
const token = await login('demo-region');

const villages = gunzipSync(readFileSync(new URL('../../infra/data/units-15.csv.gz', import.meta.url))).toString('utf8').split('\n').slice(1)
  .map((l) => l.split(','))
  .filter(([code, name]) => code?.length === 12 && code.slice(9) !== '000' && !/(社区|居委会|居民委员会)/.test(name));
let year = 2026;
while ((await gql(`query($y: Int!) { adminUnit(code: "150000000000") { rectificationSummary(year: $y) { assessed } } }`, { y: year }, token)).adminUnit.rectificationSummary.assessed) year++;
const h = (s) => createHash('sha1').update(s).digest().readUInt32BE(0) / 2 ** 32;
const rows = villages.map(([code]) => [code, year, h(code + year) < 0.1 ? 2 + Math.floor(h(code) * 3) : 5 + Math.floor(h(year + code) * 6)]);
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('十星级评定');
ws.addRow(['嘎查村代码', '年度', '星级']);
for (const r of rows) ws.addRow(r);
const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
const csv = Buffer.from(`\uFEFF嘎查村代码,年度,星级\r\n${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);
console.log(JSON.stringify({ villages: rows.length, year, third: rows.filter((r) => r[2] <= 4).length, xlsxBytes: xlsx.length, csvBytes: csv.length }));

async function run(name, body, type) {
  const t = performance.now();
  const res = await fetch(`${base}/import/assessments?name=bench`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body });
  let job = await res.json();
  if (res.status !== 202) throw new Error(JSON.stringify(job));
  const deadline = Date.now() + 300_000;
  let last = '';
  while (job.state !== 'DONE' && job.state !== 'FAILED') {
    if (Date.now() > deadline) throw new Error('no end within 300 s');
    await new Promise((r) => setTimeout(r, 200));
    job = await (await fetch(`${base}/import/jobs/${job.id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    const p = `${job.state} ${job.validated}/${job.total ?? '?'} validated, ${job.written} written`;
    if (p !== last) console.error(`  ${name}: ${p}`);
    last = p;
  }
  const ms = Math.round(performance.now() - t);
  console.log(JSON.stringify({ name, state: job.state, rows: job.total, ms, result: job.result, problems: job.problemCount, error: job.errorMessage ?? undefined }));
  if (job.state !== 'DONE') process.exitCode = 1;
  return ms;
}

await run('first import (xlsx, every row new)', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
await run('same file again (xlsx, nothing changes)', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
await run('same rows as CSV', csv, 'text/csv');
