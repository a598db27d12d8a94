import { defineConfig } from 'vitest/config';

// `pnpm test:e2e` (after `pnpm test` in .ci/run): the board in a real Chromium against the real API with
// the demo data (test/e2e/harness.ts). Files run one after another: they share one API and its data.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 360_000,
  },
});
