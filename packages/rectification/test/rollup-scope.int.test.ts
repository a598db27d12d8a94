import { inScope } from '@jiceng/db';
import { test, expect } from '@jiceng/testkit';

// The rollup triggers widen the scope to the whole tree while they run: the caller's scope must be back
// afterwards, for the rest of the request (a write followed by reads in one request saw the whole country).
test('after a write that moves a rollup, and after a unit move, the transaction keeps the caller\'s scope', async ({ app }) => {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const other = await county.township();
  const scopes = await inScope(app.orm, [region.path], async (em) => {
    await em.execute(`insert into rectification_case (unit_id, year, state) values (?, 2025, 'TRANSFORMED')`, [village.id]);
    const afterWrite = await em.execute<{ s: string }[]>(`select current_setting('app.scopes') as s`);
    await em.execute(`insert into unit_move (unit_id, old_parent_id, new_parent_id, was_path, was_parent_name, new_parent_name) values (?, ?, ?, ?::ltree, 'a', 'b')`,
      [village.id, township.id, other.id, village.path]);
    const afterMove = await em.execute<{ s: string }[]>(`select current_setting('app.scopes') as s`);
    return [afterWrite[0]!.s, afterMove[0]!.s];
  });
  expect(scopes).toEqual([`{${region.path}}`, `{${region.path}}`]);
});
