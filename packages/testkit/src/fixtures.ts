import { test as base } from 'vitest';
import { TestApp } from './app.js';

/**
 * `app` is one running API on one fresh database per test file (file-scoped fixture); tests
 * build their own units under it so they do not see each other's data.
 */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from its first parameter, which must be a pattern
export const test = base.extend('app', { scope: 'file' }, async ({}, { onCleanup }) => {
  const app = await TestApp.start();
  onCleanup(() => app.stop());
  return app;
});
export { expect, describe, beforeAll, afterAll } from 'vitest';
