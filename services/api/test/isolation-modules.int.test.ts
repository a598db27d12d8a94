import { isolationMatrix, unitId, type CellArgs, type MatrixCase, type Target } from '@jiceng/testkit';

// The isolation matrix of the foundation, extended to the rectification, pairing and funding
// operations: role × operation × {own, ancestor, sibling, descendant}, each answer checked for leaks
// and out-of-scope answers compared with the answer for a target that does not exist.
const ok = 'ok';
const nil = 'null';
const NF = 'NOT_FOUND';
const NO = 'FORBIDDEN';
let seq = 0;

/** A dashboard field on the unit at the position: null outside the scope, FORBIDDEN without the action. */
function dashboard(operation: string, selection: string, readers: string[]): MatrixCase {
  const query = `query($code: String!) { adminUnit(code: $code) { code ${selection} } }`;
  const row = (role: string) => (role === 'PLATFORM_ADMIN' ? [ok, ok, ok, ok] : readers.includes(role) ? [ok, nil, nil, ok] : [NO, nil, nil, NO]) as [string, string, string, string];
  return {
    operation,
    field: 'adminUnit',
    run: ({ caller, target }) => caller.client.request(query, { code: target.code }),
    expect: {
      PLATFORM_ADMIN: row('PLATFORM_ADMIN'),
      ORG_ADMIN: row('ORG_ADMIN'),
      INSPECTOR: row('INSPECTOR'),
      FINANCE: row('FINANCE'),
      REPORTER: row('REPORTER'),
      ENTERPRISE: [nil, nil, nil, nil],
    },
  };
}

/** The village a mutation targets for each position. */
function villageAt({ world, target, position }: CellArgs): Target {
  if (position === 'missing') return target;
  return { own: world.village, descendant: world.village, sibling: world.siblingVillage, ancestor: world.regionVillage }[position];
}

/** Outcomes of a write inside the scope: `allowed[role]` at own and descendant, NOT_FOUND outside, FORBIDDEN without the action. */
function inScopeWrite(allowed: Record<string, string>): MatrixCase['expect'] {
  const row = (role: string) => (role === 'PLATFORM_ADMIN' && allowed.PLATFORM_ADMIN ? [allowed.PLATFORM_ADMIN, allowed.PLATFORM_ADMIN, allowed.PLATFORM_ADMIN, allowed.PLATFORM_ADMIN]
    : allowed[role] ? [allowed[role], NF, NF, allowed[role]] : [NO, NO, NO, NO]) as [string, string, string, string];
  return {
    PLATFORM_ADMIN: row('PLATFORM_ADMIN'),
    ORG_ADMIN: row('ORG_ADMIN'),
    INSPECTOR: row('INSPECTOR'),
    FINANCE: row('FINANCE'),
    REPORTER: row('REPORTER'),
    ENTERPRISE: row('ENTERPRISE'),
  };
}

/** A mutation on a village: NOT_FOUND outside the scope, FORBIDDEN for roles without the action. */
function villageMutation(operation: string, mutation: string, vars: (v: string) => Record<string, unknown>, allowed: Record<string, string>): MatrixCase {
  return { operation, field: operation, run: (args) => args.caller.client.request(mutation, vars(unitId(villageAt(args)))), expect: inScopeWrite(allowed) };
}

/** Ending a pairing the unit at the position arranged, of the village at the position (the unit that arranged it, or one above, ends it). */
const endPairing: MatrixCase = {
  operation: 'endPairing',
  field: 'endPairing',
  run: async (args) => {
    let id = Buffer.from('Pairing:999999999').toString('base64url');
    if (args.position !== 'missing') {
      const village = villageAt(args);
      const pairing = await args.app.asOwner(async (em) => {
        const [p] = await em.execute<{ id: string }[]>(`insert into partner (unit_id, kind, name) values (?, 'LEADER', ?) returning id`, [args.target.id, `matrix-leader-${++seq}`]);
        const [r] = await em.execute<{ id: string }[]>(`insert into pairing (partner_id, unit_id, starts_on, arranged_by) values (?, ?, '2025-01-01', ?) returning id`, [p!.id, village.id, args.target.id]);
        return String(r!.id);
      });
      id = Buffer.from(`Pairing:${pairing}`).toString('base64url');
    }
    return args.caller.client.request(`mutation($p: ID!) { endPairing(pairingId: $p, endsOn: "2025-06-01") }`, { p: id });
  },
  expect: inScopeWrite({ PLATFORM_ADMIN: ok, ORG_ADMIN: ok }),
};

/** A case where every role gets one outcome at every position (no target in reach for anyone). */
function uniform(operation: string, mutation: string, vars: (v: string) => Record<string, unknown>, outcome: Record<string, string>): MatrixCase {
  const row = (role: string) => [outcome[role]!, outcome[role]!, outcome[role]!, outcome[role]!] as [string, string, string, string];
  return {
    operation,
    field: operation,
    run: (args) => args.caller.client.request(mutation, vars(unitId(villageAt(args)))),
    expect: { PLATFORM_ADMIN: row('PLATFORM_ADMIN'), ORG_ADMIN: row('ORG_ADMIN'), INSPECTOR: row('INSPECTOR'), FINANCE: row('FINANCE'), REPORTER: row('REPORTER'), ENTERPRISE: row('ENTERPRISE') },
  };
}
const NO_PARTNER = Buffer.from('Partner:999999999').toString('base64url');

isolationMatrix('rectification, pairing and funding: role × operation × {own unit, ancestor, sibling, descendant}', [
  dashboard('rectificationSummary(year)', 'rectificationSummary(year: 2025) { assessed targets transformationRate }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER']),
  dashboard('cases(year)', 'cases(year: 2025) { edges { node { id } } }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER']),
  dashboard('pairingCoverage(year)', 'pairingCoverage(year: 2025) { targets fullyCovered rate }', ['ORG_ADMIN', 'INSPECTOR']),
  dashboard('supportTotals(from, to)', 'supportTotals(from: "2025-01-01", to: "2025-12-31") { entries }', ['ORG_ADMIN', 'INSPECTOR']),
  dashboard('departmentSuggestions(year)', 'departmentSuggestions(year: 2025) { id }', ['ORG_ADMIN', 'INSPECTOR']),
  dashboard('pairings', 'pairings { id }', ['ORG_ADMIN', 'INSPECTOR']),
  // support is logged only by partner users, only for villages their partner is paired with (none here)
  uniform('logSupport', `mutation($v: ID!) { logSupport(input: { villageId: $v, loggedOn: "2025-06-01", visits: 1 }) }`, (v) => ({ v }),
    { PLATFORM_ADMIN: NO, ORG_ADMIN: NO, INSPECTOR: NO, FINANCE: NO, REPORTER: NO, ENTERPRISE: NF }),
  // pairing with a partner that does not exist: the village is checked first, so out of scope looks missing
  villageMutation('pairPartner', `mutation($v: ID!, $p: ID!) { pairPartner(partnerId: $p, villageId: $v, startsOn: "2025-01-01") }`, (v) => ({ v, p: NO_PARTNER }),
    { PLATFORM_ADMIN: NF, ORG_ADMIN: NF }),
  endPairing,
  dashboard('fundsSummary(year)', 'fundsSummary(year: 2025) { allocated disbursed spent balance }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE']),
  villageMutation('assessVillage', `mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 6) { category } }`, (v) => ({ v }), { PLATFORM_ADMIN: ok, ORG_ADMIN: ok }),
  villageMutation('receiveComplaint', `mutation($v: ID!) { receiveComplaint(villageId: $v, receivedOn: "2025-09-01", summary: "x") { id } }`, (v) => ({ v }), { PLATFORM_ADMIN: ok, ORG_ADMIN: ok, REPORTER: ok }),
  villageMutation('registerPartner', `mutation($v: ID!, $n: String!) { registerPartner(input: { unitId: $v, kind: LEADER, name: $n }) { id } }`, (v) => ({ v, n: `leader-${++seq}` }), { PLATFORM_ADMIN: ok, ORG_ADMIN: ok }),
  villageMutation('disburseFunds', `mutation($v: ID!, $k: String!) { disburseFunds(villageId: $v, fund: OFFICE, year: 2025, amount: "1.00", voucher: "PZ", on: "2025-05-01", idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-disburse-${process.pid}-${++seq}` }), { FINANCE: 'INSUFFICIENT_FUNDS' }),
  dashboard('fundingCompliance(year)', 'fundingCompliance(year: 2025) { officeBelowStandard { id } counties { rate } }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE']),
  dashboard('transfers', 'transfers(first: 5) { edges { node { id amount } } }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE']),
  dashboard('fundingStandards', 'fundingStandards { officePerVillage venueFarmingM2 }', ['ORG_ADMIN', 'INSPECTOR', 'FINANCE']),
  villageMutation('setFundingStandards', `mutation($v: ID!) { setFundingStandards(regionId: $v, effectiveOn: "2026-01-01", input: { award: "1.00" }) { award } }`,
    (v) => ({ v }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
  villageMutation('disburseFundsBatch', `mutation($v: ID!, $k: String!) { disburseFundsBatch(items: [{ villageId: $v, fund: OFFICE, year: 2025, amount: "1.00", voucher: "PZ", on: "2025-05-01", idempotencyKey: $k }]) { id } }`,
    (v) => ({ v, k: `matrix-batch-${process.pid}-${++seq}` }), { FINANCE: 'INSUFFICIENT_FUNDS' }),
  villageMutation('recordVillageSpending', `mutation($v: ID!, $k: String!) { recordVillageSpending(villageId: $v, fund: OFFICE, year: 2025, amount: "1.00", category: "办公", receipt: "SJ", on: "2025-05-01", idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-spend-${process.pid}-${++seq}` }), { ORG_ADMIN: 'INSUFFICIENT_FUNDS', FINANCE: 'INSUFFICIENT_FUNDS' }),
  // a village is neither a region (appropriations) nor above another unit (allocations): refused as input, in scope only
  villageMutation('appropriateFunds', `mutation($v: ID!, $k: String!) { appropriateFunds(regionId: $v, fund: OFFICE, year: 2025, amount: "1.00", idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-appropriate-${process.pid}-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
  villageMutation('allocateFunds', `mutation($v: ID!, $k: String!) { allocateFunds(fromUnitId: $v, toUnitId: $v, fund: OFFICE, year: 2025, amount: "1.00", idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-allocate-${process.pid}-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
  villageMutation('allocateByStandard', `mutation($v: ID!, $k: String!) { allocateByStandard(fromUnitId: $v, fund: OFFICE, year: 2025, idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-standard-${process.pid}-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
  uniform('reverseTransfer', `mutation($k: String!) { reverseTransfer(transferId: "${Buffer.from('Transfer:999999999').toString('base64url')}", reason: "x", idempotencyKey: $k) { id } }`,
    () => ({ k: `matrix-reverse-${process.pid}-${++seq}` }), { PLATFORM_ADMIN: NF, ORG_ADMIN: NO, INSPECTOR: NO, FINANCE: NF, REPORTER: NO, ENTERPRISE: NO }),
  villageMutation('grantAward', `mutation($v: ID!, $k: String!) { grantAward(villageId: $v, year: 2025, idempotencyKey: $k) { id } }`,
    (v) => ({ v, k: `matrix-award-${process.pid}-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
]);
