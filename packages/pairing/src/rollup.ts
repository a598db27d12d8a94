import { rollupDisagreements, type EntityManager, type RollupDisagreement, type RollupSpec } from '@jiceng/db';

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

/** `pnpm rollup:check`'s part for pairing: every figure of the support rollup that the entries contradict. */
export function pairingRollupCheck(em: EntityManager): Promise<RollupDisagreement[]> {
  return rollupDisagreements(em, SUPPORT_ROLLUP);
}
