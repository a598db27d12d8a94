import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

// The budget of issue 14: all the JavaScript sent to the browser under 500 KB gzipped; and no inline
// script in the page (its CSP forbids them).
const dist = join(import.meta.dirname, '..', '..', 'dist');
export const BUDGET_BYTES = 500 * 1024;

test('the JavaScript of the build is under 500 KB gzipped, and index.html has no inline script', () => {
  const js = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  expect(js.length).toBeGreaterThan(0);
  const gzipped = js.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length, 0);
  console.log(`web build: ${js.length} JavaScript file(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
  expect(gzipped).toBeLessThan(BUDGET_BYTES);
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(/^<script\b[^>]*\bsrc="\/assets\/[^"]+\.js"[^>]*><\/script>$/);
});
