import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionCatalogue, describeRules } from '@jiceng/tenancy';
import { schemaSdl } from '../src/print-schema.js';
import { buildAppSchema, mergedRules } from '../src/schema.js';
import { modules } from '../src/modules.js';

const schemaFile = new URL('../../../schema.graphql', import.meta.url);

describe('API contract', () => {
  it('matches the committed schema.graphql (run `pnpm schema:update` after an intended change)', async () => {
    const sdl = await schemaSdl();
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaFile, sdl);
    expect(sdl).toBe(readFileSync(schemaFile, 'utf8'));
  });

  it('every field of Query and Mutation has an explicit shield rule', async () => {
    const rules = mergedRules(modules);
    const { bare } = await buildAppSchema(modules);
    for (const root of [bare.getQueryType()!, bare.getMutationType()!]) {
      for (const f of Object.keys(root.getFields())) expect(rules[root.name]?.[f], `${root.name}.${f} has no rule`).toBeDefined();
    }
  });

  it('the permission map is reviewed: shield rules and the action catalogue', async () => {
    await expect(JSON.stringify({ rules: describeRules(mergedRules(modules)), actions: actionCatalogue() }, null, 2)).toMatchFileSnapshot(
      './__snapshots__/permissions.json',
    );
  });
});
