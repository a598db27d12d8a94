import ExcelJS from 'exceljs';
import { KINDS, type ImportKind } from './kinds.js';

// The import templates (GET /export/template/<kind>.xlsx | .csv): the data sheet with its Chinese headers
// (frozen, filters on, widths that fit; codes formatted as text), and a 说明 sheet saying what each column takes.

export async function templateXlsx(kind: ImportKind): Promise<Buffer> {
  const spec = KINDS[kind];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jiceng';
  const data = wb.addWorksheet(spec.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  data.columns = spec.columns.map((c) => ({
    header: c.header,
    key: c.header,
    width: Math.max(10, [...c.header].length * 2 + 4),
    style: c.field === 'villageCode' ? { numFmt: '@' } : c.field === 'loggedOn' ? { numFmt: 'yyyy-mm-dd' } : c.field === 'materialsValue' ? { numFmt: '#,##0.00' } : {},
  }));
  data.getRow(1).font = { bold: true };
  data.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.columns.length } };
  const help = wb.addWorksheet('说明');
  help.columns = [{ width: 16 }, { width: 8 }, { width: 70 }, { width: 20 }];
  help.addRow([spec.title]).font = { bold: true, size: 14 };
  help.addRow([`在“${spec.sheet}”工作表中从第2行起每行填写一条；第1行表头不要改动。CSV 文件使用相同的表头（UTF-8 编码）。`]);
  help.addRow([]);
  help.addRow(['列', '必填', '说明', '示例']).font = { bold: true };
  for (const c of spec.columns) help.addRow([c.header, c.required ? '是' : '否', c.help, c.example]);
  help.addRow([]);
  help.addRow(['规则']).font = { bold: true };
  for (const n of spec.notes) help.addRow([n]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The CSV template: a BOM (so that Excel reads UTF-8) and the header line. */
export function templateCsv(kind: ImportKind): Buffer {
  return Buffer.from(`\uFEFF${KINDS[kind].columns.map((c) => c.header).join(',')}\r\n`, 'utf8');
}
