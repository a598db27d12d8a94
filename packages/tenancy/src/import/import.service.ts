import { AppError, ErrorCode } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import * as store from '../tenancy.store.js';
import type { AdminLevel } from '../entities/admin-unit.entity.js';
import { parentFits, parseCodeList, type CodeListRow, type ImportProblem, type OptionalColumn } from './code-list.js';

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

const BATCH = 50_000;
/**
 * An import of this many new units or more is a bulk load (migrations 0181, 0183): the parent foreign key,
 * the subtree and search indexes and the insert triggers are dropped in its transaction and the key and
 * indexes built once after its rows, instead of checking and entering each row: the whole country's 665k
 * units, a province's tens of thousands.
 */
export const BULK_LOAD_AT = 20_000;
/**
 * A tier of this many new units first refreshes admin_unit's statistics. The foreign-key check of each
 * row's parent is planned once per connection and kept: planned on statistics of a nearly empty tree
 * (a fresh database: migration 0151 analysed it when it held the country alone), it reads the whole
 * table for every row inserted, and the country's import never ended. An ANALYZE in the transaction
 * counts the rows written so far and makes PostgreSQL plan the check again, through the primary key.
 */
const ANALYZE_BEFORE_TIER = 10_000;
/** A file this wrong is the wrong file: the error lists this many problems and the total. */
const MAX_LISTED = 10_000;
const TIERS = ['PROVINCE', 'PREFECTURE', 'COUNTY', 'TOWNSHIP', 'VILLAGE'] as const;
type Tier = (typeof TIERS)[number];
const tierOf = (r: CodeListRow): Tier => (r.level === 'REGION' ? r.regionTier! : r.level);

/** A unit already in the tree (visible in the caller's scope). */
interface Existing {
  id: string;
  level: AdminLevel;
  path: string;
  countyId: string | null;
  depth: number;
  parentCode: string | null;
}

/** Where a new unit hangs: an existing unit or one inserted earlier in this import. */
interface Anchor {
  id: string;
  level: AdminLevel;
  path: string;
  countyId: string | null;
}

/** The problems as one BAD_USER_INPUT error listing each with its line number. */
function refuse(problems: ImportProblem[]): never {
  const listed = problems.slice(0, MAX_LISTED);
  throw new AppError(ErrorCode.BAD_USER_INPUT, `the code list has ${problems.length} problem(s); nothing was imported`, {
    field: 'csv',
    problems: listed,
    problemCount: problems.length,
    truncated: problems.length > listed.length,
  });
}

/**
 * Imports a code list: every row is checked first and every problem reported with its line; then
 * new units are inserted and changed ones updated, by code, in one transaction (all or nothing).
 * Re-running is idempotent. Runs with the caller's scope: a unit outside it cannot be a parent.
 */
export async function importCodeList(em: EntityManager, text: string, opts: { bulkLoadAt?: number } = {}): Promise<ImportResult> {
  const { rows, problems, columns } = parseCodeList(text);
  if (problems.length) refuse(problems);
  const existing = await findExisting(em, rows);
  checkPlacement(rows, existing, problems);
  if (problems.length) refuse(problems);

  const fresh = rows.filter((r) => !existing.has(r.code));
  const known = rows.filter((r) => existing.has(r.code));
  const result: ImportResult = { inserted: fresh.length, updated: 0, unchanged: 0 };
  await em.transactional(async (tx) => {
    await store.beginBulkImport(tx);
    // existing units first: updated by code, through its index (a bulk load drops it)
    result.updated = await updateKnown(tx, known, columns);
    result.unchanged = known.length - result.updated;
    const bulk = fresh.length >= (opts.bulkLoadAt ?? BULK_LOAD_AT);
    if (bulk) await store.beginBulkLoad(tx);
    await insertFresh(tx, fresh, existing, { checkedPerRow: !bulk });
    if (bulk) await store.endBulkLoad(tx);
    await store.endDeferredCounts(tx);
    // existing units that gained descendants (and their ancestors) are recounted once
    const gained = new Set<string>();
    for (const r of fresh) if (r.parentCode && existing.has(r.parentCode)) gained.add(existing.get(r.parentCode)!.path);
    if (gained.size) await store.refreshDescendantCounts(tx, [...gained]);
    // the search index's pending entries merged; a freshly loaded tree without planner statistics is planned as if empty
    if (fresh.length || result.updated) await store.mergeSearchAndAnalyze(tx);
    // and, planned with those statistics, the rural villages of existing parents of the file's villages
    // (new units came with theirs: only existing parents of new villages, and parents of villages that may have changed)
    if (fresh.length || result.updated) {
      await store.recountRuralVillagesOf(tx, rows.filter((r) => r.level === 'VILLAGE' && (existing.has(r.code) || existing.has(r.parentCode!))).map((r) => r.code));
    }
  });
  return result;
}

/** The units of the file and their parents that already exist, by code. */
async function findExisting(em: EntityManager, rows: CodeListRow[]): Promise<Map<string, Existing>> {
  const codes = new Set<string>();
  for (const r of rows) {
    codes.add(r.code);
    // the province too: a county whose prefecture is missing may sit directly under it
    if (r.parentCode) codes.add(r.parentCode).add(r.code.slice(0, 2) + '0000000000');
  }
  const all = [...codes];
  const existing = new Map<string, Existing>();
  for (let i = 0; i < all.length; i += BATCH) {
    for (const { code, ...e } of await store.selectUnitsByCodes(em, all.slice(i, i + BATCH))) existing.set(code, e);
  }
  return existing;
}

/** Parents exist and fit the level; existing units keep their level and parent (moves go through moveAdminUnit). */
function checkPlacement(rows: CodeListRow[], existing: Map<string, Existing>, problems: ImportProblem[]): void {
  const inFile = new Map(rows.map((r) => [r.code, r]));
  const shapeOf = (code: string): { level: AdminLevel; tier?: string | null } | null => {
    const f = inFile.get(code);
    if (f) return { level: f.level, tier: f.regionTier };
    const e = existing.get(code);
    return e ? { level: e.level, tier: e.level === 'REGION' ? (e.depth === 2 ? 'PROVINCE' : 'PREFECTURE') : null } : null;
  };
  for (const r of rows) {
    const e = existing.get(r.code);
    if (r.parentCode !== null) {
      let parent = shapeOf(r.parentCode);
      // a county directly under its province (省直辖县) when the prefecture its code implies does not exist
      const province = r.code.slice(0, 2) + '0000000000';
      if (!parent && r.level === 'COUNTY' && shapeOf(province)) {
        r.parentCode = province;
        parent = shapeOf(province);
      }
      if (!parent) problems.push({ line: r.line, code: r.code, message: `unknown parent ${r.parentCode}` });
      else if (!parentFits({ level: r.level, tier: r.regionTier }, parent)) {
        const what = (s: { level: AdminLevel; tier?: string | null }) => (s.tier ? s.tier.toLowerCase() : s.level.toLowerCase());
        problems.push({ line: r.line, code: r.code, message: `a ${what({ level: r.level, tier: r.regionTier })} cannot sit under the ${what(parent)} ${r.parentCode}` });
      }
    }
    if (e && e.level !== r.level) problems.push({ line: r.line, code: r.code, message: `${r.code} exists as a ${e.level.toLowerCase()}` });
    else if (e && e.parentCode !== r.parentCode) {
      problems.push({ line: r.line, code: r.code, message: `${r.code} exists under ${e.parentCode ?? 'no parent'}; move it with moveAdminUnit first` });
    }
  }
}

const LEVELS: readonly AdminLevel[] = ['REGION', 'COUNTY', 'TOWNSHIP', 'VILLAGE'];

/**
 * Per-level descendant counts of each new unit. Its descendants are all new too, so all in the
 * file: deepest tier first, each unit adds itself and its own counts to its parent.
 */
function descendantCounts(byTier: CodeListRow[][], fresh: Set<string>): Map<string, Int32Array> {
  const counts = new Map<string, Int32Array>();
  for (let t = byTier.length - 1; t >= 0; t--) {
    for (const r of byTier[t]!) {
      if (!r.parentCode || !fresh.has(r.parentCode)) continue;
      let above = counts.get(r.parentCode);
      if (!above) {
        above = new Int32Array(LEVELS.length);
        counts.set(r.parentCode, above);
      }
      above[LEVELS.indexOf(r.level)]!++;
      const own = counts.get(r.code);
      if (own) for (let k = 0; k < own.length; k++) above[k]! += own[k]!;
    }
  }
  return counts;
}

const countsJson = (c: Int32Array | undefined) => (c ? JSON.stringify(Object.fromEntries(LEVELS.map((l, k) => [l, c[k]!]).filter(([, n]) => n))) : '{}');

/** A PostgreSQL array literal; `quote` for text that may hold separators, quotes or spaces. */
function arrayLiteral(values: readonly (string | number | boolean | null)[], quote = false): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) parts[i] = 'NULL';
    else if (!quote) parts[i] = String(v);
    else {
      const t = String(v);
      parts[i] = `"${t.includes('"') || t.includes('\\') ? t.replace(/["\\]/g, '\\$&') : t}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

/**
 * Inserts new units tier by tier (province, prefecture, county, township, village) in large
 * set-based batches. Parent ids, paths and county ids are resolved here, not joined per batch;
 * the next batch is prepared while the database writes the current one.
 */
async function insertFresh(em: EntityManager, fresh: CodeListRow[], existing: Map<string, Existing>, opts: { checkedPerRow: boolean }): Promise<void> {
  const anchors = new Map<string, Anchor>(existing);
  const byTier = TIERS.map((tier) => fresh.filter((r) => tierOf(r) === tier));
  const counts = descendantCounts(byTier, new Set(fresh.map((r) => r.code)));
  // a new unit's rural villages: its children are all new, all in the file
  const rural = new Map<string, number>();
  for (const r of fresh) if (r.level === 'VILLAGE' && !r.urban && r.parentCode) rural.set(r.parentCode, (rural.get(r.parentCode) ?? 0) + 1);
  for (const [t, list] of byTier.entries()) {
    // (a bulk load checks the parents once at its end: no per-row check to plan)
    if (opts.checkedPerRow && list.length >= ANALYZE_BEFORE_TIER) await store.analyzeUnits(em);
    const village = TIERS[t] === 'VILLAGE';
    const placed = new Map<string, Omit<Anchor, 'id'>>();
    const prepare = (batch: CodeListRow[]): string[] => {
      const paths: string[] = [];
      const parentIds: (string | null)[] = [];
      const countyIds: (string | null)[] = [];
      for (const r of batch) {
        const p = r.parentCode ? anchors.get(r.parentCode)! : null;
        const path = `${p ? p.path : 'cn'}.${r.label}`;
        // county_id: the county above (a county's own id is set once known; null above county level)
        const countyId = r.level === 'TOWNSHIP' || r.level === 'VILLAGE' ? (p!.level === 'COUNTY' ? p!.id : p!.countyId) : null;
        if (!village) placed.set(r.code, { level: r.level, path, countyId });
        paths.push(path);
        parentIds.push(p?.id ?? null);
        countyIds.push(countyId);
      }
      const col = <T extends string | number | boolean | null>(f: (r: CodeListRow) => T, quote = false) => arrayLiteral(batch.map(f), quote);
      return [
        col((r) => r.code), col((r) => r.name, true), col((r) => r.level), arrayLiteral(parentIds), arrayLiteral(paths), arrayLiteral(countyIds),
        col((r) => r.population), col((r) => r.households), col((r) => r.partyMembers), col((r) => r.economy), col((r) => r.urban),
        col((r) => countsJson(counts.get(r.code)), true),
        col((r) => rural.get(r.code) ?? 0),
      ];
    };
    const newCounties: string[] = [];
    let writing: Promise<{ id: string; code: string }[]> | null = null;
    const batches = Math.ceil(list.length / BATCH);
    for (let b = 0; b <= batches; b++) {
      const params = b < batches ? prepare(list.slice(b * BATCH, (b + 1) * BATCH)) : null;
      for (const { id, code } of writing ? await writing : []) {
        const a = placed.get(code)!;
        anchors.set(code, { ...a, id: String(id), countyId: a.level === 'COUNTY' ? String(id) : a.countyId });
        if (a.level === 'COUNTY') newCounties.push(String(id));
      }
      // villages have no children here: only units above them need their new ids back
      writing = params ? store.insertUnitBatch(em, params, !village) : null;
      if (writing) {
        writing.catch(() => undefined); // awaited (and thrown) on the next round
        // let the statement go out before preparing the next batch
        await new Promise((ok) => setImmediate(ok));
      }
    }
    // a county is its own distribution key, known only once inserted
    if (newCounties.length) await store.setOwnCounty(em, newCounties);
  }
}

const UPDATABLE: { column: string; type: string; from: OptionalColumn[]; value: (r: CodeListRow) => unknown }[] = [
  { column: 'population', type: 'int', from: ['population'], value: (r) => r.population },
  { column: 'households', type: 'int', from: ['households'], value: (r) => r.households },
  { column: 'party_members', type: 'int', from: ['party_members'], value: (r) => r.partyMembers },
  { column: 'economy', type: 'text', from: ['economy'], value: (r) => r.economy },
  { column: 'urban', type: 'boolean', from: ['urban', 'urban_rural_code'], value: (r) => r.urban },
];

/** Updates existing units whose name (or a column the file carries) changed; returns how many. */
async function updateKnown(em: EntityManager, known: CodeListRow[], columns: Set<OptionalColumn>): Promise<number> {
  const carried = UPDATABLE.filter((u) => u.from.some((c) => columns.has(c)));
  const changed = [{ name: 'name', type: 'text' }, ...carried.map((u) => ({ name: u.column, type: u.type }))];
  let updated = 0;
  for (let i = 0; i < known.length; i += BATCH) {
    const batch = known.slice(i, i + BATCH);
    updated += await store.updateUnitsByCode(em, changed, batch.map((r) => r.code), [batch.map((r) => r.name), ...carried.map((u) => batch.map(u.value))]);
  }
  return updated;
}
