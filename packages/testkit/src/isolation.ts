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
            const missing = await c.run({ app, world, caller, target: MISSING, position: 'missing' });
            const got: Record<string, Outcome> = {};
            const want: Record<string, Outcome> = {};
            for (const [i, position] of POSITIONS.entries()) {
              const target = world.at(position);
              const r = await c.run({ app, world, caller, target, position });
              got[position] = outcomeOf(r, c.field);
              want[position] = expectedAt(e, i);
              await expectNoLeak(app, caller, scope, r.data);
              // out of scope must look exactly like a target that does not exist
              if (!within(target.path, scope)) expect(describeError(r), `${position} vs missing`).toEqual(describeError(missing));
            }
            expect(got).toEqual(want);
          });
        }
      });
    }
  });
}
