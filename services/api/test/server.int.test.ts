import { test, expect } from '@jiceng/testkit';

test('healthz and readyz answer; errors never leak internals', async ({ app }) => {
  const base = app.url.replace('/graphql', '');
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  expect((await fetch(`${base}/nope`)).status).toBe(404);
  const bad = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
  expect((await bad.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  const r = await app.anonymous.request(`{ nosuchfield }`);
  expect(JSON.stringify(r)).not.toMatch(/stack|at \//);
});
