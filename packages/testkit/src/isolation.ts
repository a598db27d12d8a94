import { toGlobalId } from '@jiceng/core';
import { executeBound } from '@jiceng/db';
import type { Role } from '@jiceng/tenancy';
import { describe, expect, test } from './fixtures.js';
import type { TestApp, TestUser } from './app.js';
import type { GraphQLResult } from './client.js';
import type { Node } from './tree.js';

/**
 * The isolation matrix: role × operation × where the target sits relative to the caller.
 * Each module lists its operations as `MatrixCase`s with a table of expected outcomes and calls
 * `isolationMatrix(title, cases)`; every cell becomes part of a test, and every answer is also
 * checked for leaks (no unit or account outside the caller's scope anywhere in the data) and
 * compared with the answer for a target that does not exist.
 */
export const POSITIONS = ['own', 'ancestor', 'sibling', 'descendant'] as const;
export type Position = (typeof POSITIONS)[number];

/** What the caller gets: the field's data (`ok`), a null field (`null`), or an error code. */
export type Outcome = 'ok' | 'null' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | (string & {});

/** Staff roles see their home subtree (the platform: the country); a partner with no pairing sees nothing. */
export const MATRIX_ROLES = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER', 'ENTERPRISE'] as const satisfies readonly Role[];
export type MatrixRole = (typeof MATRIX_ROLES)[number];

/** One outcome for every position, or one per position in the order of POSITIONS. */
export type Expected = Outcome | readonly [own: Outcome, ancestor: Outcome, sibling: Outcome, descendant: Outcome];

/**
 * A matrix cell's world. The caller's home is a county; its region is the ancestor, another county of
 * that region the sibling, and a township below home the descendant. Every position has a township and
 * a village in its subtree, and `elsewhere` is a second top-level region (a destination for moves).
 *
 *   elsewhere          region ─┬─ home ─┬─ township ── village
 *                              │        └─ township2
 *                              ├─ sibling ── siblingTownship ── siblingVillage
 *                              └─ regionTownship ── regionVillage
 */
export interface IsolationWorld {
  region: Node;
  home: Node;
  township: Node;
  village: Node;
  township2: Node;
  sibling: Node;
  siblingTownship: Node;
  siblingVillage: Node;
  regionTownship: Node;
  regionVillage: Node;
  elsewhere: Node;
  /** the unit at a position: home, region, sibling or township */
  at(position: Position): Node;
}

export async function isolationWorld(app: TestApp): Promise<IsolationWorld> {
  const elsewhere = await app.tree.region();
  const region = await app.tree.region();
  const home = await region.county();
  const township = await home.township();
  const village = await township.village();
  const township2 = await home.township();
  const sibling = await region.county();
  const siblingTownship = await sibling.township();
  const siblingVillage = await siblingTownship.village();
  const regionTownship = await region.township();
  const regionVillage = await regionTownship.village();
  const byPosition: Record<Position, Node> = { own: home, ancestor: region, sibling, descendant: township };
  return {
    region, home, township, village, township2, sibling, siblingTownship, siblingVillage, regionTownship, regionVillage, elsewhere,
    at: (p) => byPosition[p],
  };
}

/** A target that does not exist: out-of-scope targets must be answered exactly like it. */
export const MISSING = { id: '900000000000000001', code: '999999999999', path: 'cn.missing' } as const;
export type Target = Node | typeof MISSING;

/** The opaque id of a unit (or of the missing one). */
export const unitId = (t: Target | { id: string }) => toGlobalId('AdminUnit', t.id);
export const userGlobalId = (id: string) => toGlobalId('User', id);

/** A fresh REPORTER account at the target unit, as a target for account operations (a missing id for MISSING). */
export async function accountAt(app: TestApp, target: Target): Promise<string> {
  if (target === MISSING) return userGlobalId(MISSING.id);
  return userGlobalId((await app.user(target as Node, ['REPORTER'])).id);
}

export interface CellArgs {
  app: TestApp;
  world: IsolationWorld;
  caller: TestUser;
  /** the unit at the position, or MISSING */
  target: Target;
  position: Position | 'missing';
}

export interface MatrixCase {
  /** how the test names the operation, e.g. `adminUnit(code)` */
  operation: string;
  /** the root field whose value (or null) is the outcome */
  field: string;
  run(args: CellArgs): Promise<GraphQLResult>;
  expect: Record<MatrixRole, Expected>;
}

/** The scope a caller at home with this role must have (mirrors jiceng_principal without pairings). */
export function expectedScope(role: Role, home: { path: string }): string[] {
  if (role === 'PLATFORM_ADMIN') return ['cn'];
  return (['ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'] as Role[]).includes(role) ? [home.path] : [];
}

const within = (path: string, scope: string[]) => scope.some((s) => path === s || path.startsWith(`${s}.`));

export function outcomeOf(r: GraphQLResult, field: string): Outcome {
  if (r.errors?.length) return r.errors[0]!.extensions?.code ?? 'UNKNOWN';
  return (r.data as any)?.[field] == null ? 'null' : 'ok';
}

/** Every unit code and username anywhere in a response, to check against the caller's scope. */
function collect(value: unknown, codes: Set<string>, usernames: Set<string>) {
  if (Array.isArray(value)) for (const v of value) collect(v, codes, usernames);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'code' && typeof v === 'string') codes.add(v);
      else if (k === 'username' && typeof v === 'string') usernames.add(v);
      else collect(v, codes, usernames);
    }
  }
}

/**
 * Fails when the data names a unit or an account outside the scope (the caller's own account and
 * home unit excepted: `me` shows them to everyone, partners included).
 */
export async function expectNoLeak(app: TestApp, caller: TestUser, scope: string[], data: unknown): Promise<void> {
  const codes = new Set<string>();
  const usernames = new Set<string>();
  collect(data, codes, usernames);
  codes.delete(caller.unit.code);
  usernames.delete(caller.username);
  if (!codes.size && !usernames.size) return;
  const rows = await app.asOwner((em) =>
    executeBound<{ what: string; path: string }>(em,
      `select code as what, path::text as path from admin_unit where code = any($1::text[])
       union all select username, unit_path::text from app_user where username = any($2::text[])`,
      [[...codes], [...usernames]],
    ),
  );
  const outside = rows.filter((r) => !within(r.path, scope)).map((r) => r.what);
  expect(outside, `visible outside the scope ${scope.join(', ') || '(none)'}`).toEqual([]);
}

function expectedAt(e: Expected, i: number): Outcome {
  return typeof e === 'string' ? e : e[i]!;
}

const describeError = (r: GraphQLResult) => r.errors?.map((e) => ({ code: e.extensions?.code, message: e.message })) ?? null;

/**
 * Runs an operation against a target that does not exist and then every cell: compares the outcomes,
 * checks each answer for leaks, and requires out-of-scope answers to look exactly like the missing one.
 */
async function checkCells<P extends string>(app: TestApp, caller: TestUser, scope: string[], field: string,
  cells: { position: P; target: Node; want: Outcome }[], run: (target: Target, position: P | 'missing') => Promise<GraphQLResult>): Promise<void> {
  const missing = await run(MISSING, 'missing');
  const got: Record<string, Outcome> = {};
  const want: Record<string, Outcome> = {};
  for (const { position, target, want: w } of cells) {
    const r = await run(target, position);
    got[position] = outcomeOf(r, field);
    want[position] = w;
    await expectNoLeak(app, caller, scope, r.data);
    // out of scope must look exactly like a target that does not exist
    if (!within(target.path, scope)) expect(describeError(r), `${position} vs missing`).toEqual(describeError(missing));
  }
  expect(got).toEqual(want);
}

/** Registers one test per operation × role; each runs the operation against every position and MISSING. */
export function isolationMatrix(title: string, cases: MatrixCase[], roles: readonly MatrixRole[] = MATRIX_ROLES): void {
  describe(title, () => {
    for (const c of cases) {
      describe(c.operation, () => {
        for (const role of roles) {
          const e = c.expect[role];
          const label = POSITIONS.map((p, i) => `${p} ${expectedAt(e, i)}`).join(', ');
          test(`${role}: ${label}`, async ({ app }) => {
            const world = await isolationWorld(app);
            const caller = await app.user(world.home, [role]);
            const scope = expectedScope(role, world.home.unit);
            await checkCells(app, caller, scope, c.field, POSITIONS.map((position, i) => ({ position, target: world.at(position), want: expectedAt(e, i) })),
              (target, position) => c.run({ app, world, caller, target, position }));
          });
        }
      });
    }
  });
}

/**
 * The field workers' matrix (dynamic management 110): a reporter (信息员) at a village, a dynamic manager
 * (WARNING_MANAGER) at the township assigned to two of its villages, and the township's station
 * (WARNING_STATION). Positions are villages: the reporter's own, another assigned to the manager, an
 * unassigned one of the same township, and one of another township.
 *
 *   county ─┬─ township ─┬─ own (the reporter's; assigned)
 *           │            ├─ assigned
 *           │            └─ unassigned
 *           └─ otherTownship ── other
 */
export const FIELD_POSITIONS = ['own', 'assigned', 'unassigned', 'other'] as const;
export type FieldPosition = (typeof FIELD_POSITIONS)[number];
export const FIELD_ROLES = ['REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'] as const satisfies readonly Role[];
export type FieldRole = (typeof FIELD_ROLES)[number];

export interface FieldWorld {
  region: Node; county: Node; township: Node; otherTownship: Node;
  own: Node; assigned: Node; unassigned: Node; other: Node;
  at(position: FieldPosition): Node;
}

export interface FieldCellArgs { app: TestApp; world: FieldWorld; caller: TestUser; target: Target; position: FieldPosition | 'missing' }

export interface FieldMatrixCase {
  operation: string;
  field: string;
  run(args: FieldCellArgs): Promise<GraphQLResult>;
  expect: Record<FieldRole, readonly [own: Outcome, assigned: Outcome, unassigned: Outcome, other: Outcome]>;
}

async function fieldWorld(app: TestApp): Promise<FieldWorld> {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const [own, assigned, unassigned] = [await township.village(), await township.village(), await township.village()];
  const otherTownship = await county.township();
  const other = await otherTownship.village();
  const byPosition: Record<FieldPosition, Node> = { own, assigned, unassigned, other };
  return { region, county, township, otherTownship, own, assigned, unassigned, other, at: (p) => byPosition[p] };
}

/**
 * Registers one test per operation × field role. `setup` prepares the world (e.g. a catalogue) as the
 * owner. Each answer is checked for leaks against the role's scope, and out-of-scope answers are
 * compared with the answer for a target that does not exist.
 */
export function fieldIsolationMatrix(title: string, cases: FieldMatrixCase[], setup?: (app: TestApp, world: FieldWorld) => Promise<void>): void {
  describe(title, () => {
    for (const c of cases) {
      describe(c.operation, () => {
        for (const role of FIELD_ROLES) {
          const e = c.expect[role];
          test(`${role}: ${FIELD_POSITIONS.map((p, i) => `${p} ${e[i]}`).join(', ')}`, async ({ app }) => {
            const world = await fieldWorld(app);
            await setup?.(app, world);
            const home = role === 'REPORTER' ? world.own : world.township;
            const caller = await app.user(home, [role]);
            let scope = [world.township.path];
            if (role === 'REPORTER') scope = [world.own.path];
            if (role === 'WARNING_MANAGER') {
              await app.asOwner((em) => executeBound(em, `insert into warning_manager_village (user_id, unit_id) values ($1, $2), ($1, $3)`, [caller.id, world.own.id, world.assigned.id]));
              scope = [world.own.path, world.assigned.path];
            }
            await checkCells(app, caller, scope, c.field, FIELD_POSITIONS.map((position, i) => ({ position, target: world.at(position), want: e[i]! })),
              (target, position) => c.run({ app, world, caller, target, position }));
          });
        }
      });
    }
  });
}
