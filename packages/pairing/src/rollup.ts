import { rollupDisagreements, type EntityManager, type RollupDisagreement, type RollupSpec } from '@jiceng/db';
import { DEFAULT_PAIRING_STANDARD } from './coverage.service.js';
import { DEPARTMENT_FOR_CAUSE } from './pairing.service.js';
import { SLOTS, type Slot } from './values.js';

// The support rollup (issue 12 point 5): per unit (village and above) and day, the support logged for the
// villages of its subtree, kept on write (@jiceng/db rollup-sql.ts). supportTotals over any period sums
// the unit's days in the period (one range read on (unit_id, day)): exact for every from/to, at most
// 366 rows a unit a year. A correction replaces the entry it corrects, so an insert touches the day of
// both. Totals of one partner (a partner user's own, or partnerId given) are read from the entries
// (indexed by partner): the rollup holds every partner's support together.

export const SUPPORT_FIGURES = ['entries', 'visits', 'people_placed', 'materials_value', 'meetings', 'problems_solved', 'projects_coordinated'] as const;

export const SUPPORT_ROLLUP: RollupSpec = {
  name: 'support_rollup',
  table: 'support_rollup',
  keys: [{ column: 'day', type: 'date' }],
  figures: [...SUPPORT_FIGURES],
  village: `
    left join lateral (select count(*) as entries, ${SUPPORT_FIGURES.slice(1).map((f) => `sum(s.${f}) as ${f}`).join(', ')}
                         from support_log s where s.unit_id = k.u and s.logged_on = k.day
                          and not exists (select 1 from support_log c where c.corrects = s.id)) s on true`,
  sources: [{
    table: 'support_log', keys: ['r.logged_on'], columns: ['logged_on', 'corrects'],
    rows: (t) => `(select * from ${t} union all select s.* from support_log s join ${t} n on s.id = n.corrects)`,
  }],
};

// The coverage rollup: per unit (village and above) and year, the year's target villages (rectification
// targets: third category or designated weak) under the unit, those fully covered, and per slot of the
// five ones those with the slot filled, each village held to the pairing standard on its own ancestor
// line (configUnder's rule: the deepest unit's row, then the latest effective year; else the default)
// and counting pairings in force at any time during the year (missingSlots, coverage.service.ts). Kept
// on write from the targets (assessment, weak_designation), pairings, partners and standards. The list of
// villages with gaps is read from the rows (PairingCoverage.gaps), only when it is asked for.

export const slotColumn = (slot: Slot) => `slot_${slot.toLowerCase()}`;
const D = DEFAULT_PAIRING_STANDARD;
const departmentType = `case t.cause ${Object.entries(DEPARTMENT_FOR_CAUSE).map(([c, d]) => `when '${c}' then '${d}'`).join(' ')} end`;
const filled: Record<Slot, string> = {
  ENTERPRISES: `c.enterprises >= s.min_enterprises and c.region_enterprises >= s.min_region_enterprises`,
  DEPARTMENT: `(case when ${departmentType} is null then c.departments else (c.departments_by_type ->> (${departmentType}))::bigint end) >= 1`,
  LEADER: `c.leaders >= 1`,
  FIRST_SECRETARY: `c.first_secretaries >= 1`,
  PROJECTS: `c.projects >= s.min_projects`,
};
/** the years in which the villages of the rows `p` (with unit_id) are targets (as rectification_target, by unit id) */
const targetYears = (from: string) => `(select x.unit_id, x.year from ${from}
  join (select unit_id, year from assessment where category = 'THIRD' union select unit_id, year from weak_designation) x on x.unit_id = p.unit_id)`;

export const COVERAGE_ROLLUP: RollupSpec = {
  name: 'coverage_rollup',
  table: 'coverage_rollup',
  keys: [{ column: 'year', type: 'integer' }],
  figures: ['targets', 'fully_covered', ...SLOTS.map(slotColumn)],
  village: `
    -- a target (rectification_target: third category or designated weak, with the designation's cause), by unit id
    left join lateral (select true as target, (select d.cause from weak_designation d where d.unit_id = k.u and d.year = k.year) as cause
                        where exists (select 1 from assessment a where a.unit_id = k.u and a.year = k.year and a.category = 'THIRD')
                           or exists (select 1 from weak_designation d where d.unit_id = k.u and d.year = k.year)) t on true
    left join lateral (
      select count(*) filter (where pa.kind = 'ENTERPRISE') as enterprises,
             count(*) filter (where pa.kind = 'ENTERPRISE' and nlevel(pa.unit_path) = 2) as region_enterprises,
             count(*) filter (where pa.kind = 'DEPARTMENT') as departments,
             jsonb_build_object(${['PARTY_MASS', 'ECONOMIC', 'LEGAL_PETITION'].map((d) => `'${d}', count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = '${d}')`).join(', ')}) as departments_by_type,
             count(*) filter (where pa.kind = 'LEADER') as leaders,
             count(*) filter (where pa.kind = 'FIRST_SECRETARY') as first_secretaries,
             count(*) filter (where pa.kind = 'PROJECT') as projects
        from pairing p join partner pa on pa.id = p.partner_id
       where p.unit_id = k.u and p.starts_on <= make_date(k.year, 12, 31) and (p.ends_on is null or p.ends_on > make_date(k.year, 1, 1))) c on true
    left join tenancy_unit vu on vu.id = k.u
    left join lateral (
      select coalesce(min(x.min_enterprises), ${D.minEnterprises}) as min_enterprises, coalesce(min(x.min_region_enterprises), ${D.minRegionEnterprises}) as min_region_enterprises,
             coalesce(min(x.min_projects), ${D.minProjects}) as min_projects
        from (select * from pairing_standard ps where ps.unit_path @> vu.path and ps.effective_year <= k.year
               order by nlevel(ps.unit_path) desc, ps.effective_year desc limit 1) x) s on true
    left join lateral (select ${SLOTS.map((slot) => `(${filled[slot]}) as f_${slot.toLowerCase()}`).join(', ')}) f on true
    left join lateral (select coalesce(t.target, false)::int as targets) tt on true
    left join lateral (select ${SLOTS.map((slot) => `(tt.targets = 1 and f.f_${slot.toLowerCase()})::int as ${slotColumn(slot)}`).join(', ')},
                              (tt.targets = 1 and ${SLOTS.map((slot) => `f.f_${slot.toLowerCase()}`).join(' and ')})::int as fully_covered) v on true`,
  sources: [
    // only a third-category rating makes a target (a re-rating out of it: the old row is third-category)
    { table: 'assessment', keys: ['r.year'], columns: ['year', 'category'], rows: (t) => `(select * from ${t} where category = 'THIRD')` },
    { table: 'weak_designation', keys: ['r.year'], columns: ['year', 'cause'] },
    { table: 'pairing', keys: ['r.year'], columns: ['partner_id', 'starts_on', 'ends_on'], rows: (t) => targetYears(`${t} p`) },
    { table: 'partner', keys: ['r.year'], columns: ['kind', 'department_type', 'unit_path'], rows: (t) => targetYears(`${t} pa join pairing p on p.partner_id = pa.id`) },
    {
      table: 'pairing_standard', keys: ['r.year'], columns: ['effective_year', 'min_enterprises', 'min_region_enterprises', 'min_projects'],
      rows: (t) => `(select x.unit_id, x.year from ${t} s join (select unit_id, unit_path, year from assessment where category = 'THIRD'
                      union select unit_id, unit_path, year from weak_designation) x on x.unit_path <@ s.unit_path and x.year >= s.effective_year)`,
    },
  ],
};

/** `pnpm rollup:check`'s part for pairing: every figure of the support and coverage rollups that their source rows contradict. */
export async function pairingRollupCheck(em: EntityManager): Promise<RollupDisagreement[]> {
  return [...await rollupDisagreements(em, SUPPORT_ROLLUP), ...await rollupDisagreements(em, COVERAGE_ROLLUP)];
}
