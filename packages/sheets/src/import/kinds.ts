import type { RowProblem } from '@jiceng/core';
import { UNIT_CODE_HEADER, UNIT_PATH_HEADERS } from '../columns.js';
import type { ReadCell, SheetRows } from './read.js';

// What can be imported: each kind's sheet, its columns (Chinese headers, docs/glossary.md) and how a
// cell becomes a value. The unit-path columns (盟市 / 旗县 / 苏木乡镇 / 嘎查村) may be present, as in the
// exported ledgers, and are not read: the village is its code.

export type ImportKind = 'assessments' | 'support';
export const IMPORT_KINDS: readonly ImportKind[] = ['assessments', 'support'];

/** One problem of a file, where it is: sheet, row (1-based), column letter and header, in Chinese. */
export interface ImportProblem {
  sheet: string;
  row: number | null;
  column: string | null;
  header: string | null;
  code: string;
  message: string;
}

type Parse = (cell: ReadCell) => { value?: unknown; problem?: [code: string, message: string] };

interface Column {
  header: string;
  /** other headers taken for this column (those of the exported ledgers, older template names) */
  aliases?: string[];
  /** the field of the module's row it fills; null: read and ignored (the unit path) */
  field: string | null;
  required: boolean;
  /** what the 说明 sheet says of it */
  help: string;
  parse: Parse;
  /** an example value for the template */
  example: string | number;
}

export interface KindSpec {
  kind: ImportKind;
  sheet: string;
  title: string;
  columns: Column[];
  notes: string[];
}

const PATH_COLUMNS = (example: [string, string, string, string]): Column[] =>
  UNIT_PATH_HEADERS.map((header, k) => ({
    header, field: null, required: false, help: '可留空；仅供阅读，导入时以嘎查村代码为准', parse: () => ({}), example: example[k]!,
  }));

const FORMULA: [string, string] = ['FORMULA', '单元格是公式，请填写数值（复制后“选择性粘贴—数值”）'];

function text(cell: ReadCell) {
  if (cell === null) return null;
  if (typeof cell === 'object' && !(cell instanceof Date)) return undefined;
  return String(cell).trim();
}

const villageCode: Parse = (cell) => {
  if (cell !== null && typeof cell === 'object' && 'formula' in cell) return { problem: FORMULA };
  const raw = typeof cell === 'number' && Number.isInteger(cell) ? String(cell) : text(cell);
  if (raw == null || raw === '') return { problem: ['REQUIRED', '必填：嘎查村的12位统计用区划代码'] };
  if (!/^\d{12}$/.test(raw)) return { problem: ['BAD_CODE', `“${raw.slice(0, 40)}”不是12位数字的区划代码`] };
  return { value: raw };
};

const wholeNumber = (min: number, max: number, required: boolean, what: string): Parse => (cell) => {
  if (cell !== null && typeof cell === 'object' && 'formula' in cell) return { problem: FORMULA };
  if (cell === null) return required ? { problem: ['REQUIRED', `必填：${what}`] } : { value: 0 };
  const n = typeof cell === 'number' ? cell : typeof cell === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(cell) ? Number(cell) : Number.NaN;
  if (!Number.isInteger(n)) return { problem: ['BAD_NUMBER', `“${String(cell instanceof Date ? cell.toISOString().slice(0, 10) : typeof cell === 'object' ? '' : cell).slice(0, 40)}”不是整数`] };
  if (n < min || n > max) return { problem: ['OUT_OF_RANGE', `${what}应为 ${min} 到 ${max} 的整数，而不是 ${n}`] };
  return { value: n };
};

/** An amount in 元 with at most two decimals, as fen (exact: the decimal text is read, never n × 100 in floating point). */
const yuan: Parse = (cell) => {
  if (cell !== null && typeof cell === 'object' && 'formula' in cell) return { problem: FORMULA };
  if (cell === null) return { value: 0n };
  // a number cell: its shortest decimal form is the text Excel shows
  const raw = typeof cell === 'number' ? String(cell) : typeof cell === 'string' ? cell.trim().replace(/,/g, '') : '';
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(raw);
  if (!m) return { problem: ['BAD_AMOUNT', `“${raw.slice(0, 40)}”不是金额（元，最多两位小数，不小于0）`] };
  return { value: BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) };
};

/** A date: a date cell, or YYYY-MM-DD / YYYY/M/D text. */
const date: Parse = (cell) => {
  if (cell !== null && typeof cell === 'object' && 'formula' in cell) return { problem: FORMULA };
  if (cell === null) return { problem: ['REQUIRED', '必填：日期'] };
  if (cell instanceof Date) return { value: cell.toISOString().slice(0, 10) };
  const raw = typeof cell === 'string' ? cell.trim() : '';
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(raw);
  if (!m) return { problem: ['BAD_DATE', `“${String(typeof cell === 'object' ? '' : cell).slice(0, 40)}”不是日期（如 2026-03-15）`] };
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return { problem: ['BAD_DATE', `${raw} 不是有效日期`] };
  return { value: iso };
};

const freeText: Parse = (cell) => {
  if (cell !== null && typeof cell === 'object' && 'formula' in cell) return { problem: FORMULA };
  // the apostrophe an export puts before a text that would read as a formula (columns.ts neutralise) is not part of it
  const raw = text(cell);
  const t = typeof raw === 'string' ? raw.replace(/^'(?=[=+\-@\t\r])/, '') : raw;
  if (t === undefined) return { problem: ['BAD_TEXT', '单元格无法读取为文字'] };
  if (t && t.length > 500) return { problem: ['TOO_LONG', '不超过500个字'] };
  return { value: t || null };
};

const requiredText = (what: string): Parse => (cell) => {
  const r = freeText(cell);
  if (!r.problem && !r.value) return { problem: ['REQUIRED', `必填：${what}`] };
  return r;
};

export const KINDS: Record<ImportKind, KindSpec> = {
  assessments: {
    kind: 'assessments',
    sheet: '十星级评定',
    title: '十星级评定导入模板',
    columns: [
      ...PATH_COLUMNS(['赤峰市', '宁城县', '天义镇', '示例村']),
      { header: UNIT_CODE_HEADER, aliases: ['嘎查村代码'], field: 'villageCode', required: true, help: '嘎查村的12位统计用区划代码（文本格式）', parse: villageCode, example: '150429100201' },
      { header: '年度', field: 'year', required: true, help: '评定年度，2000–2100', parse: wholeNumber(2000, 2100, true, '年度'), example: 2026 },
      { header: '星级', field: 'stars', required: true, help: '十星级评定的星数，0–10 的整数；不高于标准的星数（默认4星）为三类村，立整顿台账', parse: wholeNumber(0, 10, true, '星级'), example: 7 },
    ],
    notes: [
      '每个嘎查村每个年度一行；同一嘎查村同一年度重复出现是错误。',
      '重新导入同一文件不会改变任何数据；已有的评定按新星级更新。',
      '只能导入您管辖范围内的嘎查村（组织部门账号）。',
      '任何一行有问题，整个文件都不写入，并列出所有问题（工作表、行、列）。',
    ],
  },
  support: {
    kind: 'support',
    sheet: '帮扶记录',
    title: '结对帮扶记录导入模板',
    columns: [
      { header: '帮扶单位', aliases: ['帮扶单位（人）'], field: 'partner', required: true, help: '您的单位名称（与系统中登记的名称一致）', parse: requiredText('帮扶单位'), example: '示例企业有限公司' },
      ...PATH_COLUMNS(['赤峰市', '宁城县', '天义镇', '示例村']),
      { header: UNIT_CODE_HEADER, aliases: ['嘎查村代码'], field: 'villageCode', required: true, help: '嘎查村的12位统计用区划代码；必须是与您的单位结对的嘎查村', parse: villageCode, example: '150429100201' },
      { header: '日期', field: 'loggedOn', required: true, help: '帮扶日期（如 2026-03-15），在结对期限内、导入年度内，不晚于今天', parse: date, example: '2026-03-15' },
      { header: '走访次数', field: 'visits', required: false, help: '整数，不小于0；空白为0', parse: wholeNumber(0, 1_000_000, false, '走访次数'), example: 2 },
      { header: '安置人数', aliases: ['安置就业人数'], field: 'peoplePlaced', required: false, help: '安置就业人数，整数，不小于0', parse: wholeNumber(0, 1_000_000, false, '安置人数'), example: 0 },
      { header: '物资价值（元）', aliases: ['物资价值'], field: 'materialsValue', required: false, help: '金额（元），最多两位小数', parse: yuan, example: 1500.5 },
      { header: '会议次数', field: 'meetings', required: false, help: '整数，不小于0', parse: wholeNumber(0, 1_000_000, false, '会议次数'), example: 1 },
      { header: '解决问题数', field: 'problemsSolved', required: false, help: '整数，不小于0', parse: wholeNumber(0, 1_000_000, false, '解决问题数'), example: 0 },
      { header: '协调项目数', field: 'projectsCoordinated', required: false, help: '整数，不小于0', parse: wholeNumber(0, 1_000_000, false, '协调项目数'), example: 0 },
      { header: '备注', field: 'note', required: false, help: '可留空，不超过500字', parse: freeText, example: '' },
      // columns of the exported support ledger, read and ignored: a file exported can be imported again
      { header: '结对类型', field: null, required: false, help: '可留空；导出的帮扶记录中的列，导入时不读取', parse: () => ({}), example: '' },
      { header: '更正', field: null, required: false, help: '可留空；导出的帮扶记录中的列，导入时不读取（更正请在系统中操作）', parse: () => ({}), example: '' },
    ],
    notes: [
      '由结对单位的账号导入本单位的帮扶记录；每行至少有一项数字大于0。',
      '导入时须指定年度（?year=2026），每行日期须在该年度内。',
      '同一嘎查村、日期、各项数字和备注完全相同的行视为同一条记录：文件内重复是错误；已登记过的（导入或在系统中登记的）不再重复登记，导出的帮扶记录可以原样再导入。',
      '任何一行有问题，整个文件都不写入，并列出所有问题（工作表、行、列）。',
    ],
  },
};

/** Spreadsheet column letters: 0 → A, 26 → AA. */
export function columnLetter(k: number): string {
  let s = '';
  for (let n = k + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const normalize = (h: string) => h.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');

/**
 * The header row against the kind's columns: a header not known (extra or misnamed), one given twice, a
 * required one missing. Returns the column index of each known header.
 */
export function matchHeader(spec: KindSpec, sheet: SheetRows): { at: Map<Column, number>; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const at = new Map<Column, number>();
  const byName = new Map(spec.columns.flatMap((c) => [c.header, ...(c.aliases ?? [])].map((h) => [normalize(h), c] as const)));
  sheet.header.forEach((h, k) => {
    if (!h) return;
    const c = byName.get(normalize(h));
    if (!c) {
      problems.push({ sheet: sheet.sheet, row: 1, column: columnLetter(k), header: h, code: 'UNKNOWN_HEADER', message: `表头“${h}”不是本模板的列（应为：${spec.columns.map((x) => x.header).join('、')}）` });
    } else if (at.has(c)) {
      problems.push({ sheet: sheet.sheet, row: 1, column: columnLetter(k), header: h, code: 'DUPLICATE_HEADER', message: `表头“${h}”重复出现（已在 ${columnLetter(at.get(c)!)} 列）` });
    } else at.set(c, k);
  });
  for (const c of spec.columns) {
    if (c.required && !at.has(c)) problems.push({ sheet: sheet.sheet, row: 1, column: null, header: c.header, code: 'MISSING_HEADER', message: `缺少必需的列“${c.header}”` });
  }
  return { at, problems };
}

/**
 * The data rows as the module's rows, with every cell problem; a row with a cell problem is left out of
 * the rows (its other problems are still looked for by the module with the rest).
 */
export function parseRows(sheet: SheetRows, at: Map<Column, number>): { rows: Record<string, unknown>[]; source: number[]; problems: ImportProblem[] } {
  const rows: Record<string, unknown>[] = [];
  const source: number[] = [];
  const problems: ImportProblem[] = [];
  const known = new Set(at.values());
  for (const r of sheet.rows) {
    const out: Record<string, unknown> = {};
    let bad = false;
    for (const [c, k] of at) {
      const cell = r.cells[k] ?? null;
      if (c.field === null) {
        if (cell !== null && typeof cell === 'object' && 'formula' in cell) {
          problems.push({ sheet: sheet.sheet, row: r.row, column: columnLetter(k), header: c.header, code: FORMULA[0], message: FORMULA[1] });
          bad = true;
        }
        continue;
      }
      const { value, problem } = c.parse(cell);
      if (problem) {
        problems.push({ sheet: sheet.sheet, row: r.row, column: columnLetter(k), header: c.header, code: problem[0], message: problem[1] });
        bad = true;
      } else out[c.field] = value;
    }
    // values in columns without a header
    r.cells.forEach((cell, k) => {
      if (cell !== null && !known.has(k) && !(sheet.header[k] ?? '')) {
        problems.push({ sheet: sheet.sheet, row: r.row, column: columnLetter(k), header: null, code: 'NO_HEADER', message: '该列没有表头，但单元格有内容' });
        bad = true;
      }
    });
    if (!bad) {
      rows.push(out);
      source.push(r.row);
    }
  }
  return { rows, source, problems };
}

/** The Chinese message of a problem a module found in a row. */
export function moduleProblem(p: RowProblem): { code: string; message: string } {
  const d = p.detail ?? {};
  const messages: Record<string, string> = {
    YEAR_RANGE: '年度应在 2000 到 2100 之间',
    STARS_RANGE: '星级应为 0 到 10 的整数',
    VILLAGE_NOT_FOUND: '未找到该嘎查村：代码不存在，或不在您的管辖范围内',
    NOT_A_VILLAGE: '该代码不是嘎查村（社区）一级的单位',
    DUPLICATE: `与第 ${d.sameAsRow ?? '?'} 行重复`,
    CASE_STARTED: `该村本年度的整顿台账已开始整顿（${d.state ?? ''}），不能改评为非三类村`,
    NOT_OWN_PARTNER: '帮扶单位不是您的单位：只能导入本单位的帮扶记录',
    NOT_PAIRED: '该嘎查村未与您的单位结对（或代码不存在）',
    OUTSIDE_TERM: `日期不在结对期限内（${((d.terms as { startsOn: string; endsOn: string | null }[] | undefined) ?? []).map((t) => `${t.startsOn} 至 ${t.endsOn ?? '今'}`).join('；')}，不含结束日）`,
    FUTURE_DATE: '日期晚于今天',
    OUTSIDE_YEAR: `日期不在导入年度 ${d.year ?? ''} 内`,
    BAD_DATE: '不是有效日期',
    BAD_FIGURE: '数字应为不小于 0 的整数',
    NO_FIGURES: '每行至少有一项数字大于 0（走访、安置就业、物资价值、会议、解决问题或协调项目）',
  };
  return { code: p.problem, message: messages[p.problem] ?? p.problem };
}
