import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase, dropDatabase, databaseUrls, type DatabaseUrls } from '@jiceng/db';
import { TEST_PASSWORDS } from './passwords.js';

export interface TestDatabase extends DatabaseUrls {
  name: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = inject('jicengDb');
  const name = `jiceng_t_${randomBytes(5).toString('hex')}`;
  await createDatabase(adminUrl, name, template);
  return { name, ...databaseUrls(adminUrl, name, TEST_PASSWORDS), drop: () => dropDatabase(adminUrl, name) };
}
