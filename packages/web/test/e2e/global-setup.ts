// `pnpm test:e2e`: one API with the demo data for the whole run (test/e2e/harness.ts).
import type { TestProject } from 'vitest/node';
import { startApi } from './harness.js';

// E2E_BASE_URL: use an API already running (with the demo data) instead, e.g. while writing tests.
export default async function setup(project: TestProject) {
  if (process.env.E2E_BASE_URL) {
    project.provide('webBaseUrl', process.env.E2E_BASE_URL);
    return;
  }
  const api = await startApi();
  project.provide('webBaseUrl', api.baseUrl);
  return () => api.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    webBaseUrl: string;
  }
}
