#!/usr/bin/env node
// Foundation figures over HTTP against a running `pnpm start` (demo data): a unit by code, the
// children of a township, the per-level counts of the whole region (each p95 target < 20 ms).
import { gql, login, measure } from './http.mjs';

const token = await login('demo-region');
const results = [
  await measure('adminUnit by code', () => gql(`{ adminUnit(code: "150429100200") { id code name level } }`, {}, token)),
  await measure('children of a township', () =>
    gql(`{ adminUnit(code: "150429100000") { children(first: 100) { edges { node { id code name } } } } }`, {}, token)),
  await measure('per-level counts of the region', () =>
    gql(`{ adminUnit(code: "150000000000") { counts { level count } } }`, {}, token)),
];
const slow = results.filter((r) => r.p95 >= 20);
console.log(slow.length ? `over target: ${slow.map((r) => r.name).join(', ')}` : 'all p95 under 20 ms');
