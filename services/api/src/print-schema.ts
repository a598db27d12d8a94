import { printSchema, lexicographicSortSchema } from 'graphql';
import { writeFileSync } from 'node:fs';
import { buildAppSchema } from './schema.js';
import { modules } from './modules.js';

/** The committed SDL: every API change shows up in a diff of schema.graphql. */
export async function schemaSdl(): Promise<string> {
  const { bare } = await buildAppSchema(modules);
  return printSchema(lexicographicSortSchema(bare)) + '\n';
}

if (process.argv[1]?.endsWith('print-schema.js')) {
  writeFileSync(new URL('../../../schema.graphql', import.meta.url), await schemaSdl());
}
