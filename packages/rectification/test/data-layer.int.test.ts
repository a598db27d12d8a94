import { inScope, type EntityManager } from '@jiceng/db';
import { CALENDAR_DAY_KINDS, CASE_STATES, CATEGORIES, CAUSES, rectificationEntities } from '@jiceng/rectification';
import { test, expect, describe, type Node, type TestApp } from '@jiceng/testkit';

const ID = `query($c: String!) { adminUnit(code: $c) { id } }`;

/** A village's ledger rows in every rectification table: a 2024 case that relapsed, the 2025 case following it, and its records. */
async function ledgerRows(em: EntityManager, village: { id: string }) {
  const v = village.id;
  await em.execute(`insert into assessment (unit_id, year, stars, category) values (?, 2024, 6, 'SECOND'), (?, 2025, 2, 'THIRD')`, [v, v]);
  await em.execute(`insert into weak_designation (unit_id, year, cause, problem_types) values (?, 2025, 'WEAK_LAX', '{LEADERSHIP}')`, [v]);
  const [old] = await em.execute<{ id: string }[]>(`insert into rectification_case (unit_id, year, state) values (?, 2024, 'RELAPSED') returning id`, [v]);
  const [c] = await em.execute<{ id: string }[]>(`insert into rectification_case (unit_id, year, previous_case_id) values (?, 2025, ?) returning id`, [v, old!.id]);
  await em.execute(`insert into case_transition (case_id, unit_id, from_state, to_state, reason, happened_on) values (?, ?, 'IDENTIFIED', 'IDENTIFIED', 'identified', '2025-03-01')`, [c!.id, v]);
  await em.execute(`insert into problem_item (case_id, unit_id, problem, measure, responsible, due_on) values (?, ?, '班子不齐', '配强书记', '张三', '2025-06-01')`, [c!.id, v]);
  await em.execute(`insert into acceptance (case_id, unit_id, accepted_on, satisfaction_rate) values (?, ?, '2025-11-20', 0.9)`, [old!.id, v]);
  await em.execute(`insert into complaint (unit_id, received_on, summary, reply_due_on) values (?, '2025-05-06', '举报', '2025-05-09')`, [v]);
  await em.execute(`insert into key_target (unit_id, year) values (?, 2025)`, [v]);
}

/** The values of a column's check constraint `col in ('A', 'B', …)`, read from pg_constraint. */
async function checkValues(app: TestApp, table: string, column: string): Promise<string[]> {
  const defs = await app.asOwner((em) => em.execute<{ def: string }[]>(
    `select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = ?::regclass and contype = 'c'`, [table]));
  const def = defs.map((d) => d.def).find((d) => new RegExp(`\\(${column}\\b[^)]*(= ANY|IN)`, 'i').test(d));
  expect(def, `${table}.${column} has a check constraint`).toBeDefined();
  return [...def!.matchAll(/'([A-Z_]+)'::text/g)].map((m) => m[1]!).sort();
}

describe('one list of values per closed list', () => {
  test('the SQL check constraints hold exactly the values of the GraphQL enums', async ({ app }) => {
    expect(await checkValues(app, 'rectification_case', 'state')).toEqual([...CASE_STATES].sort());
    expect(await checkValues(app, 'weak_designation', 'cause')).toEqual([...CAUSES].sort());
    expect(await checkValues(app, 'assessment', 'category')).toEqual([...CATEGORIES].sort());
    expect(await checkValues(app, 'calendar_day', 'kind')).toEqual([...CALENDAR_DAY_KINDS].sort());
    // and the schema serves those lists as enums
    const admin = await app.user(await app.tree.region(), ['PLATFORM_ADMIN']);
    for (const [name, values] of [['CaseState', CASE_STATES], ['WeaknessCause', CAUSES], ['AssessmentCategory', CATEGORIES], ['CalendarDayKind', CALENDAR_DAY_KINDS]] as const) {
      const r = await admin.client.ok(`query($n: String!) { __type(name: $n) { kind enumValues { name } } }`, { n: name });
      expect(r.__type.kind, name).toBe('ENUM');
      expect(r.__type.enumValues.map((v: { name: string }) => v.name).sort(), name).toEqual([...values].sort());
    }
  });
});

describe('entities', () => {
  test('every rectification entity maps its table; with the filter off, RLS alone keeps rows of other subtrees out', async ({ app }) => {
    const region = await app.tree.region();
    const home = await region.county();
    const village = await (await home.township()).village();
    const elsewhere = await (await (await region.county()).township()).village();
    await app.asOwner(async (em) => {
      for (const v of [village, elsewhere]) await ledgerRows(em, v);
      await em.execute(`insert into rectification_standard (unit_id, effective_year) values (?, 2025), (?, 2025)`, [village.id, elsewhere.id]);
      await em.execute(`insert into calendar_day (unit_id, day, kind) values (?, '2025-10-01', 'HOLIDAY')`, [region.id]);
    });
    // the region's calendar day is read from below it: the home county sees it through configuration reads
    await inScope(app.orm, [home.path], async (em) => {
      for (const entity of rectificationEntities) {
        const rows = await em.find(entity as any, {}, { filters: false });
        expect(rows.length, entity.meta.className).toBeGreaterThan(0);
        const paths = rows.map((r: any) => r.unitPath as string);
        const foreign = paths.filter((p) => !(p.startsWith(`${home.path}.`) || home.path.startsWith(`${p}.`)));
        expect(foreign, entity.meta.className).toEqual([]);
      }
    });
  });
});

describe('dates', () => {
  test('a bad LocalDate in a variable names the argument or input field it was given for', async ({ app }) => {
    const region = await app.tree.region();
    const village = await (await (await region.county()).township()).village();
    const admin = await app.user(region, ['ORG_ADMIN']);
    const v = (await admin.client.ok(ID, { c: village.code })).adminUnit.id;
    const bad = await admin.client.fails('BAD_USER_INPUT', `mutation($v: ID!, $d: LocalDate!) { receiveComplaint(villageId: $v, receivedOn: $d, summary: "x") { id } }`, { v, d: '2025-02-30' });
    expect(bad.extensions!.field).toBe('receivedOn');
    const variable = await admin.client.fails('BAD_USER_INPUT',
      `mutation($i: ProblemInput!) { addProblemItem(caseId: "x", input: $i) { id } }`, { i: { problem: 'p', measure: 'm', responsible: 'r', dueOn: '1999-12-31' } });
    expect(variable.extensions!.field).toBe('dueOn');
    // dates come back as LocalDate
    await admin.client.ok(`mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-05-06", summary: "x") { receivedOn replyDueOn } }`, { v });
  });
});

describe('no N+1', () => {
  const CASES = `query($c: String!) { adminUnit(code: $c) { cases(year: 2025) { totalCount edges { node { id state
    previousCase { id state village { code } acceptance { acceptedOn } previousCase { id } }
    problems { id overdue } history { from to on } acceptances { acceptedOn } village { code } } } } } }`;
  const CHILDREN = `query($c: String!) { adminUnit(code: $c) { children(first: 5) { edges { node { code
    assessment(year: 2025) { stars category } assessments { year } designation(year: 2025) { cause designatedOn }
    cases(year: 2025) { totalCount edges { node { id previousCase { id } } } }
    complaints(year: 2025) { totalCount edges { node { id receivedOn village { code } } } }
    rectificationSummary(year: 2025) { targets keyTargets byCause { cause count } casesByState { state count } }
    rectificationStandard(year: 2025) { workingGroupMin } calendarDays(from: "2025-01-01", to: "2025-12-31") { day kind } } } } } }`;

  test('cases { previousCase } (relapsed cases), children { assessment, cases, complaints, rectificationSummary, … }: the same statements for 2 and 5 villages', async ({ app }) => {
    const counts: Record<string, number[]> = { cases: [], children: [] };
    for (const n of [2, 5]) {
      const region = await app.tree.region();
      const county = await region.county();
      const township = await county.township();
      const villages: Node[] = [];
      for (let i = 0; i < n; i++) villages.push(await township.village());
      await app.asOwner(async (em) => { for (const v of villages) await ledgerRows(em, v); });
      const admin = await app.user(county, ['ORG_ADMIN']);

      app.sqlCount = 0;
      const r = await admin.client.ok(CASES, { c: county.code });
      counts.cases!.push(app.sqlCount);
      expect(r.adminUnit.cases.totalCount).toBe(n);
      for (const e of r.adminUnit.cases.edges) {
        expect(e.node.previousCase).toMatchObject({ state: 'RELAPSED', village: { code: e.node.village.code }, acceptance: { acceptedOn: '2025-11-20' } });
        expect(e.node.problems).toHaveLength(1);
      }

      app.sqlCount = 0;
      const c = await admin.client.ok(CHILDREN, { c: township.code });
      counts.children!.push(app.sqlCount);
      expect(c.adminUnit.children.edges).toHaveLength(n);
      for (const e of c.adminUnit.children.edges) {
        expect(e.node.assessment).toEqual({ stars: 2, category: 'THIRD' });
        expect(e.node.assessments).toEqual([{ year: 2024 }, { year: 2025 }]);
        expect(e.node.cases.totalCount).toBe(1);
        expect(e.node.cases.edges[0].node.previousCase).not.toBeNull();
        expect(e.node.complaints.totalCount).toBe(1);
        expect(e.node.rectificationSummary).toMatchObject({ targets: 1, keyTargets: 1 });
      }
    }
    expect(counts.cases![1], 'cases').toBe(counts.cases![0]);
    expect(counts.children![1], 'children').toBe(counts.children![0]);
  });

  test('dashboards under a list of townships: relapsePatterns, keyTargets, accountability, rectificationSummary cost the same for 2 and 5', async ({ app }) => {
    const Q = `query($c: String!) { adminUnit(code: $c) { children(first: 5) { edges { node { code
      relapsePatterns(year: 2025) { goodThenWeak transformedThenRelapsed weakThroughout noHistory }
      keyTargets(year: 2025) { township { code } villages keyTargets required shortfall }
      accountability(year: 2025) { township { code } newlyParalysed consequence }
      rectificationSummary(year: 2025) { targets } } } } } }`;
    const counts: number[] = [];
    for (const n of [2, 5]) {
      const county = await (await app.tree.region()).county();
      for (let i = 0; i < n; i++) {
        const v = await (await county.township()).village();
        await app.asOwner(async (em) => {
          await ledgerRows(em, v);
          await em.execute(`update weak_designation set paralysed = true where unit_id = ?`, [v.id]);
        });
      }
      const admin = await app.user(county, ['ORG_ADMIN']);
      app.sqlCount = 0;
      const r = await admin.client.ok(Q, { c: county.code });
      counts.push(app.sqlCount);
      expect(r.adminUnit.children.edges).toHaveLength(n);
      for (const e of r.adminUnit.children.edges) {
        // the 2024 case relapsed, 2024 was rated second category: transformed then relapsed
        expect(e.node.relapsePatterns).toEqual({ goodThenWeak: 0, transformedThenRelapsed: 1, weakThroughout: 0, noHistory: 0 });
        expect(e.node.keyTargets).toEqual([{ township: { code: e.node.code }, villages: 1, keyTargets: 1, required: 1, shortfall: 0 }]);
        expect(e.node.accountability).toEqual([{ township: { code: e.node.code }, newlyParalysed: 1, consequence: 'CRITICISM' }]);
        expect(e.node.rectificationSummary.targets).toBe(1);
      }
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
