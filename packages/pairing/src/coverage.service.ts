import { executeBound, requestScope, type EntityManager } from '@jiceng/db';
import { configUnder } from '@jiceng/tenancy';
import { DEPARTMENT_FOR_CAUSE } from './pairing.service.js';

export interface PairingStandard {
  minEnterprises: number;
  minRegionEnterprises: number;
  minProjects: number;
  targetProjects: number;
}
// DOMAIN.md §4: at least 2 enterprises (one arranged by the region), a department, a county leader,
// a first secretary, and projects (at least 1; target 3)
export const DEFAULT_PAIRING_STANDARD: PairingStandard = { minEnterprises: 2, minRegionEnterprises: 1, minProjects: 1, targetProjects: 3 };

/**
 * The standard for each village of a subtree in a year: the one set nearest to the village on its own
 * ancestor line (a subtree above regions spans several regions' standards), else the default.
 */
export async function pairingStandardsUnder(em: EntityManager, path: string, year: number): Promise<(villagePath: string) => PairingStandard> {
  const standardOf = await configUnder(em, { table: 'pairing_standard', since: 'effective_year' }, year, path, (r): PairingStandard => ({
    minEnterprises: r.min_enterprises, minRegionEnterprises: r.min_region_enterprises, minProjects: r.min_projects, targetProjects: r.target_projects,
  }));
  return (villagePath) => standardOf(villagePath) ?? DEFAULT_PAIRING_STANDARD;
}

export interface VillageSlots {
  unitId: string;
  path: string;
  cause: string | null;
  enterprises: number;
  regionEnterprises: number;
  /** departments of the type the cause calls for */
  departments: number;
  leaders: number;
  firstSecretaries: number;
  projects: number;
}

const DEPT_COLUMN: Record<string, string> = { PARTY_MASS: 'dept_party_mass', ECONOMIC: 'dept_economic', LEGAL_PETITION: 'dept_legal_petition' };

/** Each target village's five slots, counting pairings in force at any time during the year. */
export async function villageSlots(em: EntityManager, path: string, year: number): Promise<VillageSlots[]> {
  // two grouped statements merged here: the planner misjudges a join against the targets view
  const targets = await em.execute<{ unit_id: string; path: string; cause: string | null }[]>(
    `select unit_id, unit_path::text as path, cause from rectification_target where unit_path <@ ?::ltree and year = ? order by unit_id`,
    [path, year],
  );
  const counts = await em.execute<any[]>(
    `select p.unit_id,
            count(*) filter (where pa.kind = 'ENTERPRISE') as enterprises,
            count(*) filter (where pa.kind = 'ENTERPRISE' and nlevel(pa.unit_path) = 2) as region_enterprises,
            count(*) filter (where pa.kind = 'DEPARTMENT') as departments,
            count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'PARTY_MASS') as dept_party_mass,
            count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'ECONOMIC') as dept_economic,
            count(*) filter (where pa.kind = 'DEPARTMENT' and pa.department_type = 'LEGAL_PETITION') as dept_legal_petition,
            count(*) filter (where pa.kind = 'LEADER') as leaders,
            count(*) filter (where pa.kind = 'FIRST_SECRETARY') as first_secretaries,
            count(*) filter (where pa.kind = 'PROJECT') as projects
       from pairing p join partner pa on pa.id = p.partner_id
      where p.unit_path <@ ?::ltree and p.starts_on <= make_date(?, 12, 31) and (p.ends_on is null or p.ends_on > make_date(?, 1, 1))
      group by p.unit_id`,
    [path, year, year],
  );
  const byUnit = new Map(counts.map((c) => [String(c.unit_id), c]));
  return targets.map((t) => {
    const r = byUnit.get(String(t.unit_id)) ?? {};
    return {
      unitId: String(t.unit_id), path: t.path, cause: t.cause, enterprises: Number(r.enterprises ?? 0), regionEnterprises: Number(r.region_enterprises ?? 0),
      // DOMAIN §4: the department slot is filled by a department whose type follows the cause (any, with no cause recorded)
      departments: Number((t.cause ? r[DEPT_COLUMN[DEPARTMENT_FOR_CAUSE[t.cause]!]!] : r.departments) ?? 0), leaders: Number(r.leaders ?? 0), firstSecretaries: Number(r.first_secretaries ?? 0), projects: Number(r.projects ?? 0),
    };
  });
}

export const SLOTS = ['ENTERPRISES', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECTS'] as const;

export function missingSlots(v: VillageSlots, std: PairingStandard): string[] {
  const missing: string[] = [];
  if (v.enterprises < std.minEnterprises || v.regionEnterprises < std.minRegionEnterprises) missing.push('ENTERPRISES');
  if (v.departments < 1) missing.push('DEPARTMENT');
  if (v.leaders < 1) missing.push('LEADER');
  if (v.firstSecretaries < 1) missing.push('FIRST_SECRETARY');
  if (v.projects < std.minProjects) missing.push('PROJECTS');
  return missing;
}

export async function coverage(em: EntityManager, path: string, year: number) {
  const standardOf = await pairingStandardsUnder(em, path, year);
  const villages = (await villageSlots(em, path, year)).map((v) => {
    const std = standardOf(v.path);
    return { ...v, missing: missingSlots(v, std), projectsBelowTarget: v.projects < std.targetProjects };
  });
  const targets = villages.length;
  const fullyCovered = villages.filter((v) => v.missing.length === 0).length;
  const slots = SLOTS.map((slot) => {
    const filled = villages.filter((v) => !v.missing.includes(slot)).length;
    return { slot, filled, rate: targets ? filled / targets : 0 };
  });
  return { targets, fullyCovered, rate: targets ? fullyCovered / targets : 0, slots, villages };
}

/**
 * Departments whose type fits the village's cause, fewest villages carried first, not already paired
 * with it; only those the caller can pair (registered inside the request's scope, not merely serving it).
 */
export async function suggestDepartments(em: EntityManager, village: { id: string; path: string }, year: number, limit = 10) {
  const [t] = await em.execute<{ cause: string | null }[]>(`select cause from rectification_target where unit_id = ? and year = ?`, [village.id, year]);
  const type = t?.cause ? DEPARTMENT_FOR_CAUSE[t.cause] : null;
  if (!type) return [];
  return executeBound<any>(em,
    `select d.*, (select count(distinct p.unit_id) from pairing p where p.partner_id = d.id and (p.ends_on is null or p.ends_on > current_date)) as carried
       from partner d
      where d.kind = 'DEPARTMENT' and d.department_type = $1 and d.unit_path <@ any ($2::ltree[])
        and not exists (select 1 from pairing p where p.partner_id = d.id and p.unit_id = $3 and (p.ends_on is null or p.ends_on > current_date))
      order by carried, d.name, d.id limit $4`,
    [type, requestScope(em), village.id, limit],
  );
}

/** Support totals over a subtree and period; corrected entries count through their corrections. */
export async function supportTotals(em: EntityManager, path: string, from: string, to: string, partnerId: string | null = null) {
  const [r] = await em.execute<any[]>(
    `select count(*) as entries, coalesce(sum(visits), 0) as visits, coalesce(sum(people_placed), 0) as people_placed,
            coalesce(sum(materials_value), 0) as materials_value, coalesce(sum(meetings), 0) as meetings,
            coalesce(sum(problems_solved), 0) as problems_solved, coalesce(sum(projects_coordinated), 0) as projects_coordinated
       from support_log s
      where s.unit_path <@ ?::ltree and s.logged_on >= ? and s.logged_on <= ? and (?::bigint is null or s.partner_id = ?::bigint)
        and not exists (select 1 from support_log c where c.corrects = s.id)`,
    [path, from, to, partnerId, partnerId],
  );
  return {
    entries: Number(r.entries), visits: Number(r.visits), peoplePlaced: Number(r.people_placed), materialsValue: BigInt(r.materials_value),
    meetings: Number(r.meetings), problemsSolved: Number(r.problems_solved), projectsCoordinated: Number(r.projects_coordinated),
  };
}
