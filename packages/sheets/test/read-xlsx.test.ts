import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { readImportLimits } from '../src/import/limits.js';
import { readXlsx } from '../src/import/read.js';

// exceljs 4.4's streaming reader now and then stops before a zip's last entries (about one read in 300
// here): in a file written by exceljs those hold the workbook, so the sheets lost their names and the
// 说明 sheet was read as the data. Each file differs (its time), as every export does.
async function exported(k: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const info = wb.addWorksheet('说明');
  info.addRow(['台账', `支持记录 ${k} ${new Date().toISOString()}`]).commit();
  info.commit();
  const sheet = wb.addWorksheet('支持记录');
  sheet.addRow(['统计用区划代码', '日期']).commit();
  for (let r = 0; r < 20; r++) sheet.addRow([`1504${k}${r}`, new Date(Date.UTC(2025, 0, 1 + r))]).commit();
  sheet.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

describe('reading an XLSX', () => {
  test('the data sheet, by its name, after the 说明 sheet: every time in 600 reads', async () => {
    const limits = readImportLimits({});
    const misread: string[] = [];
    for (let k = 0; k < 600; k++) {
      const read = await readXlsx(await exported(k), limits);
      if (read.sheet !== '支持记录' || read.rows.length !== 20 || read.header[0] !== '统计用区划代码') misread.push(`${k}: ${read.sheet} ${read.rows.length}`);
    }
    expect(misread).toEqual([]);
  }, 120_000);
});
