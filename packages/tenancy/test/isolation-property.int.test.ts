import fc from 'fast-check';
import { test, expect, expectNoLeak, expectedScope, MATRIX_ROLES, unitId, type MatrixRole, type Node, type TestApp, type TestUser } from '@jiceng/testkit';

// A random tree (regions that may hold regions, counties, townships, villages), accounts at random
// units, and callers with random roles at random units asking about random targets: nothing outside
// the caller's scope ever comes back. Reproduce a failure with FC_SEED=<seed>.
const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);

interface Shape {
  regions: { subRegion: boolean; counties: { townships: number[] }[] }[];
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  regions: fc.array(
    fc.record({
      subRegion: fc.boolean(),
      counties: fc.array(fc.record({ townships: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 2, maxLength: 3 },
  ),
});

async function build(app: TestApp, shape: Shape): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const r of shape.regions) {
    const top = await app.tree.region();
    nodes.push(top);
    const region = r.subRegion ? await top.region() : top;
    if (region !== top) nodes.push(region);
    for (const c of r.counties) {
      const county = await region.county();
      nodes.push(county);
      for (const villages of c.townships) {
        const township = await county.township();
        nodes.push(township);
        for (let v = 0; v < villages; v++) nodes.push(await township.village());
      }
    }
  }
  return nodes;
}

const within = (path: string, scope: string[]) => scope.some((s) => path === s || path.startsWith(`${s}.`));
const READS_USERS: MatrixRole[] = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'];

const UNIT = `query($code: String!) {
  adminUnit(code: $code) { code children(first: 50) { edges { node { code } } } search(name: "测试") { edges { node { code } } } }
}`;
const USERS = `query($u: ID!) { users(unitId: $u, first: 100) { edges { node { username unit { code } } } } }`;

test('property: random callers at random units see zero rows outside their scope', async ({ app }) => {
  console.log(`isolation property: seed ${seed} (FC_SEED=${seed} to reproduce)`);
  const [shape] = fc.sample(shapeArb, { seed, numRuns: 1 });
  const nodes = await build(app, shape!);
  // accounts spread over the tree, so `users` has rows inside and outside every scope
  for (const [i, n] of nodes.entries()) if (i % 3 === 0) await app.user(n, ['REPORTER']);
  const callers = new Map<string, TestUser>();

  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: nodes.length - 1 }),
      fc.constantFrom(...MATRIX_ROLES),
      fc.integer({ min: 0, max: nodes.length - 1 }),
      async (homeIndex, role, targetIndex) => {
        const home = nodes[homeIndex]!;
        const target = nodes[targetIndex]!;
        const key = `${home.id}:${role}`;
        const caller = callers.get(key) ?? (await app.user(home, [role]));
        callers.set(key, caller);
        const scope = expectedScope(role, home.unit);

        const unit = await caller.client.ok(UNIT, { code: target.code });
        expect(unit.adminUnit !== null, `${role} at ${home.path} asks for ${target.path}`).toBe(within(target.path, scope));
        await expectNoLeak(app, caller, scope, unit);
        if (unit.adminUnit) {
          // in scope: all the children, nothing else
          const children = nodes.filter((n) => n.unit.parentId === target.id).map((n) => n.code).sort();
          expect(unit.adminUnit.children.edges.map((e: any) => e.node.code).sort()).toEqual(children);
        }

        const users = await caller.client.request(USERS, { u: unitId(target) });
        const code = users.errors?.[0]?.extensions?.code ?? 'ok';
        expect(code).toBe(!READS_USERS.includes(role) ? 'FORBIDDEN' : within(target.path, scope) ? 'ok' : 'NOT_FOUND');
        await expectNoLeak(app, caller, scope, users.data);
      },
    ),
    { seed, numRuns: 80 },
  );
});
