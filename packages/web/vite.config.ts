import { defineConfig } from 'vite';

// The board is served by the API process (services/api/src/web.ts) from dist/. `pnpm dev` is not set up:
// build (`pnpm --filter @jiceng/web build`) and run `pnpm start`.
export default defineConfig({
  // JSX through Vite's own transform (oxc), with React's automatic runtime: no React plugin needed for a build
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the CSP has no 'unsafe-inline' for scripts: no inlined module preload polyfill
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // Mantine marks its modules 'use client' (React server components): meaningless in a client bundle
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
