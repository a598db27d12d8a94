import { accountAt, isolationMatrix, unitId, type CellArgs, type MatrixCase } from '@jiceng/testkit';

// Role × operation × position of the target, for every tenancy query and mutation. The caller sits
// at a county (see isolationWorld): own = that county, ancestor = its region, sibling = another
// county of the region, descendant = a township below it. Every answer is also checked for leaks,
// and out-of-scope answers must equal the answer for a target that does not exist.
const ok = 'ok';
const nil = 'null';
const NF = 'NOT_FOUND';
const NO = 'FORBIDDEN';
const BAD = 'BAD_USER_INPUT';

/** A unit query: null outside the scope, the unit inside it. */
function unitQuery(operation: string, selection: string, byId = false): MatrixCase {
  const query = byId
    ? `query($id: ID!) { adminUnitById(id: $id) { code ${selection} } }`
    : `query($code: String!) { adminUnit(code: $code) { code ${selection} } }`;
  return {
    operation,
    field: byId ? 'adminUnitById' : 'adminUnit',
    run: ({ caller, target }) => caller.client.request(query, byId ? { id: unitId(target) } : { code: target.code }),
    expect: {
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [ok,  ok,      ok,     ok],
      ORG_ADMIN:      [ok,  nil,     nil,    ok],
      INSPECTOR:      [ok,  nil,     nil,    ok],
      FINANCE:        [ok,  nil,     nil,    ok],
      REPORTER:       [ok,  nil,     nil,    ok],
      ENTERPRISE:     [nil, nil,     nil,    nil],
    },
  };
}

/** An account operation on a fresh REPORTER at the target unit: user:manage inside the scope. */
function accountMutation(operation: string, mutation: string): MatrixCase {
  return {
    operation,
    field: operation,
    run: async ({ app, caller, target }) => caller.client.request(mutation, { id: await accountAt(app, target) }),
    expect: {
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [ok,  ok,      ok,     ok],
      ORG_ADMIN:      [ok,  NF,      NF,     ok],
      INSPECTOR:      [NO,  NO,      NO,     NO],
      FINANCE:        [NO,  NO,      NO,     NO],
      REPORTER:       [NO,  NO,      NO,     NO],
      ENTERPRISE:     [NO,  NO,      NO,     NO],
    },
  };
}

let seq = 0;

/** Where moveAdminUnit puts each position's unit: a valid parent where one exists in the caller's reach. */
function moveArgs({ world, target, position }: CellArgs) {
  switch (position) {
    case 'own': // the caller's home county, under one of its own townships
      return { u: unitId(world.home), p: unitId(world.township2) };
    case 'descendant': // a village of home, to another township of home
      return { u: unitId(world.village), p: unitId(world.township2) };
    default: // the region, the sibling county and the missing unit: under another top-level region
      return { u: unitId(target), p: unitId(world.elsewhere) };
  }
}

const cases: MatrixCase[] = [
  unitQuery('adminUnit(code)', 'name level parent { code }'),
  unitQuery('adminUnitById(id)', 'name level parent { code }', true),
  unitQuery('children', 'children(first: 10) { edges { node { code parent { code } } } pageInfo { hasNextPage endCursor } }'),
  unitQuery('ancestors', 'ancestors { code }'),
  unitQuery('count / counts', 'count(level: VILLAGE) counts { level count }'),
  unitQuery('search', 'search(name: "测试") { edges { node { code } } }'),
  {
    operation: 'me',
    field: 'me',
    // independent of the target: everyone sees their own account; scope lists only what they may see
    run: ({ caller }) => caller.client.request(`{ me { user { username } unit { code } scope { code } actions } }`),
    expect: { PLATFORM_ADMIN: ok, ORG_ADMIN: ok, INSPECTOR: ok, FINANCE: ok, REPORTER: ok, ENTERPRISE: ok },
  },
  {
    operation: 'user(id)',
    field: 'user',
    run: async ({ app, caller, target }) =>
      caller.client.request(`query($id: ID!) { user(id: $id) { username unit { code } } }`, { id: await accountAt(app, target) }),
    expect: {
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [ok,  ok,      ok,     ok],
      ORG_ADMIN:      [ok,  nil,     nil,    ok],
      INSPECTOR:      [ok,  nil,     nil,    ok],
      FINANCE:        [NO,  NO,      NO,     NO],
      REPORTER:       [NO,  NO,      NO,     NO],
      ENTERPRISE:     [NO,  NO,      NO,     NO],
    },
  },
  {
    operation: 'users(unitId)',
    field: 'users',
    run: async ({ app, caller, target }) => {
      await accountAt(app, target); // something to list
      return caller.client.request(`query($u: ID!) { users(unitId: $u) { edges { node { username unit { code } } } } }`, { u: unitId(target) });
    },
    expect: {
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [ok,  ok,      ok,     ok],
      ORG_ADMIN:      [ok,  NF,      NF,     ok],
      INSPECTOR:      [ok,  NF,      NF,     ok],
      FINANCE:        [NO,  NO,      NO,     NO],
      REPORTER:       [NO,  NO,      NO,     NO],
      ENTERPRISE:     [NO,  NO,      NO,     NO],
    },
  },
  {
    operation: 'createUser',
    field: 'createUser',
    run: ({ caller, target }) =>
      caller.client.request(`mutation($input: CreateUserInput!) { createUser(input: $input) { username unit { code } } }`, {
        input: { username: `matrix-${process.pid}-${++seq}`, displayName: '信息员', password: 'a-long-password', unitId: unitId(target), roles: ['REPORTER'] },
      }),
    expect: {
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [ok,  ok,      ok,     ok],
      ORG_ADMIN:      [ok,  NF,      NF,     ok],
      INSPECTOR:      [NO,  NO,      NO,     NO],
      FINANCE:        [NO,  NO,      NO,     NO],
      REPORTER:       [NO,  NO,      NO,     NO],
      ENTERPRISE:     [NO,  NO,      NO,     NO],
    },
  },
  accountMutation('updateUser', `mutation($id: ID!) { updateUser(id: $id, input: { displayName: "改名" }) { username displayName } }`),
  accountMutation('disableUser', `mutation($id: ID!) { disableUser(id: $id) { username disabled } }`),
  accountMutation('enableUser', `mutation($id: ID!) { enableUser(id: $id) { username disabled } }`),
  {
    operation: 'moveAdminUnit',
    field: 'moveAdminUnit',
    run: (args) => args.caller.client.request(`mutation($u: ID!, $p: ID!) { moveAdminUnit(unitId: $u, newParentId: $p) { code } }`, moveArgs(args)),
    expect: {
      // own: nobody moves their own home unit; descendant: a village to another township of home
      //               own  ancestor sibling descendant
      PLATFORM_ADMIN: [BAD, ok,      ok,     ok],
      ORG_ADMIN:      [BAD, NF,      NF,     ok],
      INSPECTOR:      [NO,  NO,      NO,     NO],
      FINANCE:        [NO,  NO,      NO,     NO],
      REPORTER:       [NO,  NO,      NO,     NO],
      ENTERPRISE:     [NO,  NO,      NO,     NO],
    },
  },
];

isolationMatrix('tenancy isolation matrix: role × operation × {own unit, ancestor, sibling, descendant}', cases);
