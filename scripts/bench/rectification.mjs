#!/usr/bin/env node
// Rectification dashboard figures over HTTP as demo-region (whole Inner Mongolia, 2025), against `pnpm start`.
// Target: the region-wide aggregates p95 < 50 ms.
import { gql, login, measure } from './http.mjs';

const token = await login('demo-region');
const SUMMARY = `{ adminUnit(code: "150000000000") { rectificationSummary(year: 2025) { assessed thirdCategory targets transformed transformationRate
  keyTargets byCause { cause count } casesByState { state count } overdueProblems complaintsPastDeadline } } }`;
const figures = await gql(SUMMARY, {}, token);
console.log(JSON.stringify(figures.adminUnit.rectificationSummary));
await measure('rectificationSummary, region, 2025', () => gql(SUMMARY, {}, token));
await measure('relapsePatterns, region, 2021-2025', () =>
  gql(`{ adminUnit(code: "150000000000") { relapsePatterns(year: 2025) { goodThenWeak transformedThenRelapsed weakThroughout } } }`, {}, token), { n: 50 });
await measure('case list, a county, first 50 with problems and villages', () =>
  gql(`{ adminUnit(code: "150429000000") { cases(year: 2025, first: 50) { edges { node { state village { name } problems { overdue } } } } } }`, {}, token), { n: 100 });
