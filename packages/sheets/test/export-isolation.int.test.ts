import ExcelJS from 'exceljs';
import { executeBound } from '@jiceng/db';
import type { Role } from '@jiceng/tenancy';
import { describe, expect, isolationWorld, MISSING, test, type IsolationWorld, type TestApp, type TestUser } from '@jiceng/testkit';
import { LEDGERS } from '../src/index.js';

// The isolation matrix of the exports: every ledger × format × role × where the unit sits. Scope first, as
// over GraphQL: a unit outside the caller's scope answers exactly like a unit that does not exist (404);
// inside it, a role that may not read those records over GraphQL gets 403, the others the file, which
// names no unit outside the scope.

const YEAR = 2026;

/** Who may read each ledger's records over GraphQL (the action catalogue: rectification, pairing, funding, warning). */
const READERS: Record<string, readonly Role[]> = {
  cases: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'],
  'key-targets': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'],
  pairings: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'],
  support: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'],
  disbursements: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE'],
  warnings: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'],
  disputes: ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'],
};

const POSITIONS = ['own', 'ancestor', 'sibling', 'descendant', 'village'] as const;
type Position = (typeof POSITIONS)[number];

/** The caller's home is the world's county; where each role's scope reaches. */
const CALLERS: { role: Role; sees: readonly Position[] }[] = [
  { role: 'PLATFORM_ADMIN', sees: POSITIONS },
  { role: 'ORG_ADMIN', sees: ['own', 'descendant', 'village'] },
  { role: 'INSPECTOR', sees: ['own', 'descendant', 'village'] },
  { role: 'FINANCE', sees: ['own', 'descendant', 'village'] },
  { role: 'REPORTER', sees: ['own', 'descendant', 'village'] },
  { role: 'WARNING_STATION', sees: ['own', 'descendant', 'village'] },
  // a dynamic manager: the villages assigned to them
  { role: 'WARNING_MANAGER', sees: ['village'] },
  // a first secretary: the village its partner is paired with today
  { role: 'FIRST_SECRETARY', sees: ['village'] },
  // an enterprise with no pairing: nothing
  { role: 'ENTERPRISE', sees: [] },
];

const unitAt = (w: IsolationWorld, p: Position) => (p === 'village' ? w.village : p === 'own' ? w.home : p === 'ancestor' ? w.region : p === 'sibling' ? w.sibling : w.township);

let world: Promise<{ w: IsolationWorld; callers: Map<Role, TestUser> }> | undefined;
function setup(app: TestApp) {
  world ??= (async () => {
    const w = await isolationWorld(app);
    const callers = new Map<Role, TestUser>();
    for (const { role } of CALLERS) callers.set(role, await app.user(role === 'FIRST_SECRETARY' ? w.village : w.home, [role]));
    await app.asOwner(async (em) => {
      const q = (sql: string, p: unknown[]) => executeBound<{ id: string }>(em, sql, p);
      await q(`insert into warning_manager_village (user_id, unit_id) values ($1, $2)`, [callers.get('WARNING_MANAGER')!.id, w.village.id]);
      const [partner] = await q(`insert into partner (unit_id, kind, name) values ($1, 'FIRST_SECRETARY', '第一书记') returning id::text`, [w.home.id]);
      await q(`insert into pairing (partner_id, unit_id, starts_on) values ($1, $2, '2026-01-01')`, [partner!.id, w.village.id]);
      await q(`insert into partner_account (user_id, partner_id, unit_id) values ($1, $2, $3)`, [callers.get('FIRST_SECRETARY')!.id, partner!.id, w.home.id]);
      // a row of every village-level ledger in every village, so that a leak would show
      for (const v of [w.village, w.siblingVillage, w.regionVillage]) {
        await q(`insert into warning_dispute (unit_id, category, summary, recorded_on) values ($1, 'CLAN', '纠纷', '2026-05-01')`, [v.id]);
        await q(`insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key)
                 values ($1, 'A01', 'YELLOW', 'MINOR', 'VILLAGE', '情况', '2026-05-01', $2, $3)`, [v.id, callers.get('REPORTER')!.id, `k${v.id}`]);
        await q(`insert into support_log (partner_id, unit_id, logged_on, visits) values ($1, $2, '2026-05-01', 1)`, [partner!.id, v.id]);
        await q(`insert into assessment (unit_id, year, stars, category) values ($1, $2, 2, 'THIRD')`, [v.id, YEAR]);
        await q(`insert into rectification_case (unit_id, year) values ($1, $2)`, [v.id, YEAR]);
      }
    });
    return { w, callers };
  })();
  return world;
}

async function get(app: TestApp, ledger: string, format: string, code: string, who: TestUser) {
  return fetch(new URL(`/export/${ledger}.${format}?unit=${code}&year=${YEAR}`, app.url), { headers: { authorization: `Bearer ${who.token}` } });
}

/** The unit codes a file names (the 统计用区划代码 column of the ledger's sheet). */
async function codesIn(res: Response, format: string, ledger: string): Promise<string[]> {
  const bytes = Buffer.from(await res.arrayBuffer());
  if (format === 'csv') {
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    const at = lines[0]!.split(',').indexOf('统计用区划代码');
    return lines.slice(1).map((l) => l.split(',')[at]!);
  }
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  const ws = wb.getWorksheet(LEDGERS.get(ledger)!.title)!;
  const at = (ws.getRow(1).values as unknown[]).indexOf('统计用区划代码');
  const codes: string[] = [];
  ws.eachRow((row, n) => { if (n > 1) codes.push(String(row.getCell(at).value)); });
  return codes;
}

describe('export isolation matrix', () => {
  for (const { role, sees } of CALLERS) {
    test(`${role}: every ledger and format, at ${POSITIONS.join(', ')} and a missing unit`, async ({ app }) => {
      const { w, callers } = await setup(app);
      const caller = callers.get(role)!;
      const scopes = sees.map((p) => unitAt(w, p).path);
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const ledger of LEDGERS.keys()) {
        for (const format of ['xlsx', 'csv']) {
          const missing = await get(app, ledger, format, MISSING.code, caller);
          expect(missing.status).toBe(404);
          const missingBody = await missing.text();
          for (const p of POSITIONS) {
            const unit = unitAt(w, p);
            const res = await get(app, ledger, format, unit.code, caller);
            const cell = `${ledger}.${format} at ${p}`;
            got[cell] = res.status;
            want[cell] = !sees.includes(p) ? 404 : READERS[ledger]!.includes(role) ? 200 : 403;
            if (res.status === 404) expect(await res.text(), `${cell} looks like a missing unit`).toBe(missingBody);
            else if (res.status === 200) {
              const codes = await codesIn(res, format, ledger);
              const rows = await app.asOwner((em) => executeBound<{ code: string; path: string }>(em, `select code, path::text as path from admin_unit where code = any($1::text[])`, [codes]));
              expect(rows.filter((r) => !scopes.some((s) => r.path === s || r.path.startsWith(`${s}.`))).map((r) => r.code), `${cell} names a unit outside the scope`).toEqual([]);
            } else await res.arrayBuffer();
          }
        }
      }
      expect(got).toEqual(want);
    });
  }
});
