// Imports a code list into the database, as the owner with the whole country in scope.
// Usage: pnpm import:units <file.csv | file.csv.gz>
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createLogger, isAppError, readConfig } from '@jiceng/core';
import { createOrm, inScope, migrate } from '@jiceng/db';
import { importCodeList } from '@jiceng/tenancy';
import { allEntities, allMigrations, openConfiguredDatabase } from '../boot.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: pnpm import:units <file.csv | file.csv.gz>');
  process.exit(2);
}
const log = createLogger('info', { cli: 'import-units' });
const raw = readFileSync(file);
const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
const config = readConfig();
const db = await openConfiguredDatabase(config, { attach: true });
let code = 0;
try {
  await migrate(db.ownerUrl, allMigrations());
  const orm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 1 });
  const started = performance.now();
  try {
    const result = await inScope(orm, ['cn'], (em) => importCodeList(em, text));
    log.info('imported', { file, ...result, seconds: +((performance.now() - started) / 1000).toFixed(1) });
  } catch (e) {
    if (!isAppError(e)) throw e;
    const problems = (e.extensions.problems ?? []) as { line: number; message: string }[];
    for (const p of problems) console.error(`line ${p.line}: ${p.message}`);
    console.error(e.message);
    code = 1;
  } finally {
    await orm.close();
  }
} finally {
  await db.stop();
}
process.exit(code);
