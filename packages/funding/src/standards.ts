import type { EntityManager } from '@jiceng/db';
import type { StandardKey } from './enums.js';
import { standardUnder, standardsOnPaths, upsertStandards } from './funding.store.js';

// DOMAIN.md §5, in fen (m² for venues), each with the date it took effect.
export const FUND_STANDARD_DEFAULTS: Record<StandardKey, { effectiveOn: string; value: bigint }[]> = {
  OFFICE: [{ effectiveOn: '2000-01-01', value: 3_700_000n }, { effectiveOn: '2013-01-01', value: 5_000_000n }],
  ACTIVITY_PER_MEMBER: [{ effectiveOn: '2000-01-01', value: 30_000n }],
  PARTY_BUILDING: [{ effectiveOn: '2000-01-01', value: 5_000_000n }],
  BENEFIT_PROJECT: [{ effectiveOn: '2000-01-01', value: 5_000_000n }],
  AWARD: [{ effectiveOn: '2000-01-01', value: 10_000_000n }],
  VENUE_FARMING_M2: [{ effectiveOn: '2000-01-01', value: 200n }],
  VENUE_PASTORAL_M2: [{ effectiveOn: '2000-01-01', value: 150n }],
};

/** The DOMAIN default in force on a date. */
export function defaultStandard(key: StandardKey, on: string): bigint {
  return FUND_STANDARD_DEFAULTS[key]!.filter((s) => s.effectiveOn <= on).at(-1)?.value ?? 0n;
}

/** The standard for every unit of a subtree at once (bulk allocation), resolved per unit path. */
export async function fundStandardsUnder(em: EntityManager, rootPath: string, key: StandardKey, on: string): Promise<(unitPath: string) => bigint> {
  const standardOf = await standardUnder(em, rootPath, key, on);
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
} as const satisfies Record<string, StandardKey>;
export type StandardField = keyof typeof STANDARD_FIELDS;

/** Every standard in force for a unit on a date: the nearest ancestor's latest value, else the default. */
export async function fundStandardsOn(em: EntityManager, unitPath: string, on: string): Promise<Record<StandardField, bigint>> {
  return (await fundStandardsOnMany(em, [unitPath], on))[0]!;
}

/** fundStandardsOn for many units at once (one statement), in the order of the paths given. */
export async function fundStandardsOnMany(em: EntityManager, unitPaths: readonly string[], on: string): Promise<Record<StandardField, bigint>[]> {
  const set = await standardsOnPaths(em, unitPaths, on);
  return unitPaths.map((path) => {
    const found = set.get(path);
    const out = {} as Record<StandardField, bigint>;
    for (const [field, key] of Object.entries(STANDARD_FIELDS) as [StandardField, StandardKey][]) out[field] = found?.get(key) ?? defaultStandard(key, on);
    return out;
  });
}

/** Sets standards on a unit from a date on, in one statement (those given; the others keep their values). */
export async function setFundStandards(em: EntityManager, unit: { id: string }, effectiveOn: string, values: Partial<Record<StandardField, bigint | null>>): Promise<void> {
  const given = (Object.entries(values) as [StandardField, bigint | null | undefined][]).filter(([, v]) => v != null) as [StandardField, bigint][];
  if (!given.length) return;
  await upsertStandards(em, unit.id, effectiveOn, given.map(([f, v]) => [STANDARD_FIELDS[f], v] as const));
}
