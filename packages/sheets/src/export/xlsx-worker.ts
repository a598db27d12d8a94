// The XLSX of an export is built here, in a worker thread with a bounded heap (export.ts starts one per
// export, with resourceLimits), not in the service's main thread. exceljs's streaming writer allocates
// several kilobytes of short-lived objects per cell (cell models, style lookups, the row's XML), and the
// rows of a page wait for the zip's deflate: in the main thread that allocation rate made V8 grow its
// young generation to its maximum (a 128 MB new space, kept for the life of the process) and let
// promoted garbage pile up in the old generation before a full collection — the first large export grew
// the process by 300–400 MB (docs/operations.md). Here the heap cannot outgrow the worker's limits, it
// is given back when the worker ends, and the main thread's event loop stays free for other requests.
//
// Self-contained on purpose (node: builtins and exceljs only): Node runs it as it is, from the compiled
// .js or, under the tests, from this .ts file (type stripping). Protocol with export.ts:
//   in:  workerData: XlsxPlan; then { type: 'rows', rows } per page, then { type: 'end' }
//   out: { type: 'data', chunk } (the file's bytes, in order), { type: 'settled' } after each page once
//        the zip has taken it, { type: 'done', heapLimit, heapUsedMax } once the file is whole.
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type ExcelJS from 'exceljs';

// the streaming writer alone: exceljs's index also loads its readers, CSV and unzip code (+6 MB of heap, +10 MB RSS a worker)
const WorkbookWriter = createRequire(import.meta.url)('exceljs/lib/stream/xlsx/workbook-writer.js') as typeof ExcelJS.stream.xlsx.WorkbookWriter;

/** A column of the ledger's sheet as the worker needs it. */
export interface XlsxColumn { header: string; width: number; numFmt?: string; wrap: boolean }
/** What the worker writes besides the rows: the 说明 sheet's lines and the ledger sheet's columns. */
export interface XlsxPlan { info: [string, string | number][]; title: string; columns: XlsxColumn[]; now: Date }
export type XlsxCell = string | number | Date | null;
export type ToWorker = { type: 'rows'; rows: XlsxCell[][] } | { type: 'end' };
export type FromWorker =
  | { type: 'data'; chunk: Uint8Array }
  | { type: 'settled' }
  | { type: 'done'; heapLimit: number; heapUsedMax: number };

/** Bytes gathered before they are posted to the main thread (fewer, larger messages). */
const POST_BYTES = 64 * 1024;

if (parentPort) run(parentPort, workerData as XlsxPlan);

function run(port: NonNullable<typeof parentPort>, plan: XlsxPlan): void {
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  const post = () => {
    if (!gatheredBytes) return;
    const chunk = new Uint8Array(gatheredBytes);
    let at = 0;
    for (const c of gathered) { chunk.set(c, at); at += c.length; }
    gathered = [];
    gatheredBytes = 0;
    port.postMessage({ type: 'data', chunk } satisfies FromWorker, [chunk.buffer]);
  };
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      if (gatheredBytes >= POST_BYTES) post();
      done();
    },
    final(done) {
      post();
      done();
    },
  });
  let heapUsedMax = 0;
  const measure = () => { heapUsedMax = Math.max(heapUsedMax, getHeapStatistics().used_heap_size); };

  const wb = new WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Jiceng';
  wb.created = plan.now;
  // 说明: what the file holds
  const info = wb.addWorksheet('说明');
  info.columns = [{ width: 14 }, { width: 60 }];
  for (const [k, v] of plan.info) {
    const row = info.addRow([k, v]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
  info.commit();
  const { columns } = plan;
  const sheet = wb.addWorksheet(plan.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ width: c.width }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  const wrap = { wrapText: true, vertical: 'top' } as const;

  const write = (cells: XlsxCell[]) => {
    const row = sheet.addRow(cells);
    for (let k = 0; k < columns.length; k++) {
      const { numFmt } = columns[k]!;
      if (numFmt && cells[k] !== null && cells[k] !== undefined) row.getCell(k + 1).numFmt = numFmt;
      if (columns[k]!.wrap) row.getCell(k + 1).alignment = wrap;
    }
    row.commit();
  };
  // exceljs writes the sheet's XML into the zip's deflate stream without waiting for it (StreamBuf ignores
  // backpressure): wait until deflate has taken a page before asking for the next one
  const settle = async () => {
    const stream = (sheet as unknown as { stream: { pipes: Writable[] } }).stream;
    for (let waited = 0; !stream.pipes.length; waited += 5) {
      // the zip takes the sheet once the 说明 sheet before it is written
      if (waited > 10_000) throw new Error('the zip did not take the sheet');
      await setTimeout(5);
    }
    for (const pipe of stream.pipes) if (pipe.writableNeedDrain) await once(pipe, 'drain');
  };
  // pages are handled one at a time, in order (the main thread sends the next after 'settled')
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    queue = queue.then(async () => {
      if (m.type === 'rows') {
        for (const cells of m.rows) write(cells);
        measure();
        await settle();
        post();
        port.postMessage({ type: 'settled' } satisfies FromWorker);
      } else {
        sheet.commit();
        await wb.commit();
        measure();
        // the main thread ends the worker once it has this (closing the port here could race the message)
        port.postMessage({ type: 'done', heapLimit: getHeapStatistics().heap_size_limit, heapUsedMax } satisfies FromWorker);
      }
    }).catch((e: unknown) => {
      // the main thread sees the worker fail ('error') and cuts the download
      queueMicrotask(() => { throw e; });
    });
  });
}
