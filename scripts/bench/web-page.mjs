#!/usr/bin/env node
// What one board page costs its browser (issue 14, docs/web.md "Numbers"): `pnpm bench web-page`. Needs
// services/api/dist, packages/web/dist and /usr/bin/chromium. Starts its own API with the demo data (the
// e2e harness), opens PAGES (default 5) boards of 宁城县 as demo-county, and measures over WINDOW seconds
// (default 20) each page's main-thread CPU (DevTools `Performance.getMetrics` TaskDuration: scripts, style,
// layout, paint of the renderer's main thread) and the whole Chromium process tree's CPU (/proc: utime +
// stime of the browser and all its children, GPU and compositor included), first idle, then with EPS
// (default 1) light changes per second (NOTIFYs of real 宁城县 villages, as the web bench sends).
// BEFORE=<dir of another build of packages/web/dist>: the same measure with that build served to the pages
// (the API's script and style sheet under /assets/ are replaced by that directory's), in
// alternate blocks (ROUNDS, default 2), so that the two builds are compared in one run on the same load;
// AFTER=<dir>: likewise for "this build" (default: the API's own packages/web/dist).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { sendChanges, villagesUnder } from './board-changes.mjs';
import { launchBrowser, loginAs, newContext, startApi } from '../../packages/web/test/e2e/harness.ts';

const PAGES = Number(process.env.PAGES ?? 5);
const WINDOW = Number(process.env.WINDOW ?? 20);
const EPS = Number(process.env.EPS ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const BEFORE = process.env.BEFORE;
const AFTER = process.env.AFTER;
const COUNTY = '150429000000';
const TICK = 100; // USER_HZ on Linux

/** CPU seconds of this process's Chromium (the browser process, a child of this one) and all its descendants (/proc). */
function chromiumCpu() {
  const parent = new Map();
  const cpu = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / TICK);
    } catch {
      // gone meanwhile
    }
  }
  const roots = new Set([...parent].filter(([pid, pp]) => pp === process.pid && comm(pid).startsWith('chrom')).map(([pid]) => pid));
  let total = 0;
  for (const [pid, c] of cpu) {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) {
      if (roots.has(p)) {
        total += c;
        break;
      }
    }
  }
  return total;
}

const comm = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const api = await startApi();
const browser = await launchBrowser();
const load = () => os.loadavg().map((x) => +x.toFixed(1));
try {
  const villages = await villagesUnder(api.ownerUrl(), COUNTY);
  const counter = { sent: 0 };
  const changes = async (ms) => {
    const until = Date.now() + ms;
    await sendChanges(api.ownerUrl(), villages, { eps: EPS, stopped: () => Date.now() >= until, counter, prefix: 'page-bench' });
  };

  /** PAGES boards of one build (dir: another build's files instead of the API's), measured idle and live */
  const measure = async (label, dir) => {
    const context = await newContext(browser, api.baseUrl);
    if (dir) {
      // the page itself comes from the API as usual (a page fulfilled here would have no address, and
      // Chromium's local-network checks would then refuse its socket to 127.0.0.1); its script and style
      // sheet are replaced by those of `dir` (one of each, whatever their hashed names)
      const files = readdirSync(join(dir, 'assets'));
      const of = (ext) => readFileSync(join(dir, 'assets', files.find((f) => f.endsWith(ext))));
      const js = of('.js');
      const css = of('.css');
      await context.route('**/assets/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path.endsWith('.js')) return route.fulfill({ status: 200, contentType: 'text/javascript', body: js });
        if (path.endsWith('.css')) return route.fulfill({ status: 200, contentType: 'text/css', body: css });
        return route.fallback();
      });
    }
    const first = await context.newPage();
    await loginAs(first, 'demo-county');
    await first.close();
    const pages = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await context.newPage();
      await page.goto(`/board/${COUNTY}`);
      await page.locator('[data-testid="board"][data-live="on"]').waitFor({ timeout: 60_000 });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      pages.push({ page, cdp });
    }
    const task = async () => (await Promise.all(pages.map(async ({ cdp }) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value))).reduce((a, b) => a + b, 0);
    // let the first render's work settle (charts' entry animation, fonts)
    await new Promise((r) => setTimeout(r, 3000));
    const window = async (fn) => {
      const t0 = performance.now();
      const m0 = await task();
      const c0 = chromiumCpu();
      await fn();
      const secs = (performance.now() - t0) / 1000;
      const m1 = await task();
      const c1 = chromiumCpu();
      return { mainThreadPct: +(((m1 - m0) / secs / PAGES) * 100).toFixed(2), chromiumPct: +(((c1 - c0) / secs / PAGES) * 100).toFixed(2), secs: +secs.toFixed(1) };
    };
    const idle = await window(() => new Promise((r) => setTimeout(r, WINDOW * 1000)));
    const before = counter.sent;
    const live = await window(() => changes(WINDOW * 1000));
    const n = counter.sent - before;
    const perChangeMs = (pct, base) => +((((pct - base) / 100) * live.secs * 1000) / n).toFixed(2);
    const feed = await pages[0].page.locator('[data-testid="live-feed"] li').count();
    const r = {
      name: `one board page (${label}): CPU per page, % of one core`,
      idle,
      live: { ...live, changes: n, feedItems: feed },
      perChangeMs: { mainThread: perChangeMs(live.mainThreadPct, idle.mainThreadPct), chromium: perChangeMs(live.chromiumPct, idle.chromiumPct) },
      pages: PAGES,
      loadavg: load(),
    };
    console.log(JSON.stringify(r));
    await context.close();
    return r;
  };

  const results = { after: [], before: [] };
  for (let round = 0; round < ROUNDS; round++) {
    if (BEFORE) results.before.push(await measure(`before: ${BEFORE}`, BEFORE));
    results.after.push(await measure(AFTER ? `this build: ${AFTER}` : 'this build', AFTER));
  }
  if (BEFORE) {
    const sum = (rs, f) => rs.reduce((a, r) => a + f(r), 0);
    const ratio = (f) => +(sum(results.after, f) / sum(results.before, f)).toFixed(2);
    console.log(
      JSON.stringify({
        name: 'this build / before, same run (pooled)',
        idleMainThread: ratio((r) => r.idle.mainThreadPct),
        idleChromium: ratio((r) => r.idle.chromiumPct),
        liveMainThread: ratio((r) => r.live.mainThreadPct),
        liveChromium: ratio((r) => r.live.chromiumPct),
        loadavg: load(),
      }),
    );
  }
} finally {
  await browser.close();
  await api.stop();
}
