import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';

const require = createRequire(import.meta.url);

export default defineConfig({
  // decorators with metadata (type-graphql) need swc; esbuild does not emit metadata
  plugins: [swc.vite({ jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { decoratorMetadata: true, legacyDecorator: true }, target: 'es2023' } })],
  resolve: {
    // workspace packages resolve to their TypeScript sources, no build needed
    conditions: ['source'],
    // exactly one graphql: two copies fail with "another module or realm"
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ['packages/testkit/src/setup.ts'],
  },
});
