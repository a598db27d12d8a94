#!/usr/bin/env node
// The web board (issue 14, docs/web.md): `pnpm bench web`. Needs services/api/dist and packages/web/dist
// (`pnpm install` builds both) and /usr/bin/chromium. Starts its own API with the demo data (the e2e
// harness, packages/web/test/e2e/harness.ts), then:
//  1. board interactive: RUNS (default 15) navigations of a signed-in demo-county to /board/150429000000,
//     each timed from navigation start to the cards rendered, and to the board live (subscribed, re-read);
//  2. the API's latency for other requests (demo-finance's funds summary of the county, sequential) while
//     idle, then with PAGES (default 50) board pages open in Chromium receiving EPS (default 1) light
//     changes per second (NOTIFYs of real 宁城县 villages, to which every page re-reads the changed card
//     and the unit's counts, as on a real change). Prints JSON lines; the figures go to docs/operations.md.
import { withClient } from '../../packages/db/dist/index.js';
import { LIGHT_CHANGED_CHANNEL } from '../../packages/tenancy/dist/index.js';
import { apiLogin, launchBrowser, loginAs, newContext, startApi } from '../../packages/web/test/e2e/harness.ts';

const RUNS = Number(process.env.RUNS ?? 15);
const PAGES = Number(process.env.PAGES ?? 50);
const EPS = Number(process.env.EPS ?? 1);
const N = Number(process.env.N ?? 200);
const COUNTY = '150429000000';

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
};
const summary = (name, xs, extra = {}) => {
  const r = { name, n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: +Math.max(...xs).toFixed(1), ...extra };
  console.log(JSON.stringify(r));
  return r;
};

const api = await startApi();
const browser = await launchBrowser();
try {
  const context = await newContext(browser, api.baseUrl);
  const first = await context.newPage();
  await loginAs(first, 'demo-county');
  await first.close();

  // 1. time to interactive
  const cards = [];
  const live = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const page = await context.newPage();
    await page.goto(`/board/${COUNTY}`);
    await page.locator('[data-testid="unit-card"]').first().waitFor();
    const shown = await page.evaluate('performance.now()');
    await page.locator('[data-testid="board"][data-live="on"]').waitFor();
    const on = await page.evaluate('performance.now()');
    if (i >= 2) {
      cards.push(shown);
      live.push(on);
    } // two warm-ups (the first load of the build and of the API's plans)
    await page.close();
  }
  summary('board: navigation → cards rendered (ms)', cards, { targetMs: 2000 });
  summary('board: navigation → live (subscribed, lights re-read) (ms)', live);

  // 2. other requests, idle then with the pages open and changes arriving
  const finance = await apiLogin(api.baseUrl, 'demo-finance');
  const OTHER = `query($c: String!) { adminUnit(code: $c) { fundsSummary(year: 2025) { allocated disbursed spent balance } } }`;
  const measure = async () => {
    const times = [];
    for (let i = 0; i < N + 20; i++) {
      const t = performance.now();
      await finance.query(OTHER, { c: COUNTY });
      if (i >= 20) times.push(performance.now() - t);
    }
    return times;
  };
  const idle = summary('other requests, idle (ms)', await measure());

  const villages = await withClient(api.ownerUrl(), async (c) => {
    await c.query(`select set_config('app.scopes', '{cn}', false)`);
    const { rows } = await c.query(`select id::text, path::text from admin_unit where level = 'VILLAGE' and path <@ (select path from admin_unit where code = $1) order by code limit 200`, [COUNTY]);
    return rows;
  });
  const pages = [];
  const opened = performance.now();
  for (let i = 0; i < PAGES; i++) {
    const page = await context.newPage();
    await page.goto(`/board/${COUNTY}`);
    pages.push(page);
  }
  for (const p of pages) await p.locator('[data-testid="board"][data-live="on"]').waitFor({ timeout: 120_000 });
  console.log(JSON.stringify({ name: `${PAGES} board pages open and live`, ms: Math.round(performance.now() - opened) }));

  let sent = 0;
  let stop = false;
  const events = withClient(api.ownerUrl(), async (c) => {
    while (!stop) {
      const v = villages[sent % villages.length];
      const to = sent % 2 ? 'GREEN' : 'YELLOW';
      await c.query('select pg_notify($1, $2)', [LIGHT_CHANGED_CHANNEL, JSON.stringify({ villageId: v.id, path: v.path, from: to === 'GREEN' ? 'YELLOW' : 'GREEN', to, at: new Date().toISOString(), eventId: `bench-${sent}` })]);
      sent++;
      await new Promise((r) => setTimeout(r, 1000 / EPS));
    }
  });
  // the first changes reach every page before the measurement starts
  await new Promise((r) => setTimeout(r, 3000));
  const loaded = summary(`other requests, ${PAGES} live board pages, ${EPS} change/s (ms)`, await measure());
  stop = true;
  await events;
  const feeds = await Promise.all(pages.map((p) => p.locator('[data-testid="live-feed"] li').count().catch(() => 0)));
  console.log(JSON.stringify({ name: 'ratio loaded/idle p95', ratio: +(loaded.p95 / idle.p95).toFixed(2), targetMax: 1.2, changesSent: sent, feedItemsPerPage: pct(feeds, 50), loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)) }));
} finally {
  await browser.close();
  await api.stop();
}
