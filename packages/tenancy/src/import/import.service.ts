import { AppError, ErrorCode } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import type { AdminLevel } from '../entities/admin-unit.entity.js';
import { parentFits, parseCodeList, type CodeListRow, type ImportProblem, type OptionalColumn } from './code-list.js';

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

const BATCH = 50_000;
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
export async function importCodeList(em: EntityManager, text: string): Promise<ImportResult> {
  const { rows, problems, columns } = parseCodeList(text);
  if (problems.length) refuse(problems);
  const existing = await findExisting(em, rows);
  checkPlacement(rows, existing, problems);
  if (problems.length) refuse(problems);

  const fresh = rows.filter((r) => !existing.has(r.code));
  const known = rows.filter((r) => existing.has(r.code));
  const result: ImportResult = { inserted: fresh.length, updated: 0, unchanged: 0 };
  await em.transactional(async (tx) => {
    // new units arrive with their descendant counts; the per-statement recount waits for the end
    await tx.execute(`select set_config('app.defer_unit_counts', '1', true)`);
    // the trigram index takes new names into its pending list, merged later, not batch by batch
    await tx.execute(`select set_config('gin_pending_list_limit', '262144', true)`);
    await insertFresh(tx, fresh, existing);
    result.updated = await updateKnown(tx, known, columns);
    result.unchanged = known.length - result.updated;
    await tx.execute(`select set_config('app.defer_unit_counts', '', true)`);
    // existing units that gained descendants (and their ancestors) are recounted once
    const gained = new Set<string>();
    for (const r of fresh) if (r.parentCode && existing.has(r.parentCode)) gained.add(existing.get(r.parentCode)!.path);
    if (gained.size) await executeBound(tx, `select jiceng_refresh_descendant_counts($1::ltree[])`, [[...gained]]);
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
    const found = await executeBound<{ id: string; code: string; level: AdminLevel; path: string; county_id: string | null; depth: number; parent_code: string | null }>(
      em,
      `select u.id, u.code, u.level, u.path::text as path, u.county_id, nlevel(u.path) as depth, p.code as parent_code
         from admin_unit u left join admin_unit p on p.id = u.parent_id
        where u.code = any($1::char(12)[])`,
      [all.slice(i, i + BATCH)],
    );
    for (const e of found) {
      existing.set(e.code, { id: String(e.id), level: e.level, path: e.path, countyId: e.county_id == null ? null : String(e.county_id), depth: e.depth, parentCode: e.parent_code });
    }
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

/** Per-level descendant counts of each new unit: its descendants are all new too, so all in the file. */
function descendantCounts(fresh: CodeListRow[]): Map<string, Record<string, number>> {
  const byCode = new Map(fresh.map((r) => [r.code, r]));
  const counts = new Map<string, Record<string, number>>();
  for (const r of fresh) {
    for (let p = r.parentCode ? byCode.get(r.parentCode) : undefined; p; p = p.parentCode ? byCode.get(p.parentCode) : undefined) {
      let c = counts.get(p.code);
      if (!c) counts.set(p.code, (c = {}));
      c[r.level] = (c[r.level] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Inserts new units tier by tier (province, prefecture, county, township, village) in large
 * set-based batches. Parent ids, paths and county ids are resolved here, not joined per batch.
 */
async function insertFresh(em: EntityManager, fresh: CodeListRow[], existing: Map<string, Existing>): Promise<void> {
  const anchors = new Map<string, Anchor>(existing);
  const counts = descendantCounts(fresh);
  for (const tier of TIERS) {
    const list = fresh.filter((r) => tierOf(r) === tier);
    const placed = new Map<string, Omit<Anchor, 'id'>>();
    const countyIds: string[] = [];
    for (let i = 0; i < list.length; i += BATCH) {
      const batch = list.slice(i, i + BATCH);
      const cols: unknown[][] = Array.from({ length: 12 }, () => []);
      for (const r of batch) {
        const p = r.parentCode ? anchors.get(r.parentCode)! : null;
        const path = `${p ? p.path : 'cn'}.${r.label}`;
        // county_id: the county above (a county's own id is set once known; null above county level)
        const countyId = r.level === 'TOWNSHIP' || r.level === 'VILLAGE' ? (p!.level === 'COUNTY' ? p!.id : p!.countyId) : null;
        if (tier !== 'VILLAGE') placed.set(r.code, { level: r.level, path, countyId });
        const values = [r.code, r.name, r.level, p?.id ?? null, path, countyId, r.population, r.households, r.partyMembers, r.economy, r.urban, JSON.stringify(counts.get(r.code) ?? {})];
        for (let k = 0; k < values.length; k++) cols[k]!.push(values[k]);
      }
      const sql = `insert into admin_unit (code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban, descendant_counts)
        select * from unnest($1::char(12)[], $2::text[], $3::text[], $4::bigint[], $5::ltree[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::text[], $11::boolean[], $12::jsonb[])`;
      // villages have no children here: only units above them need their new ids back
      const ids = await executeBound<{ id: string; code: string }>(em, tier === 'VILLAGE' ? sql : `${sql} returning id, code`, cols);
      for (const { id, code } of ids) {
        const a = placed.get(code)!;
        anchors.set(code, { ...a, id: String(id), countyId: a.level === 'COUNTY' ? String(id) : a.countyId });
        if (a.level === 'COUNTY') countyIds.push(String(id));
      }
    }
    // a county is its own distribution key, known only once inserted
    if (countyIds.length) await executeBound(em, `update admin_unit set county_id = id where id = any($1::bigint[])`, [countyIds]);
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
  const names = ['name', ...carried.map((u) => u.column)];
  const types = ['text', ...carried.map((u) => u.type)];
  let updated = 0;
  for (let i = 0; i < known.length; i += BATCH) {
    const batch = known.slice(i, i + BATCH);
    const params = [batch.map((r) => r.code), batch.map((r) => r.name), ...carried.map((u) => batch.map(u.value))];
    const [{ n }] = await executeBound<{ n: number }>(
      em,
      `with i as (
         select * from unnest($1::char(12)[], ${types.map((t, k) => `$${k + 2}::${t}[]`).join(', ')}) as t(code, ${names.join(', ')})
       ), up as (
         update admin_unit u set ${names.map((c) => `${c} = i.${c}`).join(', ')}
           from i where u.code = i.code
            and row(${names.map((c) => `u.${c}`).join(', ')}) is distinct from row(${names.map((c) => `i.${c}`).join(', ')})
         returning 1
       )
       select count(*)::int as n from up`,
      params,
    ) as [{ n: number }];
    updated += n;
  }
  return updated;
}
