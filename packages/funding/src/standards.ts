import { executeBound, type EntityManager } from '@jiceng/db';
import { configUnder } from '@jiceng/tenancy';

// DOMAIN.md §5, in fen (m² for venues), each with the date it took effect.
export const FUND_STANDARD_DEFAULTS: Record<string, { effectiveOn: string; value: bigint }[]> = {
  OFFICE: [{ effectiveOn: '2000-01-01', value: 3_700_000n }, { effectiveOn: '2013-01-01', value: 5_000_000n }],
  ACTIVITY_PER_MEMBER: [{ effectiveOn: '2000-01-01', value: 30_000n }],
  PARTY_BUILDING: [{ effectiveOn: '2000-01-01', value: 5_000_000n }],
  BENEFIT_PROJECT: [{ effectiveOn: '2000-01-01', value: 5_000_000n }],
  AWARD: [{ effectiveOn: '2000-01-01', value: 10_000_000n }],
  VENUE_FARMING_M2: [{ effectiveOn: '2000-01-01', value: 200n }],
  VENUE_PASTORAL_M2: [{ effectiveOn: '2000-01-01', value: 150n }],
};

/** The DOMAIN default in force on a date. */
export function defaultStandard(key: string, on: string): bigint {
  return FUND_STANDARD_DEFAULTS[key]!.filter((s) => s.effectiveOn <= on).at(-1)?.value ?? 0n;
}

const FUNDING_STANDARD = { table: 'funding_standard', since: 'effective_on' };

/** The standard for every unit of a subtree at once (bulk allocation), resolved per unit path. */
export async function fundStandardsUnder(em: EntityManager, rootPath: string, key: string, on: string): Promise<(unitPath: string) => bigint> {
  const standardOf = await configUnder(em, FUNDING_STANDARD, on, rootPath, (r) => BigInt(r.value), { sql: 'key = ?', params: [key] });
  const dflt = defaultStandard(key, on);
  return (unitPath) => standardOf(unitPath) ?? dflt;
}

/** The GraphQL names of the standards, with their keys; money in fen, venues in m². */
export const STANDARD_FIELDS = {
  officePerVillage: 'OFFICE',
  activityPerMember: 'ACTIVITY_PER_MEMBER',
  partyBuildingPerVillage: 'PARTY_BUILDING',
  benefitProject: 'BENEFIT_PROJECT',
  award: 'AWARD',
  venueFarmingM2: 'VENUE_FARMING_M2',
  venuePastoralM2: 'VENUE_PASTORAL_M2',
} as const;
export type StandardField = keyof typeof STANDARD_FIELDS;

/** Every standard in force for a unit on a date: the nearest ancestor's latest value, else the default. */
export async function fundStandardsOn(em: EntityManager, unitPath: string, on: string): Promise<Record<StandardField, bigint>> {
  const rows = await em.execute<{ key: string; value: string }[]>(
    `select distinct on (key) key, value from funding_standard where unit_path @> ?::ltree and effective_on <= ?
      order by key, nlevel(unit_path) desc, effective_on desc`,
    [unitPath, on],
  );
  const set = new Map(rows.map((r) => [r.key, BigInt(r.value)]));
  const out = {} as Record<StandardField, bigint>;
  for (const [field, key] of Object.entries(STANDARD_FIELDS) as [StandardField, string][]) {
    out[field] = set.get(key) ?? defaultStandard(key, on);
  }
  return out;
}

/** Sets standards on a unit from a date on, in one statement (those given; the others keep their values). */
export async function setFundStandards(em: EntityManager, unit: { id: string }, effectiveOn: string, values: Partial<Record<StandardField, bigint | null>>): Promise<void> {
  const given = (Object.entries(values) as [StandardField, bigint | null | undefined][]).filter(([, v]) => v != null) as [StandardField, bigint][];
  if (!given.length) return;
  await executeBound(em,
    `insert into funding_standard (unit_id, key, effective_on, value)
     select $1, k, $2::date, v from unnest($3::text[], $4::bigint[]) as x(k, v)
     on conflict (unit_id, key, effective_on) do update set value = excluded.value`,
    [unit.id, effectiveOn, given.map(([f]) => STANDARD_FIELDS[f]), given.map(([, v]) => String(v))],
  );
}
