// A ledger of a unit and year as XLSX (exceljs's streaming WorkbookWriter) or CSV (UTF-8 with BOM), written
// to a stream as its rows are read, a batch at a time: memory stays flat however large the subtree.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { badInput, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, unitByCode, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { CSV_BOM, NUMBER_FORMATS, UNIT_CODE_HEADER, UNIT_PATH_HEADERS, UnitPaths, csvQuote, csvValue, widthOf, xlsxValue, type Column } from '../columns.js';
import { LEDGERS, type Ledger, type LedgerRow } from './ledgers.js';
import type { FromWorker, ToWorker, XlsxCell, XlsxPlan } from './xlsx-worker.js';

export type ExportFormat = 'xlsx' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['xlsx', 'csv'];
export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
/**
 * Rows read a statement (the page size of the keyset reads). A page is alive in the main thread from its
 * read until the file has taken it, across young-generation collections: a smaller page survives less
 * (with 500 rows the first large export after a start grew the process 15–20 MB less than with 2,000).
 */
export const EXPORT_BATCH = 500;

/** An export asked for: the ledger and format from the path, the unit code and year from the query. */
export interface ExportRequest {
  ledger: string;
  format: string;
  unit: string | null;
  year: string | null;
}

/** An export checked and ready to write: nothing is sent before every check has passed. */
export interface PreparedExport {
  ledger: Ledger;
  format: ExportFormat;
  unit: AdminUnitRow;
  year: number;
  fileName: string;
  contentType: string;
  write(out: Writable, opts?: WriteOptions): Promise<number>;
}

export interface WriteOptions {
  /** rows a statement (EXPORT_BATCH) */
  batch?: number;
  /** the time the 说明 sheet states */
  now?: Date;
  /** ends the export between two batches, and any wait for the client or the compression (client gone, deadline) */
  signal?: AbortSignal;
  /** XLSX: the worker's old-generation limit in MB (XLSX_WORKER_OLD_MB; at least 4: below ~3 MB V8 cannot even start the worker and aborts the process) */
  workerOldMb?: number;
  /** XLSX: called with the worker that builds the file, once started */
  onWorker?: (worker: Worker) => void;
  /** XLSX: the worker's heap once the file is whole: its limit and the most it used (bytes) */
  onWorkerDone?: (heap: { heapLimit: number; heapUsedMax: number }) => void;
  /** called after each page of rows is read, with the rows of that page */
  onPage?: (rows: number) => void;
}

/** Checks the request as GraphQL would (bad input, then scope: NOT_FOUND, then role: FORBIDDEN); writes nothing. */
export async function prepareExport(em: EntityManager, principal: Principal, r: ExportRequest): Promise<PreparedExport> {
  const ledger = LEDGERS.get(r.ledger);
  if (!ledger) throw badInput('ledger', `no such ledger; one of ${[...LEDGERS.keys()].join(', ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(r.format)) throw badInput('format', 'xlsx or csv');
  const format = r.format as ExportFormat;
  if (!r.unit) throw badInput('unit', 'the 12-digit code of the unit is required');
  if (!r.year || !/^\d{4}$/.test(r.year) || +r.year < 2000 || +r.year > 2100) throw badInput('year', 'must be a year from 2000 to 2100');
  const year = Number(r.year);
  const unit = await unitByCode(em, r.unit);
  if (!unit) throw notFound('admin unit');
  assertCan(principal, ledger.action, { path: unit.path, what: 'admin unit' });
  const fileName = `${ledger.title}-${unit.name}-${year}.${format}`;
  return {
    ledger, format, unit, year, fileName, contentType: CONTENT_TYPES[format],
    write: (out, opts = {}) => writeLedger(em, principal, { ledger, format, unit, year }, out, opts),
  };
}

interface Target { ledger: Ledger; format: ExportFormat; unit: AdminUnitRow; year: number }

/** The header of the unit path columns for a ledger, then its own columns. */
export function headersOf(ledger: Ledger): Column[] {
  const path = ledger.rowLevel === 'TOWNSHIP' ? UNIT_PATH_HEADERS.slice(0, 3) : UNIT_PATH_HEADERS;
  return [...path.map((header): Column => ({ header, kind: 'text', width: 14 })), { header: UNIT_CODE_HEADER, kind: 'text', width: 15 }, ...ledger.columns];
}

/** Writes the ledger; resolves the number of data rows written. The stream is ended. */
async function writeLedger(em: EntityManager, principal: Principal, t: Target, out: Writable, opts: WriteOptions): Promise<number> {
  const names = await UnitPaths.under(em, t.unit);
  const columns = headersOf(t.ledger);
  const pathColumns = t.ledger.rowLevel === 'TOWNSHIP' ? 3 : 4;
  const cellsOf = (r: LedgerRow) => [...names.columns(r.unitPath).slice(0, pathColumns), names.code(r.unitPath), ...r.cells];
  const sink = t.format === 'xlsx' ? xlsxSink(out, t, columns, principal, names, opts.now ?? new Date(), opts) : csvSink(out, columns);
  let n = 0;
  try {
    for await (const page of t.ledger.pages({ em, principal, unit: t.unit, year: t.year, batch: opts.batch ?? EXPORT_BATCH })) {
      opts.signal?.throwIfAborted();
      opts.onPage?.(page.length);
      await names.load(em, page.map((r) => r.unitId));
      for (const r of page) sink.row(cellsOf(r));
      n += page.length;
      names.forgetVillages();
      // the file's builder or the client is slower than the reads: wait for them before the next batch (memory stays flat)
      await sink.settle(opts.signal);
      if (out.writableNeedDrain) await once(out, 'drain', { signal: opts.signal });
    }
    await sink.end(opts.signal);
  } finally {
    await sink.close();
  }
  return n;
}

interface Sink {
  row(cells: unknown[]): void;
  /** resolves when what was written so far has moved on (not piling up in a buffer) */
  settle(signal?: AbortSignal): Promise<void>;
  /** ends the file; resolves when the client has taken it all */
  end(signal?: AbortSignal): Promise<void>;
  /** releases what the sink holds, whether the file ended or failed */
  close(): Promise<void>;
}

function csvSink(out: Writable, columns: Column[]): Sink {
  out.write(CSV_BOM + columns.map((c) => csvQuote(c.header)).join(',') + '\r\n');
  return {
    row(cells) {
      out.write(columns.map((c, k) => csvValue(c.kind, (cells[k] ?? null) as never)).join(',') + '\r\n');
    },
    async settle() {},
    async end(signal) {
      out.end();
      await once(out, 'finish', { signal });
    },
    async close() {},
  };
}

/** Shanghai time, as the people reading the sheet count it. */
const SHANGHAI = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium', hour12: false });

/**
 * The XLSX worker's heap: its old generation (MB). Its live data is exceljs's code (~11 MB) and the rows it
 * is given (at most XLSX_WORKER_ROWS at a time, a few MB): 32 MB leaves room for long texts.
 */
export const XLSX_WORKER_OLD_MB = 32;
/** … and its young generation (MB): garbage dies young there instead of growing the service's heap. */
export const XLSX_WORKER_YOUNG_MB = 8;
/** Rows given to the worker a message at most (a larger page is sent in slices). */
export const XLSX_WORKER_ROWS = 500;
// the compiled worker next to this file, or its source under the tests (Node strips the types)
const WORKER_FILE = new URL(import.meta.url.endsWith('.ts') ? './xlsx-worker.ts' : './xlsx-worker.js', import.meta.url);

/**
 * The XLSX is built by exceljs in a worker thread with a bounded heap (xlsx-worker.ts says why); this side
 * keeps the reads (the request's transaction and scope) and sends the worker a page of cell values at a
 * time, writes the bytes it sends back to the client, and asks for the next page only once the worker has
 * taken this one and the client has drained.
 */
function xlsxSink(out: Writable, t: Target, columns: Column[], principal: Principal, names: UnitPaths, now: Date, opts: WriteOptions): Sink {
  const where = names.columns(t.unit.path).filter(Boolean).join(' / ') || t.unit.name;
  const plan: XlsxPlan = {
    info: [
      ['台账', t.ledger.title],
      ['单位', `${t.unit.name}（${t.unit.code}）`],
      ['单位路径', where],
      ['年度', t.year],
      ['导出人', `${principal.displayName}（${principal.username}）`],
      ['导出时间', `${SHANGHAI.format(now)}（北京时间）`],
      ['说明', '金额单位为元；日期为公历日期；范围为导出人权限内的该单位及其下级单位。'],
    ],
    title: t.ledger.title,
    columns: columns.map((c) => ({ header: c.header, width: widthOf(c), numFmt: NUMBER_FORMATS[c.kind], wrap: c.kind === 'text' && (c.width ?? 0) >= 30 })),
    now,
  };
  const worker = new Worker(WORKER_FILE, {
    workerData: plan,
    resourceLimits: { maxOldGenerationSizeMb: Math.max(4, opts.workerOldMb ?? XLSX_WORKER_OLD_MB), maxYoungGenerationSizeMb: XLSX_WORKER_YOUNG_MB },
  });
  opts.onWorker?.(worker);
  // what the worker answers next: 'settled' after a page, 'done' at the end; its failure or exit fails the wait
  let waiting: { ok: (m: FromWorker) => void; fail: (e: unknown) => void } | null = null;
  let failure: unknown = null;
  const failWith = (e: unknown) => {
    failure ??= e;
    waiting?.fail(failure);
    waiting = null;
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'data') { if (!out.destroyed) out.write(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength)); }
    else {
      waiting?.ok(m);
      waiting = null;
    }
  });
  worker.on('error', failWith);
  worker.on('exit', (code) => failWith(new Error(`the XLSX worker stopped (exit code ${code})`)));
  const ask = (m: ToWorker, signal?: AbortSignal) => new Promise<FromWorker>((ok, fail) => {
    if (failure) return fail(failure);
    signal?.throwIfAborted();
    waiting = { ok, fail };
    worker.postMessage(m);
  });
  // a client that leaves, or the deadline: the worker is stopped at once, whatever it is doing
  const stop = () => {
    failWith(opts.signal!.reason);
    void worker.terminate();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  let rows: XlsxCell[][] = [];
  const settle = async (signal?: AbortSignal) => {
    const page = rows;
    rows = [];
    for (let k = 0; k < page.length; k += XLSX_WORKER_ROWS) await ask({ type: 'rows', rows: page.slice(k, k + XLSX_WORKER_ROWS) }, signal);
  };
  return {
    row(cells) {
      rows.push(columns.map((c, k) => xlsxValue(c.kind, (cells[k] ?? null) as never)));
    },
    settle,
    async end(signal) {
      if (rows.length) await settle(signal);
      const done = await ask({ type: 'end' }, signal);
      if (done.type === 'done') opts.onWorkerDone?.({ heapLimit: done.heapLimit, heapUsedMax: done.heapUsedMax });
      out.end();
      await once(out, 'finish', { signal });
    },
    async close() {
      opts.signal?.removeEventListener('abort', stop);
      await worker.terminate();
    },
  };
}
