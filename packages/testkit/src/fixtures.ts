import { test as base } from 'vitest';
import { TestApp } from './app.js';

/**
 * `app` is one running API on one fresh database per test file (file-scoped fixture); tests
 * build their own units under it so they do not see each other's data.
 */
export const test = base.extend<{}, { app: TestApp }>({
  app: [
    async ({}, use) => {
      const app = await TestApp.start();
      await use(app);
      await app.stop();
    },
    { scope: 'file' },
  ],
});
export { expect, describe, beforeAll, afterAll } from 'vitest';
