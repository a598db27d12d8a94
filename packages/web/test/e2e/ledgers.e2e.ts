import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { withClient } from '@jiceng/db';
import { apiLogin, axeCheck, launchBrowser, openPage, screenshot, waitForAttribute } from './harness.js';

// The ledger page (台账, issues 14/15): downloads of the ledgers, the scope of a deep link, imports with
// their problems and progress, a job that survives a reload, accessibility.

const base = inject('webBaseUrl');
const ownerUrl = inject('webOwnerUrl');
const COUNTY = '150429000000'; // 宁城县 (demo-county)
const TOWNSHIP = '150429100000'; // 天义镇 (demo-township)
const OTHER_COUNTY = '150402000000';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Clicks a download link and returns the saved file's bytes and suggested name. */
async function download(page: Page, name: string): Promise<{ bytes: Buffer; file: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  const path = await d.path();
  return { bytes: readFileSync(path), file: d.suggestedFilename() };
}

/** The villages of 天义镇 with their 2025 assessment (stars), read through the API as demo-county. */
async function assessedVillages(): Promise<{ code: string; stars: number }[]> {
  const api = await apiLogin(base, 'demo-county');
  const data = await api.query(`{ adminUnit(code: "${TOWNSHIP}") { children(first: 50) { edges { node { code assessment(year: 2025) { stars } } } } } }`);
  const nodes: { code: string; assessment: { stars: number } | null }[] = data.adminUnit.children.edges.map((e: any) => e.node);
  return nodes.filter((n) => n.assessment).map((n) => ({ code: n.code, stars: n.assessment!.stars }));
}

describe('the ledger page', () => {
  test('demo-county downloads the case register as XLSX (with its 说明 sheet) and as CSV; the page passes axe', async () => {
    const page = await openPage(browser, base, 'demo-county', `/ledgers/${COUNTY}`);
    await page.locator(`[data-testid="ledgers"][data-unit="${COUNTY}"]`).waitFor();
    // the seven ledgers, by their Chinese names; the default year is the latest with data (the demo's 2025)
    expect(await page.getByTestId('ledger-row').count()).toBe(7);
    expect(await page.getByTestId('ledgers').getAttribute('data-year')).toBe('2025');
    for (const title of ['登记造册', '重点整顿对象', '五个一结对', '帮扶记录', '资金拨付', '预警台账', '矛盾纠纷排查']) {
      await page.getByRole('rowheader', { name: title }).waitFor();
    }
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'ledgers');

    const xlsx = await download(page, '登记造册 2025 年 XLSX');
    expect(xlsx.file).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as any);
    const about = wb.getWorksheet('说明');
    expect(about).toBeDefined();
    expect(JSON.stringify(about!.getSheetValues())).toContain('宁城县');
    expect(wb.worksheets.length).toBeGreaterThanOrEqual(2);
    const sheet = wb.worksheets[1]!;
    expect(sheet.rowCount).toBeGreaterThan(1);
    expect(JSON.stringify(sheet.getRow(1).values)).toContain('整顿原因');

    const csv = await download(page, '登记造册 2025 年 CSV');
    expect(csv.file).toMatch(/\.csv$/);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const text = csv.bytes.toString('utf8');
    expect(text.split('\n')[0]).toContain('整顿原因');
    expect(text.split('\n').length).toBeGreaterThan(2);

    // another year: the links follow it
    await page.getByLabel('年度').selectOption('2024');
    expect(await page.getByRole('link', { name: '登记造册 2024 年 CSV' }).getAttribute('href')).toBe(`/export/cases.csv?unit=${COUNTY}&year=2024`);
    await page.context().close();
  });

  test("demo-township: another county's ledger link shows 未找到, and its export is a 404", async () => {
    const page = await openPage(browser, base, 'demo-township', `/ledgers/${OTHER_COUNTY}`);
    // (an error of the page's query would show as an alert: waiting on both names it)
    const shown = page.locator('[data-testid="not-found"], [data-testid="ledgers"], main [role="alert"]').first();
    await shown.waitFor();
    expect(await shown.textContent()).toContain('未找到');
    expect((await page.request.get(`/export/cases.xlsx?unit=${OTHER_COUNTY}&year=2025`)).status()).toBe(404);
    // its own township's page is there
    await page.goto(`/ledgers/${TOWNSHIP}`);
    await page.locator(`[data-testid="ledgers"][data-unit="${TOWNSHIP}"]`).waitFor();
    await page.context().close();
  });

  test('demo-county imports assessments: a bad row is named and nothing is written; a good file reaches 100% and the job is still there after a reload', async () => {
    const villages = (await assessedVillages()).slice(0, 3);
    expect(villages.length).toBe(3);
    const page = await openPage(browser, base, 'demo-county', `/ledgers/${COUNTY}`);
    await page.getByTestId('import-form').waitFor();

    // a CSV whose third data row (row 4 of the sheet, after the header) has 11 stars
    const bad = ['统计用区划代码,年度,星级', ...villages.map((v) => `${v.code},2025,${v.stars}`), `${villages[0]!.code.slice(0, 9)}999,2025,11`].join('\n');
    await page.getByLabel('文件（XLSX 或 CSV）').setInputFiles({ name: 'bad-assessments.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: '上传' }).click();
    const badJob = page.locator('[data-testid="import-job"]').filter({ hasText: 'bad-assessments.csv' });
    await badJob.and(page.locator('[data-state="FAILED"]')).waitFor({ timeout: 20_000 });
    const problems = badJob.getByTestId('import-problem');
    expect(await problems.count()).toBeGreaterThan(0);
    const rows = await problems.evaluateAll((els) => els.map((e) => (e as any).getAttribute('data-row')));
    expect(rows).toContain('5');
    expect(await badJob.getByTestId('import-problems').textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'ledgers-import-refused');
    // nothing was written: the stars are as they were
    expect((await assessedVillages()).slice(0, 3)).toEqual(villages);

    // a good XLSX (the same stars again: the demo data stays as it is)
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('十星级评定');
    ws.addRow(['统计用区划代码', '年度', '星级']);
    for (const v of villages) ws.addRow([v.code, 2025, v.stars]);
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    await page.getByLabel('文件（XLSX 或 CSV）').setInputFiles({ name: 'good-assessments.xlsx', mimeType: XLSX_TYPE, buffer: good });
    await page.getByRole('button', { name: '上传' }).click();
    const goodJob = page.locator('[data-testid="import-job"]').filter({ hasText: 'good-assessments.xlsx' });
    await goodJob.and(page.locator('[data-state="DONE"]')).waitFor({ timeout: 20_000 });
    expect(await goodJob.getAttribute('data-progress')).toBe('100');
    expect(await goodJob.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const id = await goodJob.getAttribute('data-id');
    await screenshot(page, 'ledgers-import-done');

    // a reload: the jobs come from the API
    await page.reload();
    await waitForAttribute(page, `[data-testid="import-job"][data-id="${id}"]`, 'data-progress', '100');
    await page.locator('[data-testid="import-job"]').filter({ hasText: 'bad-assessments.csv' }).getByTestId('import-problem').first().waitFor();
    await page.context().close();
  });

  test('a job survives a page reload: held while it writes, it is listed again after the reload with its progress bar, and reaches DONE on the reloaded page', async () => {
    if (!ownerUrl) throw new Error('this test holds a lock on the database: with E2E_BASE_URL, set E2E_OWNER_URL too');
    // three other villages of 天义镇, their stars as they are (the demo data stays as it is)
    const villages = (await assessedVillages()).slice(3, 6);
    expect(villages.length).toBe(3);
    const page = await openPage(browser, base, 'demo-county', `/ledgers/${COUNTY}`);
    await page.getByTestId('import-form').waitFor();
    // The job is held in its writing step, deterministically: a connection of the test takes a SHARE lock on
    // the assessments (reads go on; the import's upsert waits for it) until the test releases it.
    let release!: () => void;
    const released = new Promise<void>((ok) => (release = ok));
    let locked!: () => void;
    const isLocked = new Promise<void>((ok) => (locked = ok));
    const holder = withClient(ownerUrl, async (c) => {
      await c.query('begin');
      await c.query('lock table assessment in share mode');
      locked();
      await released;
      await c.query('commit');
    });
    try {
      await Promise.race([isLocked, holder]);
      const csv = ['统计用区划代码,年度,星级', ...villages.map((v) => `${v.code},2025,${v.stars}`)].join('\n');
      await page.getByLabel('文件（XLSX 或 CSV）').setInputFiles({ name: 'held-assessments.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: '上传' }).click();
      const job = page.locator('[data-testid="import-job"]').filter({ hasText: 'held-assessments.csv' });
      await job.and(page.locator('[data-state="RUNNING"]')).waitFor({ timeout: 20_000 });
      const id = await job.getAttribute('data-id');
      const card = `[data-testid="import-job"][data-id="${id}"]`;
      // every row checked, none written yet: half way ((validated + written) / (2 × total))
      await waitForAttribute(page, card, 'data-progress', '50', 20_000);

      // a reload while the job runs: it is listed again, running, with its progress bar where it was
      await page.reload();
      await waitForAttribute(page, card, 'data-state', 'RUNNING', 20_000);
      expect(await page.locator(card).getAttribute('data-progress')).toBe('50');
      expect(await page.locator(card).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
      await screenshot(page, 'ledgers-import-running');

      // released: the reloaded page goes on following the job to its end, without another reload
      release();
      await holder;
      await waitForAttribute(page, card, 'data-state', 'DONE', 20_000);
      expect(await page.locator(card).getAttribute('data-progress')).toBe('100');
      expect(await page.locator(card).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    } finally {
      release();
      await holder.catch(() => undefined);
    }
    expect((await assessedVillages()).slice(3, 6)).toEqual(villages);
    await page.context().close();
  });
});
