// The end-to-end harness (docs/web.md, "Tests"): the real API as `pnpm start` runs it (services/api/dist/
// main.js: embedded PostgreSQL, migrations, the demo data, the board's build) in a child process on a free
// port over a throwaway data directory, and Debian's Chromium driven by playwright-core. Nothing here
// downloads a browser. Plain TypeScript that Node runs as it is (type stripping), so the benchmark
// (scripts/bench/web.mjs) uses it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { databaseUrls, freePort, localSecrets } from '@jiceng/db';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..', '..');
/** Screenshots and other artifacts (gitignored). */
export const RESULTS = join(here, '..', '..', 'test-results');
/** Every demo account's password (packages/tenancy/src/demo/seed.ts). */
export const DEMO_PASSWORD = 'jiceng-demo';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningApi {
  /** http://127.0.0.1:port */
  baseUrl: string;
  /** the throwaway data directory (embedded cluster in pg/, local secrets) */
  dataDir: string;
  /** the database as its owner (tests and benchmarks that write beside the API, e.g. pg_notify) */
  ownerUrl(): string;
  process: ChildProcess;
  /** the last lines the API logged (for a failure's message) */
  log: string[];
  stop(): Promise<void>;
}

/**
 * Starts the API with the demo data over a fresh embedded database and waits until it answers /readyz
 * (the demo seed takes 15 s on a quiet machine, a minute or more under load). `services/api/dist` and
 * `packages/web/dist` must be built (`pnpm test:e2e` builds both).
 */
export async function startApi(opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunningApi> {
  const port = await freePort();
  // every parent of the data directory must be traversable by the `postgres` user when run as root
  const dataDir = mkdtempSync(join(tmpdir(), 'jiceng-e2e-'));
  chmodSync(dataDir, 0o755);
  const child = spawn(process.execPath, [join(ROOT, 'services/api/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), JICENG_DATA_DIR: dataDir, JICENG_DEMO: '1', LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '2000', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (l) => {
      log.push(l);
      if (log.length > 200) log.shift();
    });
  }
  let exited: number | null = null;
  const exit = new Promise<void>((ok) => child.once('exit', (code) => { exited = code ?? -1; ok(); }));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`the API exited (${exited}) while starting:\n${log.slice(-30).join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API did not become ready in time:\n${log.slice(-30).join('\n')}`);
    }
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const ownerUrl = () => {
    // the embedded cluster's port is the 4th line of its postmaster.pid; the owner's password is local
    const port = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]!.trim();
    const { ownerPassword, apiPassword } = localSecrets(dataDir);
    return databaseUrls(`postgres://postgres@127.0.0.1:${port}/postgres`, 'jiceng', { owner: ownerPassword, api: apiPassword }).ownerUrl;
  };
  return { baseUrl, dataDir, ownerUrl, process: child, log, stop };
}

/**
 * Chromium from the system (`apt-get install chromium`), headless, without a sandbox (root in CI).
 * `lowest`: at the lowest CPU priority Linux has — SCHED_IDLE (it runs only on a core nothing else wants,
 * and a waking normal task preempts it at once; nice 19 alone still lets it finish its slice, a few ms)
 * and nice 19 — which every renderer inherits: the web bench's pages, which stand for other people's
 * browsers (docs/web.md, "Numbers"). Through a small script that execs `chrt --idle 0 nice -n 19 chromium`
 * (Playwright starts an executable, not a command line), as root without CAP_SYS_NICE: Chromium raises its
 * own priorities otherwise (its browser and display threads to nice -8, renderers back to 0).
 */
export function launchBrowser(opts: { lowest?: boolean } = {}): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (opts.lowest) {
    const dir = mkdtempSync(join(tmpdir(), 'jiceng-idle-chromium-'));
    executablePath = join(dir, 'chromium');
    const drop = process.getuid?.() === 0 ? 'setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice ' : '';
    writeFileSync(executablePath, `#!/bin/sh\nexec ${drop}chrt --idle 0 nice -n 19 '${CHROMIUM.replaceAll("'", "'\\''")}' "$@"\n`, { mode: 0o755 });
  }
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/** A fresh browser context (its own cookies) at a desktop size, Chinese locale. */
export function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

/** Signs in through the login form and waits for the first screen after it. */
export async function loginAs(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  if (!page.url().includes('/login')) await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('header-user').waitFor({ timeout: 15_000 });
}

/** A new page in a new context, signed in as `username`, opened at `path` (default: the home screen). */
export async function openPage(browser: Browser, baseUrl: string, username: string, path = '/'): Promise<Page> {
  const context = await newContext(browser, baseUrl);
  const page = await context.newPage();
  await page.goto('/login');
  await loginAs(page, username);
  if (path !== '/') await page.goto(path);
  return page;
}

/** Saves a full-page screenshot as packages/web/test-results/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A program's session through the API itself (a bearer token), for actions beside the page. */
export async function apiLogin(baseUrl: string, username: string, password = DEMO_PASSWORD) {
  const call = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`${body.errors[0]!.message} (${query.slice(0, 80)})`);
    return body.data;
  };
  const { login } = await call('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: password });
  return { token: login.token as string, query: (q: string, v?: Record<string, unknown>) => call(q, v, login.token) };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/**
 * axe-core over the page; returns the serious and critical violations. The page's CSP forbids inline
 * scripts, so axe is not added as a <script>: its source is evaluated through the DevTools protocol
 * (page.evaluate), which the CSP does not govern.
 */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  // (a string: this file is type-checked without the DOM's types)
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Waits until the first element matching `selector` has `attribute` = `value`, checked at every frame, up to
 * a deadline (no fixed sleeps). A function, not a string: the page's CSP forbids eval.
 */
export async function waitForAttribute(page: Page, selector: string, attribute: string, value: string, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    ([s, a, v]) => (globalThis as any).document.querySelector(s)?.getAttribute(a) === v,
    [selector, attribute, value] as const,
    { timeout: timeoutMs, polling: 'raf' },
  );
}
