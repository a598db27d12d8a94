import { COUNTRY_CODE, type AdminLevel } from '../entities/admin-unit.entity.js';
import { readCsv } from './csv.js';

/**
 * The official code list (统计用区划代码) as CSV: a header row, then one unit per row.
 * Required columns: code (12 digits), name. Optional: parent_code (when a unit no longer sits under
 * the parent its code implies, e.g. after 撤乡并镇), urban_rural_code (城乡分类代码: 1xx urban, 2xx rural),
 * population, households, party_members, economy (FARMING | PASTORAL), urban (true | false).
 * Level and, by default, parent follow from the code: 2 province, 2 prefecture, 2 county, 3 township
 * and 3 village digits; a province hangs under the country (000000000000, which a file cannot carry). Optional columns a file leaves out are left as they are on existing units.
 */
/** The levels a code list carries: every one but the country, which the tree always has. */
export type ListedLevel = Exclude<AdminLevel, 'COUNTRY'>;

export interface CodeListRow {
  line: number;
  code: string;
  name: string;
  level: ListedLevel;
  /** province or prefecture for REGION */
  regionTier?: 'PROVINCE' | 'PREFECTURE';
  parentCode: string | null;
  population: number | null;
  households: number | null;
  partyMembers: number | null;
  economy: 'FARMING' | 'PASTORAL' | null;
  urban: boolean;
  label: string;
}

export interface ImportProblem {
  line: number;
  code?: string;
  message: string;
}

const OPTIONAL_COLUMNS = ['parent_code', 'urban_rural_code', 'population', 'households', 'party_members', 'economy', 'urban'] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];
const COLUMNS: readonly string[] = ['code', 'name', ...OPTIONAL_COLUMNS];
/** 城乡分类代码 of the national statistics bureau: 111–123 urban (城镇), 210 and 220 rural (乡村). */
const URBAN_RURAL_CODES = new Set(['111', '112', '121', '122', '123', '210', '220']);

export function levelOfCode(code: string): { level: ListedLevel; tier?: 'PROVINCE' | 'PREFECTURE'; impliedParent: string | null; label: string } {
  if (code.slice(2) === '0000000000') return { level: 'REGION', tier: 'PROVINCE', impliedParent: COUNTRY_CODE, label: `r${code.slice(0, 2)}` };
  if (code.slice(4) === '00000000') return { level: 'REGION', tier: 'PREFECTURE', impliedParent: code.slice(0, 2) + '0000000000', label: `r${code.slice(0, 4)}` };
  if (code.slice(6) === '000000') return { level: 'COUNTY', impliedParent: code.slice(0, 4) + '00000000', label: `c${code.slice(0, 6)}` };
  if (code.slice(9) === '000') return { level: 'TOWNSHIP', impliedParent: code.slice(0, 6) + '000000', label: `t${code.slice(0, 9)}` };
  return { level: 'VILLAGE', impliedParent: code.slice(0, 9) + '000', label: `v${code}` };
}

/** Which parent levels a level may sit under: the country contains provinces, a region may contain regions (province → prefecture). */
export function parentFits(child: { level: AdminLevel; tier?: string }, parent: { level: AdminLevel; tier?: string | null }): boolean {
  switch (child.level) {
    case 'COUNTRY':
      return false;
    case 'REGION':
      return child.tier === 'PROVINCE' ? parent.level === 'COUNTRY' : parent.level === 'REGION' && parent.tier === 'PROVINCE';
    case 'COUNTY':
      return parent.level === 'REGION';
    case 'TOWNSHIP':
      // prefecture-level cities without counties (东莞, 中山, 儋州, 嘉峪关) hold townships directly
      return parent.level === 'COUNTY' || (parent.level === 'REGION' && parent.tier === 'PREFECTURE');
    case 'VILLAGE':
      return parent.level === 'TOWNSHIP';
  }
}

const URBAN_NAME = /(社区|居委会|居民委员会)/;

function count(value: string | undefined, column: string, line: number, code: string, problems: ImportProblem[]): number | null {
  if (value == null || value.trim() === '') return null;
  const v = value.trim();
  if (!/^\d{1,9}$/.test(v)) {
    problems.push({ line, code, message: `${column} must be a whole number, got "${v}"` });
    return null;
  }
  return Number(v);
}

/** Parses and checks every row on its own (format, duplicates). Parents are checked by the importer. */
export function parseCodeList(text: string): { rows: CodeListRow[]; problems: ImportProblem[]; columns: Set<OptionalColumn> } {
  const problems: ImportProblem[] = [];
  const rows: CodeListRow[] = [];
  const seen = new Map<string, number>();
  let header: string[] | null = null;
  let idx: Record<string, number> = {};
  for (const [line, fields] of readCsv(text)) {
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
      idx = Object.fromEntries(header.map((h, i) => [h, i]));
      const unknown = header.filter((h) => !COLUMNS.includes(h));
      if (idx.code === undefined || idx.name === undefined) problems.push({ line, message: 'the header must name the columns code and name' });
      if (unknown.length) problems.push({ line, message: `unknown columns: ${unknown.join(', ')}` });
      if (problems.length) return { rows, problems, columns: new Set() };
      continue;
    }
    const get = (c: string) => (idx[c] === undefined ? undefined : fields[idx[c]!]);
    const code = (get('code') ?? '').trim();
    const name = (get('name') ?? '').trim();
    if (!/^\d{12}$/.test(code) || code.startsWith('00')) {
      problems.push({ line, code, message: `malformed code "${code}": expected 12 digits` });
      continue;
    }
    const prior = seen.get(code);
    if (prior) {
      problems.push({ line, code, message: `duplicate code ${code} (first on line ${prior})` });
      continue;
    }
    seen.set(code, line);
    if (!name || name.length > 100) problems.push({ line, code, message: 'name must be 1 to 100 characters' });
    else if (/[\u0000-\u001f]/.test(name)) problems.push({ line, code, message: 'name must not contain control characters' });
    const shape = levelOfCode(code);
    const parentRaw = get('parent_code')?.trim();
    if (parentRaw && !/^\d{12}$/.test(parentRaw)) problems.push({ line, code, message: `malformed parent_code "${parentRaw}"` });
    const economyRaw = get('economy')?.trim().toUpperCase();
    if (economyRaw && economyRaw !== 'FARMING' && economyRaw !== 'PASTORAL') problems.push({ line, code, message: `economy must be FARMING or PASTORAL, got "${economyRaw}"` });
    const urbanRaw = get('urban')?.trim().toLowerCase();
    if (urbanRaw && urbanRaw !== 'true' && urbanRaw !== 'false') problems.push({ line, code, message: `urban must be true or false, got "${urbanRaw}"` });
    const urcRaw = get('urban_rural_code')?.trim();
    if (urcRaw && !URBAN_RURAL_CODES.has(urcRaw)) problems.push({ line, code, message: `urban_rural_code must be one of 111, 112, 121, 122, 123, 210, 220, got "${urcRaw}"` });
    const village = shape.level === 'VILLAGE';
    rows.push({
      line,
      code,
      name,
      level: shape.level,
      regionTier: shape.tier,
      parentCode: parentRaw || shape.impliedParent,
      population: count(get('population'), 'population', line, code, problems),
      households: count(get('households'), 'households', line, code, problems),
      partyMembers: count(get('party_members'), 'party_members', line, code, problems),
      economy: economyRaw === 'FARMING' || economyRaw === 'PASTORAL' ? economyRaw : village ? (name.includes('嘎查') ? 'PASTORAL' : 'FARMING') : null,
      urban: urbanRaw ? urbanRaw === 'true' : urcRaw ? urcRaw.startsWith('1') : village && URBAN_NAME.test(name),
      label: shape.label,
    });
  }
  if (!header) problems.push({ line: 1, message: 'the file is empty' });
  const columns = new Set(OPTIONAL_COLUMNS.filter((c) => idx[c] !== undefined));
  return { rows, problems, columns };
}
