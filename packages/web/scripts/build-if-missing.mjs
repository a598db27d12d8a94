#!/usr/bin/env node
// `pnpm start` builds the board when packages/web/dist is missing (a clone where `pnpm install` ran
// with scripts off, or a deleted build); otherwise it does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const dist = new URL('../dist/index.html', import.meta.url);
if (!existsSync(dist)) {
  console.log('building the web board (packages/web/dist is missing)…');
  execFileSync('pnpm', ['--filter', '@jiceng/web', 'build'], { stdio: 'inherit' });
}
