// A test file's browser: launched before its tests, closed after them, with the API's address.
import { afterAll, beforeAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './harness.js';

export function withBrowser(): { base: string; browser: () => Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return { base: inject('webBaseUrl'), browser: () => browser! };
}
