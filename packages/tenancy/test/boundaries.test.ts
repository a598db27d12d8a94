import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Module boundaries (issue 12): a module reads another module's data through that module's exported
// functions, never its tables. Tenancy's tables (admin_unit, app_user) are read by tenancy's store alone;
// another module's statement that must join units or accounts to stay one statement joins tenancy's
// published views (tenancy_unit, tenancy_account: migration 0198). Migrations (foreign keys) and demo
// seeds (data loading) are not reads on the request path.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'demo' ? [] : sources(p);
    return p.endsWith('.ts') && !/migrations\.ts$|demo[^/]*\.ts$/.test(name) ? [p] : [];
  });
}

const READ = /\b(from|join|update|into)\s+(admin_unit|app_user)\b/gi;

describe('module boundaries', () => {
  test("no module but tenancy reads tenancy's tables (admin_unit, app_user) in its statements", () => {
    const modules = readdirSync(join(root, 'packages')).filter((m) => !['tenancy', 'testkit', 'db'].includes(m));
    const hits: string[] = [];
    for (const m of modules) {
      const src = join(root, 'packages', m, 'src');
      if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const f of sources(src)) {
        for (const hit of readFileSync(f, 'utf8').matchAll(READ)) hits.push(`${relative(root, f)}: ${hit[0]}`);
      }
    }
    expect(hits).toEqual([]);
  });

  test("tenancy's SQL lives in its store: services, resolvers and loaders hold none", () => {
    const src = join(root, 'packages/tenancy/src');
    const hits = sources(src)
      .filter((f) => !f.endsWith('tenancy.store.ts'))
      .flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        const found = [...text.matchAll(/\b(executeBound|getKysely)\s*[<(]|\.execute\s*[<(]|\bselect\s+[\w*"]+[^`]*\bfrom\s+\w+/gi)].map((h) => h[0].slice(0, 40));
        return found.map((h) => `${relative(root, f)}: ${h}`);
      });
    expect(hits).toEqual([]);
  });
});
