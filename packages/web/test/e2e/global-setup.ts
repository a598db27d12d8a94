// `pnpm test:e2e`: one API with the demo data for the whole run (test/e2e/harness.ts).
import type { TestProject } from 'vitest/node';
import { startApi } from './harness.js';

// E2E_BASE_URL: use an API already running (with the demo data) instead, e.g. while writing tests; then
// E2E_OWNER_URL is its database as the owner (postgres://…), for the tests that hold a lock beside the API.
export default async function setup(project: TestProject) {
  if (process.env.E2E_BASE_URL) {
    project.provide('webBaseUrl', process.env.E2E_BASE_URL);
    project.provide('webOwnerUrl', process.env.E2E_OWNER_URL ?? '');
    return;
  }
  const api = await startApi();
  project.provide('webBaseUrl', api.baseUrl);
  project.provide('webOwnerUrl', api.ownerUrl());
  return () => api.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    webBaseUrl: string;
    /** the database as its owner ('' when E2E_BASE_URL is used without E2E_OWNER_URL) */
    webOwnerUrl: string;
  }
}
