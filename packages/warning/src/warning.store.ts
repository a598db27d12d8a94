// All of the warning module's SQL: bound parameters, camelCase typed rows. Services hold the rules.
import { executeBound, type EntityManager } from '@jiceng/db';
import type { CatalogRow } from './catalog.js';

export type Light = 'GREEN' | 'YELLOW' | 'RED';
export type WarningLevel = 'YELLOW' | 'RED';
export type Severity = 'MINOR' | 'ORDINARY' | 'MAJOR';
export type HandlerLevel = 'VILLAGE' | 'TOWNSHIP' | 'COUNTY' | 'CITY';

export interface WarningRow {
  id: string;
  unitId: string;
  unitPath: string;
  indicatorCode: string;
  level: WarningLevel;
  severity: Severity;
  handlerLevel: HandlerLevel;
  facts: string;
  observedOn: string;
  reportedBy: string;
  reportedAt: Date;
  idempotencyKey: string;
  late: boolean;
  followUpDue: string | null;
  resolvedOn: string | null;
  resolutionNote: string | null;
}

export interface IndicatorRow extends CatalogRow { catalogId: string }
export interface LightCountsRow { unitPath: string; yellow: number; red: number }
export interface WarningStatsRow { path: string; yellowRaised: number; redRaised: number; resolved: number; open: number; disputes: number; disputesResolved: number }

export const WARNING_COLUMNS = `w.id::text as "id", w.unit_id::text as "unitId", w.unit_path::text as "unitPath", w.indicator_code as "indicatorCode",
  w.level, w.severity, w.handler_level as "handlerLevel", w.facts, to_char(w.observed_on, 'YYYY-MM-DD') as "observedOn",
  w.reported_by::text as "reportedBy", w.reported_at as "reportedAt", w.idempotency_key as "idempotencyKey", w.late,
  to_char(w.follow_up_due, 'YYYY-MM-DD') as "followUpDue", to_char(w.resolved_on, 'YYYY-MM-DD') as "resolvedOn",
  w.resolution_note as "resolutionNote"`;

/** The worst of a column of lights in an aggregate (RED over YELLOW over GREEN; none: GREEN). Text order would put YELLOW last. */
const worst = (col: string) =>
  `(case max(case ${col} when 'RED' then 2 when 'YELLOW' then 1 else 0 end) when 2 then 'RED' when 1 then 'YELLOW' else 'GREEN' end)`;

// ---- catalogue ----

export async function insertCatalog(em: EntityManager, unitId: string, effectiveOn: string, rows: CatalogRow[]): Promise<string> {
  const [c] = await executeBound<{ id: string }>(em,
    `insert into warning_catalog (unit_id, effective_on) values ($1, $2::date) returning id::text as id`, [unitId, effectiveOn]);
  await executeBound(em,
    `insert into warning_indicator (catalog_id, unit_id, position, category_code, category_name, item_code, item_name, code, name)
     select $1, $9, * from unnest($2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [c!.id, rows.map((r) => r.position), rows.map((r) => r.categoryCode), rows.map((r) => r.categoryName),
      rows.map((r) => r.itemCode), rows.map((r) => r.itemName), rows.map((r) => r.code), rows.map((r) => r.name), unitId]);
  return c!.id;
}

/** The catalogue set on a unit from a day, if any. */
export async function catalogOn(em: EntityManager, unitId: string, effectiveOn: string): Promise<string | null> {
  const [c] = await executeBound<{ id: string }>(em, `select id::text as id from warning_catalog where unit_id = $1 and effective_on = $2::date`, [unitId, effectiveOn]);
  return c?.id ?? null;
}

/** Deletes a catalogue that is not yet in force (it is being replaced). */
export async function deleteCatalog(em: EntityManager, catalogId: string): Promise<void> {
  await executeBound(em, `delete from warning_indicator where catalog_id = $1`, [catalogId]);
  await executeBound(em, `delete from warning_catalog where id = $1`, [catalogId]);
}

/** The catalogue in force at each path today: the nearest unit's, latest effective date first. */
export async function catalogsInForce(em: EntityManager, paths: readonly string[]): Promise<{ path: string; catalogId: string | null }[]> {
  return executeBound(em,
    `select p::text as path, (select c.id::text from warning_catalog c where c.unit_path @> p and c.effective_on <= current_date
                                order by nlevel(c.unit_path) desc, c.effective_on desc limit 1) as "catalogId"
       from unnest($1::ltree[]) p`, [paths]);
}

export async function indicatorsOf(em: EntityManager, catalogIds: readonly string[]): Promise<IndicatorRow[]> {
  return executeBound(em,
    `select catalog_id::text as "catalogId", position, category_code as "categoryCode", category_name as "categoryName",
            item_code as "itemCode", item_name as "itemName", code, name
       from warning_indicator where catalog_id = any($1::bigint[]) order by catalog_id, position`, [catalogIds]);
}

export async function indicatorExists(em: EntityManager, catalogId: string, code: string): Promise<boolean> {
  const rows = await executeBound(em, `select 1 from warning_indicator where catalog_id = $1 and code = $2`, [catalogId, code]);
  return rows.length > 0;
}

// ---- warnings ----

export async function warningsByIds(em: EntityManager, ids: readonly string[], lock = false): Promise<WarningRow[]> {
  return executeBound(em, `select ${WARNING_COLUMNS} from warning w where w.id = any($1::bigint[])${lock ? ' for update' : ''}`, [ids]);
}

export async function warningByKey(em: EntityManager, userId: string, key: string): Promise<WarningRow | null> {
  const [w] = await executeBound<WarningRow>(em, `select ${WARNING_COLUMNS} from warning w where w.reported_by = $1 and w.idempotency_key = $2`, [userId, key]);
  return w ?? null;
}

export interface NewWarning {
  unitId: string; indicatorCode: string; level: WarningLevel; severity: Severity; handlerLevel: HandlerLevel;
  facts: string; observedOn: string; reportedBy: string; idempotencyKey: string; lateAfterWorkingDays: number; followUpWorkingDays: number;
}

/** Inserts a warning; late when today is past the observed day plus the standard's working days. */
export async function insertWarning(em: EntityManager, w: NewWarning): Promise<WarningRow> {
  const [row] = await executeBound<WarningRow>(em,
    `with v as (select path from tenancy_unit where id = $1),
     ins as (
       insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, late, follow_up_due)
       select $1, $2, $3, $4, $5, $6, $7::date, $8, $9,
              current_date > jiceng_add_working_days(v.path, $7::date, $10::int),
              case when $5 = 'VILLAGE' then null else jiceng_add_working_days(v.path, current_date, $11::int) end
         from v
       returning *)
     select ${WARNING_COLUMNS} from ins w`,
    [w.unitId, w.indicatorCode, w.level, w.severity, w.handlerLevel, w.facts, w.observedOn, w.reportedBy, w.idempotencyKey, w.lateAfterWorkingDays, w.followUpWorkingDays]);
  return row!;
}

/** Escalates the open warnings of an indicator one level (a worsening indicator). */
export async function escalateOpenOn(em: EntityManager, unitId: string, indicatorCode: string, followUpWorkingDays: number): Promise<number> {
  const rows = await executeBound(em,
    `update warning w set handler_level = case handler_level when 'VILLAGE' then 'TOWNSHIP' when 'TOWNSHIP' then 'COUNTY' else 'CITY' end,
            follow_up_due = jiceng_add_working_days(w.unit_path, current_date, $3::int)
      where unit_id = $1 and indicator_code = $2 and resolved_on is null and level = 'YELLOW' returning id`,
    [unitId, indicatorCode, followUpWorkingDays]);
  return rows.length;
}

/** Resolves every open warning of an indicator of a village. */
export async function resolveOpenOn(em: EntityManager, unitId: string, indicatorCode: string, on: string, note: string, by: string): Promise<number> {
  const rows = await executeBound(em,
    `update warning set resolved_on = $3::date, resolution_note = $4, resolved_by = $5
      where unit_id = $1 and indicator_code = $2 and resolved_on is null returning id`, [unitId, indicatorCode, on, note, by]);
  return rows.length;
}

// ---- lights ----

/** Locks the village's light row (created GREEN when missing): reports on a village run one at a time. */
export async function lockVillageLight(em: EntityManager, unitId: string): Promise<Light> {
  await executeBound(em, `insert into village_light (unit_id) values ($1) on conflict (unit_id) do nothing`, [unitId]);
  const [r] = await executeBound<{ light: Light }>(em, `select light from village_light where unit_id = $1 for update`, [unitId]);
  return r!.light;
}

/** The indicator's light now, and the one its open warnings call for (the worst open level). */
export async function indicatorLights(em: EntityManager, unitId: string, code: string): Promise<{ current: Light; wanted: Light }> {
  const [r] = await executeBound<{ current: Light; wanted: Light }>(em,
    `select coalesce((select light from warning_light where unit_id = $1 and indicator_code = $2), 'GREEN') as current,
            (select ${worst('level')} from warning where unit_id = $1 and indicator_code = $2 and resolved_on is null) as wanted`,
    [unitId, code]);
  return r!;
}

/** Sets an indicator's light and returns the village's light (its worst indicator). */
export async function setIndicatorLight(em: EntityManager, unitId: string, code: string, light: Light): Promise<Light> {
  if (light === 'GREEN') await executeBound(em, `delete from warning_light where unit_id = $1 and indicator_code = $2`, [unitId, code]);
  else await executeBound(em,
    `insert into warning_light (unit_id, indicator_code, light) values ($1, $2, $3)
     on conflict (unit_id, indicator_code) do update set light = excluded.light`, [unitId, code, light]);
  const [r] = await executeBound<{ light: Light }>(em,
    `select ${worst('light')} as light from warning_light where unit_id = $1`, [unitId]);
  return r!.light;
}

export interface LightChange {
  unitId: string; indicatorCode: string; from: Light; to: Light; villageFrom: Light; villageTo: Light;
  warningId: string | null; by: string | null; reason: string;
}

/**
 * Records an indicator's change (append-only), and when the village's light changes: the village row,
 * the rollup of every unit above, and a notification on jiceng_light_changed (sent at commit).
 */
export async function recordLightChange(em: EntityManager, c: LightChange): Promise<void> {
  const [e] = await executeBound<{ id: string; path: string; at: string }>(em,
    `insert into light_event (unit_id, indicator_code, from_light, to_light, village_from, village_to, warning_id, changed_by, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     returning id::text, unit_path::text as path, to_char(changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`,
    [c.unitId, c.indicatorCode, c.from, c.to, c.villageFrom, c.villageTo, c.warningId, c.by, c.reason]);
  if (c.villageFrom === c.villageTo) return;
  await executeBound(em,
    `with u as (update village_light set light = $2, changed_at = now() where unit_id = $1 returning unit_path)
     select jiceng_warning_roll(u.unit_path, $3, $2) from u`, [c.unitId, c.villageTo, c.villageFrom]);
  await executeBound(em, `select pg_notify('jiceng_light_changed', $1)`,
    [JSON.stringify({ villageId: c.unitId, path: e!.path, from: c.villageFrom, to: c.villageTo, at: e!.at, eventId: e!.id })]);
}

export async function villageLights(em: EntityManager, unitIds: readonly string[]): Promise<{ unitId: string; light: Light }[]> {
  return executeBound(em, `select unit_id::text as "unitId", light from village_light where unit_id = any($1::bigint[])`, [unitIds]);
}

export async function rollups(em: EntityManager, paths: readonly string[]): Promise<LightCountsRow[]> {
  return executeBound(em, `select unit_path::text as "unitPath", yellow, red from warning_rollup where unit_path = any($1::ltree[])`, [paths]);
}

// ---- figures ----

/** Per subtree and year: warnings raised and resolved, open now, disputes recorded and resolved. */
export async function warningStats(em: EntityManager, paths: readonly string[], year: number): Promise<WarningStatsRow[]> {
  return executeBound(em,
    `select p::text as path,
            count(*) filter (where w.level = 'YELLOW')::int as "yellowRaised",
            count(*) filter (where w.level = 'RED')::int as "redRaised",
            count(*) filter (where w.resolved_on is not null)::int as resolved,
            count(*) filter (where w.id is not null and w.resolved_on is null)::int as open,
            (select count(*)::int from warning_dispute d where d.unit_path <@ p
                and d.recorded_on >= make_date($2, 1, 1) and d.recorded_on < make_date($2 + 1, 1, 1)) as disputes,
            (select count(*)::int from warning_dispute d where d.unit_path <@ p and d.resolved_on is not null
                and d.recorded_on >= make_date($2, 1, 1) and d.recorded_on < make_date($2 + 1, 1, 1)) as "disputesResolved"
       from unnest($1::ltree[]) p
       left join warning w on w.unit_path <@ p and w.observed_on >= make_date($2, 1, 1) and w.observed_on < make_date($2 + 1, 1, 1)
      group by p`, [paths, year]);
}

// ---- a village's page ----

/** The non-green indicators of each village (warning_light). */
export async function indicatorLightsOf(em: EntityManager, unitIds: readonly string[]): Promise<{ unitId: string; indicatorCode: string; light: Light }[]> {
  return executeBound(em,
    `select unit_id::text as "unitId", indicator_code as "indicatorCode", light from warning_light where unit_id = any($1::bigint[])`, [unitIds]);
}

/** A keyset page (by id) of the open warnings of each subtree, any year, in the order they arrived. */
export async function openPages(em: EntityManager, paths: readonly string[], afterId: string | null, limit: number): Promise<(WarningRow & { path: string })[]> {
  return executeBound(em,
    `select p::text as path, l.* from unnest($1::ltree[]) p
       cross join lateral (
         select ${WARNING_COLUMNS} from warning w
          where w.unit_path <@ p and w.resolved_on is null and w.id > coalesce($2::bigint, 0)
          order by w.id limit $3) l`, [paths, afterId, limit]);
}

export async function openCounts(em: EntityManager, paths: readonly string[]): Promise<{ path: string; n: number }[]> {
  return executeBound(em,
    `select p::text as path, (select count(*)::int from warning w where w.unit_path <@ p and w.resolved_on is null) as n
       from unnest($1::ltree[]) p`, [paths]);
}
