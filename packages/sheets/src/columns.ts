// Shared by the exports and the imports: Chinese headers and labels (docs/glossary.md), the unit path as
// columns, exact money (fen ⇄ yuan), dates as spreadsheet dates, and CSV cells. No I/O here but the
// unit-name lookups, which go through tenancy's exported reads (the caller's scope applies).
import { formatYuan } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { ancestorsOfMany, unitsByIds, unitsAbove, type AdminUnitRow } from '@jiceng/tenancy';

/** The unit path as four columns: 盟市 / 旗县 / 苏木乡镇 / 嘎查村. */
export const UNIT_PATH_HEADERS = ['盟市', '旗县', '苏木乡镇', '嘎查村'] as const;
/** The official 12-digit code of the unit a row belongs to. */
export const UNIT_CODE_HEADER = '统计用区划代码';

/** Chinese labels of the API's enum values, from docs/glossary.md. */
export const LABELS = {
  caseState: {
    IDENTIFIED: '已确定', RECTIFYING: '整顿中', TRANSFORMED: '转化', CONSOLIDATED: '巩固', CLOSED: '销号', RELAPSED: '反弹', WITHDRAWN: '撤出整顿对象',
  },
  cause: { WEAK_LAX: '软弱涣散', FINANCIAL_CHAOS: '财务管理混乱', BACKWARD_ECONOMY: '经济社会发展落后', ACUTE_CONFLICTS: '矛盾问题突出' },
  partnerKind: { ENTERPRISE: '企业', DEPARTMENT: '部门', LEADER: '县级领导', FIRST_SECRETARY: '第一书记', PROJECT: '项目' },
  fund: { OFFICE: '办公经费', ACTIVITY: '党组织活动经费', PARTY_BUILDING: '党建工作专项经费', BENEFIT_PROJECT: '村级惠民项目资金', AWARD: '以奖代补' },
  light: { GREEN: '绿灯', YELLOW: '黄灯', RED: '红灯' },
  severity: { MINOR: '小问题', ORDINARY: '一般问题', MAJOR: '重大问题' },
  handlerLevel: { VILLAGE: '村', TOWNSHIP: '乡镇', COUNTY: '县区', CITY: '盟市' },
  disputeCategory: {
    LAND_CONTRACTING: '土地承包', HOMESTEAD: '宅基地', REQUISITION_DEMOLITION: '征地拆迁', CLAN: '宗族', NEIGHBOURS: '邻里', PUBLIC_ORDER: '治安',
    VILLAGE_PLANNING: '村庄规划', FAMILY_PLANNING: '计划生育', VILLAGE_AFFAIRS_DISCLOSURE: '村务公开', FINANCES: '财务', CADRE_CONDUCT: '干部作风',
    ORGANISATION: '组织建设', FARMERS_BURDENS: '农民负担',
  },
  yesNo: { true: '是', false: '否' },
} as const satisfies Record<string, Record<string, string>>;

/** The Chinese label of an enum value; an unknown value shows as it is (never an empty cell). */
export function label(kind: keyof typeof LABELS, value: string | boolean | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (LABELS[kind] as Record<string, string>)[String(value)] ?? String(value);
}

// ---------------------------------------------------------------- cell values

/** A spreadsheet column: its header, the kind of value it holds, and a width that fits its values. */
export type ColumnKind = 'text' | 'int' | 'money' | 'date' | 'rate';
export interface Column { header: string; kind: ColumnKind; width?: number }

/** The number format of each kind in XLSX (money: two decimals in 元). */
export const NUMBER_FORMATS: Partial<Record<ColumnKind, string>> = {
  int: '0',
  money: '#,##0.00 "元"',
  date: 'yyyy-mm-dd',
  rate: '0.0%',
};

/** A value in a row: text, an integer, money in fen (bigint), a date (yyyy-mm-dd), a rate (0..1), or empty. */
export type Cell = string | number | bigint | null;

/**
 * Money for a spreadsheet cell: the yuan amount as the double nearest to its exact decimal. The decimal
 * string is built from integer fen (formatYuan) and parsed once, so 29 fen is 0.29 (not 29 × 0.01 =
 * 0.29000000000000004), and amounts up to 10^15 fen keep their last digit.
 */
export function yuanNumber(fen: bigint | number | string): number {
  return Number(formatYuan(BigInt(fen)));
}

/** A yyyy-mm-dd date as a Date at UTC midnight (exceljs writes it as a whole serial day). */
export function dateCell(iso: string): Date {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
}

/** A cell's value as exceljs takes it. */
export function xlsxValue(kind: ColumnKind, v: Cell): string | number | Date | null {
  if (v === null || v === '') return null;
  switch (kind) {
    case 'money': return yuanNumber(v as bigint);
    case 'date': return dateCell(String(v));
    case 'int': return Number(v);
    case 'rate': return Number(v);
    default: return String(v);
  }
}

/** A cell as CSV text: money as its exact decimal in yuan, dates as yyyy-mm-dd, text neutralised and quoted. */
export function csvValue(kind: ColumnKind, v: Cell): string {
  if (v === null) return '';
  if (kind === 'money') return formatYuan(BigInt(v));
  if (kind === 'int' || kind === 'rate') return String(v);
  return csvQuote(neutralise(String(v)));
}

/**
 * A text that a spreadsheet would read as a formula (it starts with = + - @, or a tab or carriage return
 * that some programs skip before one) gets a leading apostrophe: it is shown as text, never run.
 */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a comma, a double quote, CR or LF is quoted, inner quotes doubled. */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The UTF-8 byte order mark: Excel opens a CSV with it as UTF-8 (without it, as the local code page). */
export const CSV_BOM = '\uFEFF';

/** A width (characters) that fits a column's values: from its kind, at least its header (CJK counts 2). */
export function widthOf(col: Column): number {
  const header = [...col.header].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) + 2;
  const byKind = { text: 14, int: 8, money: 18, date: 12, rate: 9 }[col.kind];
  return Math.min(60, Math.max(header, col.width ?? byKind));
}

// ---------------------------------------------------------------- the unit path as columns

/**
 * The unit path of rows as four columns (盟市 / 旗县 / 苏木乡镇 / 嘎查村), by the rows' unit paths. The
 * units above the village under a subtree are read once (tenancy's unitsAbove: few, even for a
 * region); villages are read per batch of rows (unitsByIds). Everything goes through the caller's
 * scope: an ancestor the caller cannot see (a township's county) is named only when visible.
 */
export class UnitPaths {
  private readonly byPath = new Map<string, AdminUnitRow>();

  private constructor() {}

  /** Reads the units above the villages of the subtree at `root`, and root's visible ancestors. */
  static async under(em: EntityManager, root: AdminUnitRow): Promise<UnitPaths> {
    const names = new UnitPaths();
    const [ancestors] = await ancestorsOfMany(em, [root.path]);
    for (const u of [...(ancestors ?? []), root, ...(await unitsAbove(em, root.path, 'VILLAGE'))]) names.byPath.set(u.path, u);
    return names;
  }

  /** Reads the villages (and any other unit not known yet) among these unit ids, in one statement. */
  async load(em: EntityManager, unitIds: readonly string[]): Promise<void> {
    const known = new Set([...this.byPath.values()].map((u) => u.id));
    const missing = [...new Set(unitIds)].filter((id) => !known.has(id));
    if (missing.length) for (const u of await unitsByIds(em, missing)) this.byPath.set(u.path, u);
  }

  /** Forgets the villages read so far (a batch's), keeping the units above them. */
  forgetVillages(): void {
    for (const [path, u] of this.byPath) if (u.level === 'VILLAGE') this.byPath.delete(path);
  }

  unit(path: string): AdminUnitRow | undefined {
    return this.byPath.get(path);
  }

  /** 盟市 / 旗县 / 苏木乡镇 / 嘎查村 of a unit path: the deepest REGION (the prefecture), then each level. */
  columns(path: string): [string | null, string | null, string | null, string | null] {
    const labels = path.split('.');
    let region: string | null = null;
    let county: string | null = null;
    let township: string | null = null;
    let village: string | null = null;
    for (let k = 2; k <= labels.length; k++) {
      const u = this.byPath.get(labels.slice(0, k).join('.'));
      if (!u) continue;
      if (u.level === 'REGION') region = u.name;
      else if (u.level === 'COUNTY') county = u.name;
      else if (u.level === 'TOWNSHIP') township = u.name;
      else if (u.level === 'VILLAGE') village = u.name;
    }
    return [region, county, township, village];
  }

  /** The official code of the unit at a path, when read. */
  code(path: string): string | null {
    return this.byPath.get(path)?.code ?? null;
  }
}
