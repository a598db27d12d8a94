import { AppError, ErrorCode } from '@jiceng/core';
import { executeBound, type EntityManager } from '@jiceng/db';
import type { AdminLevel } from '../entities/admin-unit.entity.js';
import { parentFits, parseCodeList, type CodeListRow, type ImportProblem } from './code-list.js';

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

const BATCH = 40_000;
const ORDER: Record<string, number> = { PROVINCE: 0, PREFECTURE: 1, COUNTY: 2, TOWNSHIP: 3, VILLAGE: 4 };
const tierOf = (r: CodeListRow) => (r.level === 'REGION' ? r.regionTier! : r.level);

interface Existing {
  code: string;
  level: AdminLevel;
  parent_code: string | null;
  nlevel: number;
}

/** The problems, if any, as one BAD_USER_INPUT error listing each with its line number. */
function refuse(problems: ImportProblem[]): never {
  const shown = problems.slice(0, 200);
  throw new AppError(ErrorCode.BAD_USER_INPUT, `the code list has ${problems.length} problem(s); nothing was imported`, {
    field: 'csv',
    problems: shown,
    truncated: problems.length > shown.length,
  });
}

/**
 * Imports a code list: every row is checked first and every problem reported with its line; then
 * all rows are upserted by code in one transaction (all or nothing). Re-running is idempotent.
 * Runs with the caller's scope: a unit outside it cannot be a parent (RLS hides it).
 */
export async function importCodeList(em: EntityManager, text: string): Promise<ImportResult> {
  const T0 = performance.now(); const tr = (m: string) => process.env.TRACE && console.error(m, Math.round(performance.now() - T0));
  const { rows, problems } = parseCodeList(text);
  tr('parsed');
  if (problems.length) refuse(problems);
  const inFile = new Map(rows.map((r) => [r.code, r]));

  // parents and existing rows that the file does not carry
  const lookup = new Set<string>(rows.map((r) => r.code));
  for (const r of rows) if (r.parentCode) lookup.add(r.parentCode), lookup.add(r.parentCode.slice(0, 2) + '0000000000');
  const existing = new Map<string, Existing>();
  const codes = [...lookup];
  for (let i = 0; i < codes.length; i += BATCH) {
    const found = await executeBound<Existing>(
      em,
      `select u.code, u.level, p.code as parent_code, nlevel(u.path) as nlevel
         from admin_unit u left join admin_unit p on p.id = u.parent_id
        where u.code = any($1::text[])`,
      [codes.slice(i, i + BATCH)],
    );
    for (const e of found) existing.set(e.code.trim(), { ...e, parent_code: e.parent_code?.trim() ?? null });
  }

  const levelOf = (code: string): { level: AdminLevel; tier?: string | null } | null => {
    const f = inFile.get(code);
    if (f) return { level: f.level, tier: f.regionTier };
    const e = existing.get(code);
    return e ? { level: e.level, tier: e.level === 'REGION' ? (e.nlevel === 2 ? 'PROVINCE' : 'PREFECTURE') : null } : null;
  };
  for (const r of rows) {
    if (r.parentCode === null) continue;
    let parent = levelOf(r.parentCode);
    // a county directly under a province (省直辖县) when its implied prefecture does not exist
    if (!parent && r.level === 'COUNTY') {
      const province = r.code.slice(0, 2) + '0000000000';
      if (levelOf(province)) {
        r.parentCode = province;
        parent = levelOf(province);
      }
    }
    if (!parent) problems.push({ line: r.line, code: r.code, message: `unknown parent ${r.parentCode}` });
    else if (!parentFits({ level: r.level, tier: r.regionTier }, parent)) problems.push({ line: r.line, code: r.code, message: `a ${r.level.toLowerCase()} cannot sit under the ${parent.level.toLowerCase()} ${r.parentCode}` });
    const e = existing.get(r.code);
    if (e && e.level !== r.level) problems.push({ line: r.line, code: r.code, message: `${r.code} exists as a ${e.level.toLowerCase()}` });
    else if (e && e.parent_code !== r.parentCode) {
      problems.push({ line: r.line, code: r.code, message: `${r.code} exists under ${e.parent_code}; move it with moveAdminUnit first` });
    }
  }
  tr('checked');
  if (problems.length) refuse(problems);

  const result: ImportResult = { inserted: 0, updated: 0, unchanged: 0 };
  await em.transactional(async (tx) => {
    // counts are refreshed once at the end, not per batch
    await tx.execute(`select set_config('app.defer_unit_counts', '1', true)`);
    // the trigram index takes new names into its pending list, merged later, not batch by batch
    await tx.execute(`select set_config('gin_pending_list_limit', '262144', true)`);
    const sorted = [...rows].sort((a, b) => ORDER[tierOf(a)]! - ORDER[tierOf(b)]!);
    for (let i = 0; i < sorted.length; ) {
      const tier = tierOf(sorted[i]!);
      let j = i;
      while (j < sorted.length && j - i < BATCH && tierOf(sorted[j]!) === tier) j++;
      const r = await upsertBatch(tx, sorted.slice(i, j));
      tr(`batch ${tier} ${j - i}`);
      result.inserted += r.inserted;
      result.updated += r.updated;
      result.unchanged += r.unchanged;
      i = j;
    }
    await tx.execute(`select set_config('app.defer_unit_counts', '', true)`);
    tr('upserted');
    if (result.inserted) {
      // recount every parent of an imported unit, and its ancestors, once
      await executeBound(tx, `select jiceng_refresh_descendant_counts(array(select path from admin_unit where code = any($1::text[])))`, [
        [...new Set(rows.map((r) => r.parentCode).filter((c): c is string => !!c))],
      ]);
    }
  });
  tr('done');
  return result;
}

async function upsertBatch(em: EntityManager, batch: CodeListRow[]): Promise<ImportResult> {
  const col = <T>(f: (r: CodeListRow) => T) => batch.map((r) => String(f(r) ?? ''));
  const rows = await executeBound<{ inserted: boolean }>(em,
    `with input as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         as t(code, name, level, parent_code, label, population, households, party_members, economy, urban)
     ), resolved as (
       select i.code, i.name, i.level, p.id as parent_id,
              coalesce(p.path, 'cn'::ltree) || i.label as path,
              case when i.level in ('TOWNSHIP', 'VILLAGE') then case when p.level = 'COUNTY' then p.id else p.county_id end end as county_id,
              nullif(i.population, '')::int as population, nullif(i.households, '')::int as households,
              nullif(i.party_members, '')::int as party_members, nullif(i.economy, '') as economy, i.urban = 'true' as urban
         from input i left join admin_unit p on p.code = nullif(i.parent_code, '')
     ), up as (
       insert into admin_unit as u (code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban)
       select code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban from resolved
       on conflict (code) do update set name = excluded.name, population = excluded.population, households = excluded.households,
              party_members = excluded.party_members, economy = excluded.economy, urban = excluded.urban
        where (u.name, u.population, u.households, u.party_members, u.economy, u.urban)
              is distinct from (excluded.name, excluded.population, excluded.households, excluded.party_members, excluded.economy, excluded.urban)
       returning (xmax = 0) as inserted, u.id, u.level
     )
     select inserted from up`,
    [
      col((r) => r.code), col((r) => r.name), col((r) => r.level), col((r) => r.parentCode), col((r) => r.label),
      col((r) => r.population), col((r) => r.households), col((r) => r.partyMembers), col((r) => r.economy), col((r) => r.urban),
    ],
  );
  // a county is its own distribution key; its id is known only now
  if (batch[0]!.level === 'COUNTY') await em.execute(`update admin_unit set county_id = id where level = 'COUNTY' and county_id is null`);
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted, unchanged: batch.length - rows.length };
}
