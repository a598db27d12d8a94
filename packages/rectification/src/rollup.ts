import { rollupDisagreements, type EntityManager, type RollupDisagreement, type RollupSpec } from '@jiceng/db';
import { CASE_STATES, CAUSES } from './lifecycle.js';

// The rectification rollup (issue 12 point 5): per unit (village and above) and year, the figures of
// rectificationSummary and keyTargets over the unit's subtree, kept on write (@jiceng/db rollup-sql.ts).
// A case counts in the state it had at the end of its year: the last transition dated on or before
// 31 December (transitions are never dated in the future, so for the current year that is its state now).

const column = (prefix: string, value: string) => `${prefix}_${value.toLowerCase()}`;
export const causeColumn = (cause: string) => column('cause', cause);
export const stateColumn = (state: string) => column('state', state);

export const RECTIFICATION_ROLLUP: RollupSpec = {
  name: 'rectification_rollup',
  table: 'rectification_rollup',
  keys: [{ column: 'year', type: 'integer' }],
  figures: ['assessed', 'third_category', 'targets', 'key_targets', ...CAUSES.map(causeColumn), ...CASE_STATES.map(stateColumn)],
  village: `
    left join lateral (select count(*) as assessed, count(*) filter (where a.category = 'THIRD') as third_category
                         from assessment a where a.unit_id = k.u and a.year = k.year) a on true
    left join lateral (select ${CAUSES.map((c) => `count(*) filter (where d.cause = '${c}') as ${causeColumn(c)}`).join(', ')}
                         from weak_designation d where d.unit_id = k.u and d.year = k.year) d on true
    left join lateral (select count(*) as targets from rectification_target t where t.unit_id = k.u and t.year = k.year) t on true
    left join lateral (select count(*) as key_targets from key_target x where x.unit_id = k.u and x.year = k.year) x on true
    left join lateral (select ${CASE_STATES.map((s) => `count(*) filter (where s.state = '${s}') as ${stateColumn(s)}`).join(', ')}
                         from rectification_case c
                         cross join lateral (select coalesce((select t.to_state from case_transition t where t.case_id = c.id and t.happened_on <= make_date(c.year, 12, 31)
                                                                and t.from_state <> t.to_state order by t.happened_on desc, t.id desc limit 1), 'IDENTIFIED') as state) s
                        where c.unit_id = k.u and c.year = k.year) c on true`,
  sources: [
    { table: 'assessment', keys: ['r.year'], columns: ['year', 'category'] },
    { table: 'weak_designation', keys: ['r.year'], columns: ['year', 'cause'] },
    { table: 'key_target', keys: ['r.year'], columns: ['year'] },
    { table: 'rectification_case', keys: ['r.year'], columns: ['year'] },
    { table: 'case_transition', keys: ['(select c.year from rectification_case c where c.id = r.case_id)'], columns: ['case_id', 'from_state', 'to_state', 'happened_on'] },
  ],
};

/** `pnpm rollup:check`'s part for rectification: every figure of the rollup that its source rows contradict. */
export function rectificationRollupCheck(em: EntityManager): Promise<RollupDisagreement[]> {
  return rollupDisagreements(em, RECTIFICATION_ROLLUP);
}
