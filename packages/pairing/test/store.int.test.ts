import { executeBound, inScope } from '@jiceng/db';
import { pairingEntities } from '../src/entities/pairing.entities.js';
import { pairingMigrations } from '../src/migrations.js';
import { test, expect, describe } from '@jiceng/testkit';
import { DEPARTMENT_TYPES, PARTNER_KINDS, PARTNER_STATUSES, PROJECT_KINDS } from '../src/values.js';

/** The values a check constraint of a table allows for a column (`col = any (array['A'::text, …])`). */
async function checkValues(app: any, table: string, column: string): Promise<string[]> {
  const rows = await app.asOwner((em: any) => em.execute(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c where c.conrelid = ?::regclass and c.contype = 'c'`, [table]));
  const defs = rows.map((r: any) => r.def as string).filter((d: string) => new RegExp(`\\(${column} = ANY \\(ARRAY\\[`).test(d));
  expect(defs, `one check constraint lists the values of ${table}.${column}`).toHaveLength(1);
  return [...defs[0].matchAll(/'([^']+)'::text/g)].map((m) => m[1]!);
}

describe('the value lists', () => {
  test('the SQL check constraints allow exactly the GraphQL enums\' values', async ({ app }) => {
    expect(await checkValues(app, 'partner', 'kind')).toEqual([...PARTNER_KINDS]);
    expect(await checkValues(app, 'partner', 'department_type')).toEqual([...DEPARTMENT_TYPES]);
    expect(await checkValues(app, 'partner', 'project_kind')).toEqual([...PROJECT_KINDS]);
    expect(await checkValues(app, 'partner', 'status')).toEqual([...PARTNER_STATUSES]);
    const lists = { PartnerKind: PARTNER_KINDS, DepartmentType: DEPARTMENT_TYPES, ProjectKind: PROJECT_KINDS, PartnerStatus: PARTNER_STATUSES };
    const schema = await app.anonymous.request(`{ ${Object.keys(lists).map((t) => `${t}: __type(name: "${t}") { enumValues { name } }`).join(' ')} }`);
    for (const [t, values] of Object.entries(lists)) expect(schema.data[t].enumValues.map((v: any) => v.name), t).toEqual([...values]);
  });
});

describe('migration 0350', () => {
  test('maps earlier free text onto the project kinds and statuses: unknown kinds to OTHER, unknown statuses to null', async ({ app }) => {
    const sql = pairingMigrations.find((m) => m.id.startsWith('0350'))!.sql;
    const between = (from: string, to: string) => sql.slice(sql.indexOf(from) + from.length, sql.indexOf(to));
    const kind = between('update partner set project_kind = ', 'where project_kind is not null');
    const status = between('update partner set status = ', 'where status is not null');
    const kinds = await app.asOwner((em) => em.execute<{ k: string }[]>(
      `select ${kind} as k from (values ('种植'), ('特色种养'), ('肉牛养殖'), ('光伏电站'), ('乡村旅游'), ('别的')) v(project_kind)`));
    expect(kinds.map((r) => r.k)).toEqual(['PLANTING', 'SPECIALTY_FARMING', 'LIVESTOCK', 'PHOTOVOLTAIC', 'TOURISM', 'OTHER']);
    const statuses = await app.asOwner((em) => em.execute<{ s: string | null }[]>(
      `select ${status} as s from (values ('实施中'), ('已完成'), ('规划中'), ('暂停'), ('？')) v(status)`));
    expect(statuses.map((r) => r.s)).toEqual(['IN_PROGRESS', 'COMPLETED', 'PLANNED', 'SUSPENDED', null]);
  });
});

describe('the entities', () => {
  test('em.find on every pairing entity returns only rows inside the scope (with and without the scope filter)', async ({ app }) => {
    const region = await app.tree.region();
    const [home, away] = [await region.county(), await region.county()];
    for (const county of [home, away]) {
      const village = await (await county.township()).village();
      const account = await app.user(village, ['ENTERPRISE']);
      await app.asOwner(async (em) => {
        await executeBound(em, `insert into pairing_standard (unit_id, effective_year) values ($1, 2025)`, [county.id]);
        const [partner] = await executeBound<{ id: string }>(em, `insert into partner (unit_id, kind, name) values ($1, 'LEADER', 'leader') returning id`, [county.id]);
        await executeBound(em, `insert into pairing (partner_id, unit_id, starts_on) values ($1, $2, date '2025-01-01')`, [partner!.id, village.id]);
        await executeBound(em, `insert into partner_account (user_id, partner_id, unit_id) values ($1, $2, $3)`, [account.id, partner!.id, county.id]);
        await executeBound(em, `insert into support_log (partner_id, unit_id, logged_on, visits) values ($1, $2, date '2025-03-01', 1)`, [partner!.id, village.id]);
      });
    }
    await inScope(app.orm, [home.path], async (em) => {
      for (const entity of pairingEntities) {
        for (const filters of [false, true]) {
          const rows = await em.find(entity as any, {}, { filters });
          expect(rows.length, entity.meta.className).toBe(1);
          for (const r of rows as any[]) expect(r.unitPath === home.path || r.unitPath.startsWith(`${home.path}.`), entity.meta.className).toBe(true);
        }
      }
    });
  });
});

describe('no N+1', () => {
  const PERIOD = `from: "2025-01-01", to: "2025-12-31"`;
  // two requests (the cost limit): the support figures, then coverage and suggestions; both over townships and villages
  const TOTALS = `query($c: String!) { adminUnit(code: $c) {
    children(first: 3) { edges { node { code
      supportTotals(${PERIOD}) { entries visits }
      children(first: 3) { edges { node { code
        pairings { startsOn endsOn partner { name kind } }
        supportTotals(${PERIOD}) { entries visits materialsValue }
      } } }
    } } } } }`;
  const COVERAGE = `query($c: String!) { adminUnit(code: $c) {
    children(first: 3) { edges { node { code
      pairingCoverage(year: 2025) { targets fullyCovered gaps { village { code } missing } }
      children(first: 3) { edges { node { code
        pairingCoverage(year: 2025) { targets slots { slot filled } }
        departmentSuggestions(year: 2025) { name departmentType carried }
      } } }
    } } } } }`;

  const LISTS = `query($c: String!) { adminUnit(code: $c) {
    children(first: 3) { edges { node { code
      partners(first: 2, serving: true) { totalCount edges { node { name kind } } }
      supportEntries(${PERIOD}, first: 2) { totalCount edges { node { loggedOn correctedBy partner { kind } village { code } } } }
      children(first: 3) { edges { node { code
        partners(first: 5) { totalCount edges { node { kind } } }
        supportEntries(${PERIOD}, first: 5) { totalCount edges { node { visits corrects } } }
      } } }
    } } } } }`;

  test('children { pairings, supportTotals, pairingCoverage, departmentSuggestions, partners, supportEntries }: the same statements for any number of units', async ({ app }) => {
    const statements: number[] = [];
    for (const [townships, villages] of [[2, 2], [3, 3]] as const) {
      const region = await app.tree.region();
      const county = await region.county();
      const all: { id: string; code: string }[] = [];
      for (let t = 0; t < townships; t++) {
        const township = await county.township();
        for (let v = 0; v < villages; v++) all.push(await township.village());
      }
      await app.asOwner(async (em) => {
        const ids = all.map((v) => v.id);
        await executeBound(em, `insert into assessment (unit_id, year, stars, category) select unnest($1::bigint[]), 2025, 2, 'THIRD'`, [ids]);
        await executeBound(em, `insert into weak_designation (unit_id, year, cause) select unnest($1::bigint[]), 2025, 'WEAK_LAX'`, [ids]);
        await executeBound(em, `insert into partner (unit_id, kind, name, department_type) values ($1, 'DEPARTMENT', '党群部门' || $2, 'PARTY_MASS')`, [region.id, region.code]);
        // a leader and a project per village, paired; the project's pairing ended in June; two support entries, one corrected
        await executeBound(em, `insert into partner (unit_id, kind, name) select v, k, k || '-' || v from unnest($1::bigint[]) v, unnest(array['LEADER', 'PROJECT']) k`, [ids]);
        await executeBound(em, `insert into pairing (partner_id, unit_id, starts_on, ends_on)
                          select pa.id, pa.unit_id, date '2025-01-01', case when pa.kind = 'PROJECT' then date '2025-06-01' end
                            from partner pa where pa.unit_id = any ($1::bigint[])`, [ids]);
        await executeBound(em, `insert into support_log (partner_id, unit_id, logged_on, visits, materials_value)
                          select pa.id, pa.unit_id, d, 2, 100 from partner pa, unnest(array[date '2025-03-01', date '2025-04-01']) d
                           where pa.unit_id = any ($1::bigint[]) and pa.kind = 'LEADER'`, [ids]);
        await executeBound(em, `insert into support_log (partner_id, unit_id, logged_on, visits, corrects)
                          select s.partner_id, s.unit_id, s.logged_on, 5, s.id from support_log s where s.unit_id = any ($1::bigint[]) and s.logged_on = date '2025-04-01'`, [ids]);
      });
      const inspector = await app.user(region, ['INSPECTOR']);
      app.sqlCount = 0;
      const totals = (await inspector.client.ok(TOTALS, { c: county.code })).adminUnit.children.edges.map((e: any) => e.node);
      const afterTotals = app.sqlCount;
      const coverage = (await inspector.client.ok(COVERAGE, { c: county.code })).adminUnit.children.edges.map((e: any) => e.node);
      const afterCoverage = app.sqlCount;
      const lists = (await inspector.client.ok(LISTS, { c: county.code })).adminUnit.children.edges.map((e: any) => e.node);
      statements.push(afterTotals, afterCoverage - afterTotals, app.sqlCount - afterCoverage);
      for (const t of lists) {
        expect(t.partners.totalCount).toBe(2 * villages);
        expect(t.partners.edges).toHaveLength(2);
        // two entries a village and the correction of one
        expect(t.supportEntries.totalCount).toBe(3 * villages);
        expect(t.supportEntries.edges[0].node).toMatchObject({ loggedOn: '2025-04-01', correctedBy: null, partner: { kind: 'LEADER' } });
        for (const v of t.children.edges.map((e: any) => e.node)) {
          expect(v.partners.totalCount).toBe(2);
          expect(v.partners.edges.map((e: any) => e.node.kind)).toEqual(['LEADER', 'PROJECT']);
          expect(v.supportEntries.totalCount).toBe(3);
          expect(v.supportEntries.edges.map((e: any) => e.node.visits)).toEqual([5, 2, 2]);
          expect(v.supportEntries.edges[0].node.corrects).not.toBeNull();
        }
      }
      expect(totals).toHaveLength(townships);
      for (const t of totals) {
        expect(t.supportTotals).toEqual({ entries: 2 * villages, visits: 7 * villages });
        expect(t.children.edges).toHaveLength(villages);
        for (const v of t.children.edges.map((e: any) => e.node)) {
          expect(v.pairings.map((p: any) => [p.partner.kind, p.startsOn, p.endsOn]).sort()).toEqual([['LEADER', '2025-01-01', null], ['PROJECT', '2025-01-01', '2025-06-01']]);
          expect(v.supportTotals).toEqual({ entries: 2, visits: 7, materialsValue: '1.00' });
        }
      }
      for (const t of coverage) {
        expect(t.pairingCoverage).toMatchObject({ targets: villages, fullyCovered: 0 });
        expect(t.pairingCoverage.gaps.map((g: any) => g.village.code).sort()).toEqual(t.children.edges.map((e: any) => e.node.code).sort());
        for (const g of t.pairingCoverage.gaps) expect(g.missing).toEqual(['ENTERPRISES', 'DEPARTMENT', 'FIRST_SECRETARY']);
        for (const v of t.children.edges.map((e: any) => e.node)) {
          expect(v.pairingCoverage.targets).toBe(1);
          expect(v.pairingCoverage.slots.filter((s: any) => s.filled).map((s: any) => s.slot)).toEqual(['LEADER', 'PROJECTS']);
          expect(v.departmentSuggestions).toEqual([{ name: `党群部门${region.code}`, departmentType: 'PARTY_MASS', carried: 0 }]);
        }
      }
    }
    console.log(`pairing fields over a region's tree: ${statements.join(' and ')} SQL statements`);
    expect(statements.slice(3)).toEqual(statements.slice(0, 3));
  });
});
