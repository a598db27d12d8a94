import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError, ErrorCode } from '@jiceng/core';
import type { ImportLimits } from './limits.js';

// Reading an uploaded file into rows of cells, within the limits: the row count is checked while the
// rows arrive (the first row over the limit stops the reading), an XLSX's zip directory is checked
// before anything is unpacked, and anything that is not a spreadsheet is MALFORMED_FILE, never a 500.

export type FileType = 'xlsx' | 'csv';

/** A cell as read: a value, or a formula (refused where a value belongs), or an error value. */
export type ReadCell = string | number | boolean | Date | null | { formula: string } | { error: string };

export interface SheetRows {
  sheet: string;
  /** the header row's texts, by column (0 = A) */
  header: string[];
  /** data rows (empty rows left out) with their 1-based row number in the sheet */
  rows: { row: number; cells: ReadCell[] }[];
}

export const malformed = (message: string, details: Record<string, unknown> = {}) => new AppError(ErrorCode.MALFORMED_FILE, message, details);

export const tooManyRows = (max: number) =>
  new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `文件超过行数上限 ${max} 行 (the file has more than ${max} data rows)`, { limit: 'maxRows', max });

const XLSX_TYPES = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

/** The file type a Content-Type names, or null. */
export function fileTypeOf(contentType: string | undefined): FileType | null {
  const t = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (XLSX_TYPES.includes(t)) return 'xlsx';
  if (CSV_TYPES.includes(t)) return 'csv';
  return null;
}

export async function readSheet(data: Buffer, type: FileType, limits: ImportLimits, sheetName: string): Promise<SheetRows> {
  return type === 'csv' ? readCsv(data, limits, sheetName) : readXlsx(data, limits);
}

// ---------------------------------------------------------------- CSV

/** UTF-8 (a BOM is dropped), RFC 4180 quoting, comma separated; a row count over the limit stops at once. */
export function readCsv(data: Buffer, limits: ImportLimits, sheetName: string): SheetRows {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    throw malformed('文件不是 UTF-8 编码的 CSV (the file is not UTF-8 text)');
  }
  if (text.includes('\u0000')) throw malformed('文件不是 CSV 文本 (the file holds NUL characters: not CSV text)');
  const rows: { row: number; cells: ReadCell[] }[] = [];
  let header: string[] | null = null;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  const endRow = () => {
    cells.push(cell);
    cell = '';
    if (header === null) header = cells;
    else if (cells.some((c) => c.trim() !== '')) {
      if (rows.length >= limits.maxRows) throw tooManyRows(limits.maxRows);
      rows.push({ row: rowStart, cells: cells.map((c) => (c.trim() === '' ? null : c)) });
    }
    cells = [];
  };
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (quoted) {
      if (ch === '"') {
        if (text[k + 1] === '"') {
          cell += '"';
          k++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[k + 1] === '\n') k++;
      endRow();
      line++;
      rowStart = line;
    } else cell += ch;
  }
  if (quoted) throw malformed(`第 ${rowStart} 行的引号没有闭合 (an unclosed quote from line ${rowStart})`);
  if (cell !== '' || cells.length) endRow();
  return { sheet: sheetName, header: (header ?? []).map((h: string) => h.trim()), rows };
}

// ---------------------------------------------------------------- XLSX

/**
 * Checks an XLSX's zip central directory before anything is unpacked: the number of entries, their total
 * uncompressed size and the compression ratio; ZIP64 and encrypted entries are refused. Throws MALFORMED_FILE; returns the entries' names.
 */
export function checkZip(data: Buffer, limits: ImportLimits): string[] {
  if (data.length < 22 || data.readUInt32LE(0) !== 0x04034b50) throw malformed('文件不是 XLSX 电子表格 (not an XLSX file: no zip signature)');
  let eocd = -1;
  for (let k = data.length - 22; k >= Math.max(0, data.length - 22 - 65535); k--) {
    if (data.readUInt32LE(k) === 0x06054b50) {
      eocd = k;
      break;
    }
  }
  if (eocd < 0) throw malformed('XLSX 文件不完整 (the zip directory is missing: a truncated file?)');
  const entries = data.readUInt16LE(eocd + 10);
  const dirSize = data.readUInt32LE(eocd + 12);
  const dirOffset = data.readUInt32LE(eocd + 16);
  if (entries === 0xffff || dirOffset === 0xffffffff) throw malformed('不支持 ZIP64 格式的文件 (ZIP64 is not accepted)');
  if (entries > limits.maxZipEntries) throw malformed(`XLSX 文件的条目过多 (more than ${limits.maxZipEntries} zip entries)`, { limit: 'maxZipEntries', max: limits.maxZipEntries });
  if (dirOffset + dirSize > eocd) throw malformed('XLSX 文件的目录损坏 (the zip directory is damaged)');
  let total = 0;
  const names: string[] = [];
  let p = dirOffset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > eocd || data.readUInt32LE(p) !== 0x02014b50) throw malformed('XLSX 文件的目录损坏 (the zip directory is damaged)');
    const flags = data.readUInt16LE(p + 8);
    const compressed = data.readUInt32LE(p + 20);
    const size = data.readUInt32LE(p + 24);
    if (flags & 1) throw malformed('XLSX 文件已加密 (encrypted entries are not accepted)');
    if (size === 0xffffffff || compressed === 0xffffffff) throw malformed('不支持 ZIP64 格式的文件 (ZIP64 is not accepted)');
    total += size;
    // deflate reaches about 1000:1 at most on real data; XML cells compress to 10–50:1
    if (size > 1_000_000 && size > compressed * 500) throw malformed('XLSX 文件的压缩比异常，疑似压缩炸弹 (an entry expands more than 500 times: a zip bomb?)', { limit: 'compressionRatio', max: 500 });
    if (total > limits.maxUnzippedBytes) {
      throw malformed(`XLSX 文件解压后超过 ${limits.maxUnzippedBytes} 字节 (more than ${limits.maxUnzippedBytes} bytes uncompressed)`, { limit: 'maxUnzippedBytes', max: limits.maxUnzippedBytes });
    }
    const nameLength = data.readUInt16LE(p + 28);
    names.push(data.toString('utf8', p + 46, Math.min(p + 46 + nameLength, eocd)));
    p += 46 + nameLength + data.readUInt16LE(p + 30) + data.readUInt16LE(p + 32);
  }
  return names;
}

/** A cell value from exceljs, as a ReadCell. */
function cellOf(v: unknown): ReadCell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, any>;
    if ('formula' in o || 'sharedFormula' in o) return { formula: String(o.formula ?? o.sharedFormula) };
    if ('error' in o) return { error: String(o.error) };
    if (Array.isArray(o.richText)) return o.richText.map((r: { text: string }) => r.text).join('') || null;
    if ('text' in o) return String(o.text);
  }
  return { error: 'unreadable' };
}

/**
 * exceljs 4.4's streaming reader (unzipper's streaming parse) now and then stops before the zip's last
 * entries (exceljs issues #3064 and #2671; about one read in 300 here). In files written by exceljs those
 * are the workbook and its relationships, so the sheets lose their names and the 说明 sheet is taken
 * for the data. A read that did not see a part the zip directory lists is read again from the buffer.
 */
const READ_ATTEMPTS = 5;

class StreamLostParts extends Error {}

/** What the zip directory lists that a complete read must have seen. */
interface ZipParts {
  workbook: boolean;
  rels: boolean;
  worksheets: number;
}

/** The first sheet that is not the 说明 (explanation) sheet, streamed: rows past the limit stop the reading. */
export async function readXlsx(data: Buffer, limits: ImportLimits): Promise<SheetRows> {
  const entries = checkZip(data, limits);
  const parts: ZipParts = {
    workbook: entries.includes('xl/workbook.xml'),
    rels: entries.includes('xl/_rels/workbook.xml.rels'),
    worksheets: entries.filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).length,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await readXlsxOnce(data, limits, parts);
    } catch (e) {
      if (!(e instanceof StreamLostParts) || attempt === READ_ATTEMPTS) {
        if (e instanceof AppError) throw e;
        throw malformed('无法读取 XLSX 文件 (the file could not be read as XLSX)', { reason: String((e as Error)?.message ?? e).slice(0, 200) });
      }
    }
  }
}

async function readXlsxOnce(data: Buffer, limits: ImportLimits, parts: ZipParts): Promise<SheetRows> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), {
    entries: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit',
  });
  const seen = reader as unknown as { model?: unknown; workbookRels?: unknown };
  const complete = () =>
    (!parts.workbook || seen.model !== undefined) && (!parts.rels || seen.workbookRels !== undefined);
  try {
    for await (const sheet of reader) {
      if (!complete()) throw new StreamLostParts();
      const name = (sheet as unknown as { name?: string }).name ?? 'Sheet1';
      if (name === '说明') {
        // read through, never left: exceljs deletes a sheet's temporary file once the next is asked for,
        // and a stream still opening it would fail with an 'error' nobody listens to (the process ends)
        let n = 0;
        for await (const _ of sheet) if (++n > limits.maxRows) throw tooManyRows(limits.maxRows);
        continue;
      }
      let header: string[] | null = null;
      const rows: { row: number; cells: ReadCell[] }[] = [];
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1).map(cellOf);
        if (header === null) {
          header = values.map((c) => (c == null ? '' : typeof c === 'object' && !(c instanceof Date) ? '' : String(c).trim()));
          continue;
        }
        if (values.every((c) => c === null)) continue;
        if (rows.length >= limits.maxRows) throw tooManyRows(limits.maxRows);
        rows.push({ row: row.number, cells: values });
      }
      return { sheet: name, header: header ?? [], rows };
    }
  } catch (e) {
    // the workbook lost: exceljs itself fails on its missing model before it yields a sheet
    if (!(e instanceof AppError) && !complete()) throw new StreamLostParts();
    throw e;
  }
  // no data sheet came: lost, when the directory lists more than the 说明 sheet
  if (!complete() || parts.worksheets > 1) throw new StreamLostParts();
  throw malformed('XLSX 文件中没有工作表 (the file holds no worksheet)');
}
