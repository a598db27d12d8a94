// A ledger of a unit and year as XLSX (exceljs's streaming WorkbookWriter) or CSV (UTF-8 with BOM), written
// to a stream as its rows are read, a batch at a time: memory stays flat however large the subtree.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { badInput, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, unitByCode, type AdminUnitRow, type Principal } from '@jiceng/tenancy';
import { CSV_BOM, NUMBER_FORMATS, UNIT_CODE_HEADER, UNIT_PATH_HEADERS, UnitPaths, csvQuote, csvValue, widthOf, xlsxValue, type Column } from '../columns.js';
import { LEDGERS, type Ledger, type LedgerRow } from './ledgers.js';

export type ExportFormat = 'xlsx' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['xlsx', 'csv'];
export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
/** Rows read a statement (the page size of the keyset reads). */
export const EXPORT_BATCH = 2000;

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
  const sink = t.format === 'xlsx' ? xlsxSink(out, t, columns, principal, names, opts.now ?? new Date()) : csvSink(out, columns);
  let n = 0;
  for await (const page of t.ledger.pages({ em, principal, unit: t.unit, year: t.year, batch: opts.batch ?? EXPORT_BATCH })) {
    opts.signal?.throwIfAborted();
    await names.load(em, page.map((r) => r.unitId));
    for (const r of page) sink.row(cellsOf(r));
    n += page.length;
    names.forgetVillages();
    // the compression or the client is slower than the reads: wait for them before the next batch (memory stays flat)
    await sink.settle(opts.signal);
    if (out.writableNeedDrain) await once(out, 'drain', { signal: opts.signal });
  }
  await sink.end(opts.signal);
  return n;
}

interface Sink {
  row(cells: unknown[]): void;
  /** resolves when what was written so far has moved on (not piling up in a buffer) */
  settle(signal?: AbortSignal): Promise<void>;
  /** ends the file; resolves when the client has taken it all */
  end(signal?: AbortSignal): Promise<void>;
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
  };
}

/** Shanghai time, as the people reading the sheet count it. */
const SHANGHAI = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium', hour12: false });

function xlsxSink(out: Writable, t: Target, columns: Column[], principal: Principal, names: UnitPaths, now: Date): Sink {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Jiceng';
  wb.created = now;
  // 说明: what the file holds
  const info = wb.addWorksheet('说明');
  info.columns = [{ width: 14 }, { width: 60 }];
  const where = names.columns(t.unit.path).filter(Boolean).join(' / ') || t.unit.name;
  const lines: [string, string | number][] = [
    ['台账', t.ledger.title],
    ['单位', `${t.unit.name}（${t.unit.code}）`],
    ['单位路径', where],
    ['年度', t.year],
    ['导出人', `${principal.displayName}（${principal.username}）`],
    ['导出时间', `${SHANGHAI.format(now)}（北京时间）`],
    ['说明', '金额单位为元；日期为公历日期；范围为导出人权限内的该单位及其下级单位。'],
  ];
  for (const [k, v] of lines) {
    const row = info.addRow([k, v]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
  info.commit();
  const sheet = wb.addWorksheet(t.ledger.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ width: widthOf(c) }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  const formats = columns.map((c) => NUMBER_FORMATS[c.kind]);
  const wraps = columns.map((c) => c.kind === 'text' && (c.width ?? 0) >= 30);
  return {
    row(cells) {
      const row = sheet.addRow(columns.map((c, k) => xlsxValue(c.kind, (cells[k] ?? null) as never)));
      for (let k = 0; k < columns.length; k++) {
        const fmt = formats[k];
        if (fmt && cells[k] !== null && cells[k] !== undefined) row.getCell(k + 1).numFmt = fmt;
        if (wraps[k]) row.getCell(k + 1).alignment = { wrapText: true, vertical: 'top' };
      }
      row.commit();
    },
    async settle(signal) {
      // exceljs writes the sheet's XML into the zip's deflate stream without waiting for it (StreamBuf ignores
      // backpressure): when deflate lags behind the reads, wait until its buffer has drained
      const stream = (sheet as unknown as { stream: { pipes: Writable[] } }).stream;
      for (let waited = 0; !stream.pipes.length; waited += 5) {
        // the zip takes the sheet once the 说明 sheet before it is written
        if (waited > 10_000) throw new Error('the zip did not take the sheet');
        await setTimeout(5, undefined, { signal });
      }
      for (const pipe of stream.pipes) if (pipe.writableNeedDrain) await once(pipe, 'drain', { signal });
    },
    async end(signal) {
      sheet.commit();
      // exceljs's commit waits for the whole zip to be taken, and knows no signal
      const aborted = new Promise<never>((_, fail) => {
        if (signal?.aborted) fail(signal.reason);
        signal?.addEventListener('abort', () => fail(signal.reason), { once: true });
      });
      await Promise.race([wb.commit(), aborted]);
    },
  };
}
