// The frame of the consistency checks (pnpm ledger:check, pnpm rollup:check): attach to the configured
// database (beside a started service too), run the check as the owner over the whole tree, and exit 0 when
// consistent, 1 when it found something, 2 when it could not check.
import { createLogger, readConfig, type Logger } from '@jiceng/core';
import { createOrm, type DatabaseHandle, type Orm } from '@jiceng/db';
import { allEntities, openConfiguredDatabase } from '../boot.js';

/** Runs `check`, which logs what it found and resolves whether everything was consistent. */
export async function runCheck(name: string, check: (orm: Orm, log: Logger) => Promise<boolean>): Promise<void> {
  const log = createLogger('info', { cli: name });
  let db: DatabaseHandle | undefined;
  let code = 2;
  try {
    db = await openConfiguredDatabase(readConfig(), { attach: true });
    const orm = await createOrm({ url: db.ownerUrl, entities: allEntities(), poolMax: 1 });
    try {
      code = (await check(orm, log)) ? 0 : 1;
    } finally {
      await orm.close();
    }
  } catch (e) {
    log.error(`${name} could not run`, { error: e instanceof Error ? e : new Error(String(e)) });
  } finally {
    await db?.stop();
  }
  process.exitCode = code;
}
