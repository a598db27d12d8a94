#!/usr/bin/env node
// What the database alone allows for one disbursement per transaction on this machine: pgbench (the
// PostgreSQL client package) runs the posting with no Node.js in the loop, 8 clients for T seconds each
// (default 10), against a throwaway database (ledger-world.mjs):
//   - the statements a disburseFunds request sends (BEGIN, scope, the village, the posting, COMMIT);
//   - the posting alone in one round trip (scope and posting in one message, committed at once);
//   - for reference, the smallest write transaction (one row into a one-column table).
// Figures from `pnpm bench funding` above these are out of reach for the service layer here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, inScope } from '../../packages/db/dist/index.js';
import { allEntities } from '../../services/api/dist/index.js';
import { openLedgerWorld } from './ledger-world.mjs';

const SECONDS = Number(process.env.T ?? 10);
try {
  execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('pgbench is not installed (Debian: apt-get install postgresql-client)');
  process.exit(1);
}
const world = await openLedgerWorld({ poolMax: 1 });
const dir = mkdtempSync(join(tmpdir(), 'jiceng-ceiling-'));
try {
  const owner = await createOrm({ url: world.urls.ownerUrl, entities: allEntities(), poolMax: 1 });
  await inScope(owner, ['cn'], (em) => em.execute('create table bench_min (id bigint generated always as identity primary key, v integer); grant insert on bench_min to jiceng_api'));
  await owner.close();
  const ids = world.villages.map((v) => Number(v.id));
  const scope = `{${world.county.path}}`;
  const village = `\\set v random(${Math.min(...ids)}, ${Math.max(...ids)})\n`;
  const posting = `select * from jiceng_post_transfer('pgb-' || md5(random()::text), 'h', 'DISBURSE', 'OFFICE', 2026, :v, 'BUDGET', :v, 'CASH', 100, '2026-03-01', 'PZ-' || md5(random()::text), null, null, null, null, ${world.user})`;
  const scripts = {
    'the statements of one disburseFunds request, five round trips': `${village}begin;\nselect set_config('app.scopes', '${scope}', true);\nselect * from admin_unit where id = any (array[:v]::bigint[]) and path <@ any ('${scope}'::ltree[]);\n${posting};\ncommit;\n`,
    'the posting alone, one round trip': `${village}select set_config('app.scopes', '${scope}', true) \\; ${posting};\n`,
    'reference: the smallest write transaction': 'insert into bench_min (v) values (1);\n',
  };
  for (const [name, sql] of Object.entries(scripts)) {
    const file = join(dir, 'tx.sql');
    writeFileSync(file, sql);
    let out;
    try {
      out = execFileSync('pgbench', ['-n', '-c', '8', '-j', '2', '-T', String(SECONDS), '-f', file, world.urls.apiUrl], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`pgbench failed on "${name}": ${String(e.stderr).split('\n').slice(0, 3).join(' ')}`);
    }
    const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    console.log(JSON.stringify({ name: `pgbench: ${name}`, clients: 8, seconds: SECONDS, perSecond: Math.round(tps), failed }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await world.close();
}
