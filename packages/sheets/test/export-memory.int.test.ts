// Memory of large XLSX exports (issue 15): the file is built in a worker thread whose heap is bounded, and
// rows are read a page at a time as the client takes the file. Proved by structure, not by timing: the
// worker's limits and heap as V8 reports them, the pages read while the export waits on the client, and
// a worker that outgrows its heap failing its export (not the service). The figures: `pnpm bench export`.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import { executeBound, inScope } from '@jiceng/db';
import { authenticate } from '@jiceng/tenancy';
import { describe, expect, test, type TestApp } from '@jiceng/testkit';
import { prepareExport, XLSX_WORKER_OLD_MB, XLSX_WORKER_YOUNG_MB, type WriteOptions } from '../src/index.js';

const YEAR = 2026;
const ROWS = 3000;
const BATCH = 100;
const MB = 2 ** 20;

/** A region with ROWS disputes in one village, and an admin of the region. */
async function disputes(app: TestApp) {
  const region = await app.tree.region();
  const village = await (await (await region.county()).township()).village();
  const admin = await app.user(region, ['ORG_ADMIN']);
  await app.asOwner((em) => executeBound(em, `insert into warning_dispute (unit_id, category, summary, recorded_on, resolved_on, result)
    select $1, 'CLAN', '宗族纠纷第' || g || '起：双方因祖坟边界争执，经村调委会多次调解', date '2026-01-01' + (g % 300), date '2026-01-01' + (g % 300) + 5, '调解成功'
      from generate_series(1, ${ROWS}) g`, [village.id]));
  return { region, admin };
}

/** Until a condition holds, with a deadline (no fixed sleeps). */
async function until(what: string, ok: () => boolean, ms = 30_000) {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs an XLSX export of the disputes ledger into `out` under the admin's scope. */
function exportTo(app: TestApp, w: Awaited<ReturnType<typeof disputes>>, out: PassThrough, opts: WriteOptions) {
  return inScope(app.orm, [], async (em) => {
    const principal = await authenticate(em, app.settings, w.admin.token);
    const prepared = await prepareExport(em, principal, { ledger: 'disputes', format: 'xlsx', unit: w.region.code, year: String(YEAR) });
    return prepared.write(out, opts);
  });
}

describe('large XLSX exports: bounded memory', () => {
  test('the file is built in a worker with a bounded heap, and a page is read only once the client has taken the last', async ({ app }) => {
    const w = await disputes(app);
    const out = new PassThrough({ highWaterMark: 1024 }); // not read until the export waits for it
    let pages = 0;
    let worker: Worker | undefined;
    let heap: { heapLimit: number; heapUsedMax: number } | undefined;
    const writing = exportTo(app, w, out, { batch: BATCH, onPage: () => pages++, onWorker: (wk) => (worker = wk), onWorkerDone: (h) => (heap = h) });

    // the export stops reading when the client does not read: it waits on the response's 'drain'
    await until('the export to wait for the client', () => out.listenerCount('drain') > 0);
    const pagesWhileBlocked = pages;
    expect(pagesWhileBlocked).toBeGreaterThan(0);
    expect(pagesWhileBlocked).toBeLessThan(ROWS / BATCH);
    expect(worker!.resourceLimits).toMatchObject({ maxOldGenerationSizeMb: XLSX_WORKER_OLD_MB, maxYoungGenerationSizeMb: XLSX_WORKER_YOUNG_MB });
    // the worker's own heap, as V8 reports it: bounded by its limits, whatever the size of the export
    const stats = await worker!.getHeapStatistics();
    expect(stats.heap_size_limit).toBeLessThanOrEqual((XLSX_WORKER_OLD_MB + XLSX_WORKER_YOUNG_MB + 16) * MB);

    // the client reads: every page follows, and the file is whole
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    expect(await writing).toBe(ROWS);
    expect(pages).toBe(ROWS / BATCH);
    expect(heap!.heapLimit).toBe(stats.heap_size_limit);
    expect(heap!.heapUsedMax).toBeGreaterThan(0);
    expect(heap!.heapUsedMax).toBeLessThan(heap!.heapLimit);
    expect(worker!.threadId).toBe(-1); // the worker has ended: its heap is given back
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as never);
    const sheet = wb.worksheets[1]!;
    expect(sheet.rowCount).toBe(ROWS + 1);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(ROWS + 1).getCell(7).value).toMatch(/^宗族纠纷第\d+起/);
  });

  test('a client that leaves ends the worker at once; a worker that outgrows its heap fails its export, not the service', async ({ app }) => {
    const w = await disputes(app);
    // leaves: aborted while the export waits for the client
    const out = new PassThrough({ highWaterMark: 1024 });
    const stop = new AbortController();
    let worker: Worker | undefined;
    const writing = exportTo(app, w, out, { batch: BATCH, signal: stop.signal, onWorker: (wk) => (worker = wk) });
    await until('the export to wait for the client', () => out.listenerCount('drain') > 0);
    stop.abort();
    await expect(writing).rejects.toThrow(/abort/i);
    expect(worker!.threadId).toBe(-1);

    // a heap far too small for exceljs: the worker runs out of memory; the export fails and nothing is ended as if whole
    const small = new PassThrough();
    small.resume();
    let ended = false;
    small.on('finish', () => (ended = true));
    let smallWorker: Worker | undefined;
    await expect(exportTo(app, w, small, { batch: BATCH, workerOldMb: 6, onWorker: (wk) => (smallWorker = wk) })).rejects.toThrow(/memory|worker/i);
    expect(ended).toBe(false);
    expect(smallWorker!.threadId).toBe(-1);

    // and the service goes on: the same export with the normal limits is whole
    const again = new PassThrough();
    const chunks: Buffer[] = [];
    again.on('data', (c: Buffer) => chunks.push(c));
    const finished = once(again, 'finish');
    expect(await exportTo(app, w, again, { batch: BATCH })).toBe(ROWS);
    await finished;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as never);
    expect(wb.worksheets[1]!.rowCount).toBe(ROWS + 1);
  });
});
