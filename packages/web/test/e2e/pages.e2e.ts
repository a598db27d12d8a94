import { describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { today } from '@jiceng/core';
import { axeCheck, openPage as openAt, screenshot } from './harness.js';
import { withBrowser } from './browser-hooks.js';

// The dashboards, the village page and the forms with the demo data (issue 14): what each shows, the
// forms posting through GraphQL with the API's errors beside their fields, accessibility, screenshots.

const { base, browser } = withBrowser();
const openPage = (username: string, path: string) => openAt(browser(), base, username, path);

/** The error text Mantine shows beside an input (aria-describedby), or null. */
async function errorOf(input: Locator): Promise<string | null> {
  await expect.poll(() => input.getAttribute('aria-invalid'), POLL).toBe('true');
  const ids = (await input.getAttribute('aria-describedby')) ?? '';
  const id = ids.split(' ').find((x) => x.endsWith('-error'));
  return id ? input.page().locator(`[id="${id}"]`).textContent() : null;
}

/** a page under load answers in seconds, not in expect.poll's default second */
const POLL = { timeout: 20_000 };

const section = (page: Page, testId: string) => page.getByTestId(testId);

/** Picks an option of a Mantine Select by its label (the input comes before its listbox). */
async function choose(scope: Page | Locator, label: string, option: string | RegExp): Promise<void> {
  await scope.getByLabel(label).first().click();
  const page = 'page' in scope ? scope.page() : scope;
  await page.getByRole('option', { name: option }).first().click();
}

/**
 * Types a date into a form's date field and leaves it, as a person does (Tab: the calendar beside the field
 * closes and the field shows the date taken, yyyy-mm-dd).
 */
async function fillDate(field: Locator, value: string): Promise<void> {
  await field.fill(value);
  await field.press('Tab');
}

// today in the service's time zone (JICENG_TIME_ZONE, China's date by default), as the API counts it
const TODAY = today();

describe('the dashboards', () => {
  test('demo-county: 宁城县 in 2025 (the latest year with figures), four sections with their charts', async () => {
    const page = await openPage('demo-county', '/dashboard/150429000000');
    await page.getByRole('heading', { name: '宁城县 · 统计' }).waitFor();
    expect(await page.getByLabel('年度').first().inputValue()).toBe('2025');
    for (const name of ['软弱涣散村整顿', '五个一结对覆盖', '村级组织经费', '动态管理110']) await page.getByRole('region', { name }).waitFor();
    const rect = page.getByRole('region', { name: '软弱涣散村整顿' });
    expect(await rect.textContent()).toMatch(/整顿对象\d+/);
    expect(await rect.textContent()).toContain('天义镇'); // key targets per township
    // the per-township charts come with the second query; every chart draws a canvas
    await rect.getByRole('img', { name: /各下级单位转化率：.*天义镇/ }).waitFor();
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('[role=img]')].every((e: any) => e.querySelector('canvas')), undefined, { timeout: 20_000 });
    expect(await page.getByRole('img', { name: /各项覆盖率：企业/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /拨付率：宁城县/ }).count()).toBe(1);
    expect(await page.getByRole('region', { name: '村级组织经费' }).textContent()).toMatch(/下达[\d,]+\.\d\d 元/);
    expect(await page.getByRole('region', { name: '动态管理110' }).textContent()).toMatch(/黄灯预警[\d,]+红灯预警[\d,]+/);
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'dashboard-county');

    // another year: the figures of that year (none before the demo's)
    await choose(page, '年度', '2021');
    await expect.poll(() => rect.textContent(), POLL).toMatch(/整顿对象0/);
    // a unit outside the scope is "not found", like the API's null
    await page.goto('/dashboard/150402000000');
    await page.getByTestId('not-found').waitFor();
    await page.context().close();
  });

  test('demo-region: the region with a bar per prefecture', async () => {
    const page = await openPage('demo-region', '/dashboard/150000000000');
    await page.getByRole('img', { name: /各下级单位经费：.*呼和浩特市/ }).waitFor();
    // the region's townships are many: only the largest shortfalls are drawn
    expect(await page.getByTestId('key-target-note').textContent()).toMatch(/个苏木乡镇中 [\d,]+ 个未达到/);
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'dashboard-region');
    await page.context().close();
  });
});

describe('the village page', () => {
  test('demo-county: lights per category, the case and its problem list, the five pairings, the funds', async () => {
    const page = await openPage('demo-county', '/village/150429100200');
    await page.getByRole('heading', { name: '富家窝铺村民委员会' }).waitFor();
    const warnings = section(page, 'village-warnings');
    for (const c of ['党的建设', '新农村建设', '平安建设', '基层民主政治建设', '党和政府方针政策贯彻落实']) expect(await warnings.textContent()).toContain(c);
    // 2025: this year has no case yet, so the page shows the year before
    await expect.poll(() => section(page, 'village-case').textContent(), POLL).toContain('一村一策');
    expect(await page.getByTestId('problem-list').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await section(page, 'village-pairings').textContent()).toMatch(/第一书记：已结对/);
    expect(await section(page, 'village-funds').textContent()).toMatch(/拨付[\d,]+\.\d\d 元/);
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'village-page');
    await page.context().close();
  });
});

describe('the forms', () => {
  test('a partner logs support through the form and the totals on the page change', async () => {
    const page = await openPage('demo-enterprise', '/support');
    const visits = page.getByTestId('sum-visits');
    await visits.waitFor();
    // the year of the entry below
    await choose(page, '年度', TODAY.slice(0, 4));
    await page.getByRole('heading', { name: `${TODAY.slice(0, 4)} 年结对嘎查村` }).waitFor();
    await page.getByTestId('support-form').waitFor();
    const before = { visits: await visits.textContent(), entries: await page.getByTestId('sum-entries').textContent(), materials: await page.getByTestId('sum-materials').textContent() };
    const form = page.getByTestId('support-form');
    await choose(form, '嘎查村', /./);
    await fillDate(form.getByLabel('日期'), TODAY);
    await form.getByLabel('走访次数').fill('3');
    await form.getByLabel('物资折款（元）').fill('1,000.5');
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByTestId('form-done').waitFor();
    const n = (s: string | null) => Number((s ?? '').replace(/[^\d.]/g, ''));
    await expect.poll(async () => n(await visits.textContent()), POLL).toBe(n(before.visits) + 3);
    expect(n(await page.getByTestId('sum-entries').textContent())).toBe(n(before.entries) + 1);
    // 1,000.50 元 more, to the fen
    expect(Math.round(n(await page.getByTestId('sum-materials').textContent()) * 100)).toBe(Math.round(n(before.materials) * 100) + 100050);
    // a bad count is refused beside its field, before anything is sent
    await form.getByLabel('走访次数').fill('-1');
    await form.getByRole('button', { name: '保存' }).click();
    expect(await errorOf(form.getByLabel('走访次数'))).toBe('请填写非负整数');
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'form-support');
    await page.context().close();
  });

  test("a bad amount in the disbursement form shows the API's message beside the field; a good one is paid", async () => {
    // finance has no board: from the first screen to the county's 统计, and there to the village by name
    // (敖海营子, a village of 天义镇 whose 2025 budget is not paid yet)
    const page = await openPage('demo-finance', '/');
    await page.getByTestId('home-links').getByRole('link', { name: '宁城县 · 统计' }).click();
    await page.getByLabel('查找嘎查村').fill('敖海营子');
    await page.getByTestId('village-search-results').getByRole('link', { name: /敖海营子村民委员会/ }).click();
    await page.waitForURL('**/village/150429100205');
    const form = page.getByTestId('disbursement-form');
    await form.waitFor();
    const amount = form.getByLabel('金额（元）');
    await form.getByLabel('经费年度').fill('2025');
    await fillDate(form.getByLabel('拨付日期'), '2025-12-01');
    const voucher = `PZ-E2E-${Date.now().toString(36)}`;
    await form.getByLabel('凭证号').fill(voucher);
    // zero is an amount, but the API wants more than zero: its message, beside the amount
    await amount.fill('0');
    await form.getByRole('button', { name: '拨付' }).click();
    expect(await errorOf(amount)).toBe('amount: must be greater than zero');
    expect(await form.getByTestId('form-error').count()).toBe(0);
    await screenshot(page, 'form-disbursement-error');
    expect(await axeCheck(page)).toEqual([]);
    // a third decimal is refused before sending
    await amount.fill('12.345');
    await form.getByRole('button', { name: '拨付' }).click();
    expect(await errorOf(amount)).toContain('最多两位小数');
    // 1,250.10 元 is paid exactly, and the village's disbursed total grows by it
    const disbursed = page.getByTestId('funds-拨付');
    const before = await disbursed.textContent();
    await amount.fill('1,250.1');
    await form.getByRole('button', { name: '拨付' }).click();
    await form.getByTestId('form-done').waitFor();
    expect(await form.getByTestId('form-done').textContent()).toContain('1,250.10 元');
    const fen = (s: string | null) => BigInt((s ?? '').replace(/[^\d]/g, ''));
    await expect.poll(async () => fen(await disbursed.textContent()), POLL).toBe(fen(before) + 125010n);
    expect(await page.getByTestId('transfers').textContent()).toContain(voucher);
    await page.context().close();
  });

  test('warnings: demo-reporter reports one through the form, demo-station resolves it', async () => {
    const village = '150429100011'; // demo-reporter's village (沙坨子社区, 天义镇)
    const reporter = await openPage('demo-reporter', `/village/${village}`);
    const form = reporter.getByTestId('report-warning-form');
    await form.waitFor();
    const gd = (page: Page) => page.locator('[data-testid="open-warning"][data-indicator="GD01-01"]');
    const before = await gd(reporter).count();
    // facts left empty: the API's message beside 情况
    await choose(form, '指标', /^GD01-01 /);
    // dates are yyyy-mm-dd (issue 14) whatever the browser's locale: shown as the value itself (a native
    // date input would show the locale's 2025/12/01 or 12/01/2025), today by default; what is not a whole,
    // real yyyy-mm-dd date is not taken, and the field shows the date it holds again
    const observed = form.getByLabel('发现日期');
    expect(await observed.evaluate((e: any) => e.type)).toBe('text');
    expect(await observed.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const wrong of ['2025-02-30', '2025/12/01', '12/01/2025']) {
      await fillDate(observed, '2025-12-01');
      await fillDate(observed, wrong);
      expect(await observed.inputValue()).toBe('2025-12-01');
    }
    await fillDate(observed, TODAY);
    expect(await observed.inputValue()).toBe(TODAY);
    // its calendar, open, passes axe (its arrow buttons are named)
    await observed.click();
    await reporter.getByRole('button', { name: '下个月' }).waitFor();
    expect(await axeCheck(reporter)).toEqual([]);
    await observed.press('Escape');
    await form.getByRole('button', { name: '上报' }).click();
    expect(await errorOf(form.getByLabel('情况'))).toMatch(/facts/);
    await form.getByLabel('情况').fill('村务公开不及时（e2e）');
    await form.getByRole('button', { name: '上报' }).click();
    await form.getByTestId('form-done').waitFor();
    await expect.poll(() => gd(reporter).count(), POLL).toBe(before + 1);
    // its category (基层民主政治建设) is yellow now
    await expect.poll(() => reporter.locator('[data-category="GD"] [data-light]').getAttribute('data-light'), POLL).toBe('YELLOW');
    expect(await axeCheck(reporter)).toEqual([]);
    await screenshot(reporter, 'form-report-warning');
    // a reporter resolves nothing
    expect(await reporter.getByTestId('resolve-warning-form').count()).toBe(0);
    await reporter.context().close();

    const station = await openPage('demo-station', `/village/${village}`);
    await gd(station).first().waitFor();
    // resolving one resolves every open warning of its indicator
    const resolve = gd(station).first().getByTestId('resolve-warning-form');
    await fillDate(resolve.getByLabel('化解日期'), TODAY);
    await resolve.getByLabel('处理情况').fill('已督促公开（e2e）');
    expect(await axeCheck(station)).toEqual([]);
    await screenshot(station, 'form-resolve-warning');
    await resolve.getByRole('button', { name: '化解' }).click();
    await expect.poll(() => gd(station).count(), POLL).toBe(0);
    await station.context().close();
  });

  test('an organisation department records a problem item of a case', async () => {
    // the demo's identified case in 宁城县 (八里罕镇); a consolidated case takes none (no form, the API would refuse)
    const consolidated = await openPage('demo-township', '/village/150429100200');
    await expect.poll(() => section(consolidated, 'village-case').textContent(), POLL).toContain('问题清单只在确定和整顿阶段记录');
    expect(await consolidated.getByTestId('problem-item-form').count()).toBe(0);
    await consolidated.context().close();
    const page = await openPage('demo-county', '/village/150429103203');
    const form = page.getByTestId('problem-item-form');
    await form.waitFor();
    const rows = page.getByTestId('problem-list').locator('tbody tr');
    const before = await rows.count();
    await form.getByLabel('问题').fill('议事规则不健全（e2e）');
    await form.getByLabel('整改措施').fill('制定村级议事规则');
    await form.getByLabel('责任人').fill('包保领导');
    await form.getByRole('button', { name: '记录' }).click();
    // no deadline: the API's message beside 销号期限
    expect(await errorOf(form.getByLabel('销号期限'))).toMatch(/dueOn|date/);
    await fillDate(form.getByLabel('销号期限'), '2026-12-31');
    await form.getByRole('button', { name: '记录' }).click();
    await form.getByTestId('form-done').waitFor();
    await expect.poll(() => rows.count(), POLL).toBe(before + 1);
    expect(await page.getByTestId('problem-list').textContent()).toContain('议事规则不健全（e2e）');
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'form-problem-item');
    await page.context().close();
  });
});
