import { executeBound } from '@jiceng/db';
import { fieldIsolationMatrix, isolationMatrix, unitId, userGlobalId, MISSING, type CellArgs, type FieldCellArgs, type FieldMatrixCase, type MatrixCase, type Target } from '@jiceng/testkit';
import { SEED_002_CATALOG, catalogRows, insertCatalog } from '@jiceng/warning';

// The isolation matrix of the foundation, extended to the rectification, pairing, funding and warning
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

const NO_WARNING = Buffer.from('Warning:999999999').toString('base64url');

isolationMatrix('dynamic management 110 (county-level roles): role × operation × {own unit, ancestor, sibling, descendant}', [
  dashboard('light', 'light', ['ORG_ADMIN', 'INSPECTOR', 'REPORTER']),
  dashboard('lightCounts', 'lightCounts { green yellow red }', ['ORG_ADMIN', 'INSPECTOR', 'REPORTER']),
  dashboard('warningStats(year)', 'warningStats(year: 2025) { yellowRaised redRaised resolved open disputes disputesResolved }', ['ORG_ADMIN', 'INSPECTOR', 'REPORTER']),
  dashboard('reporterAccountability(year)', 'reporterAccountability(year: 2025) { reporter { username } total consequence }', ['ORG_ADMIN', 'INSPECTOR']),
  dashboard('stationFailures(year)', 'stationFailures(year: 2025)', ['ORG_ADMIN', 'INSPECTOR']),
  { ...villageMutation('indicatorCatalog', `query($v: ID!) { indicatorCatalog(unitId: $v) { code } }`, (v) => ({ v }),
    { PLATFORM_ADMIN: ok, ORG_ADMIN: ok, INSPECTOR: ok, REPORTER: ok }), operation: 'indicatorCatalog(unitId)' },
  // no catalogue in this world: refused as input in scope; a reporter only reports on their own village (a county's reporter has none)
  villageMutation('reportWarning', `mutation($v: ID!, $k: String!) { reportWarning(input: { villageId: $v, indicatorCode: "PB01-01", level: YELLOW, severity: MINOR, facts: "x", observedOn: "2025-06-01", idempotencyKey: $k }) { id } }`,
    (v) => ({ v, k: `matrix-warn-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', REPORTER: NF }),
  uniform('resolveWarning', `mutation { resolveWarning(id: "${NO_WARNING}", on: "2025-06-01", note: "x") { id } }`, () => ({}),
    { PLATFORM_ADMIN: NF, ORG_ADMIN: NF, INSPECTOR: NO, FINANCE: NO, REPORTER: NO, ENTERPRISE: NO }),
  // a reporter that does not exist: the village is checked first, so out of scope looks missing
  villageMutation('recordMissedReport', `mutation($v: ID!, $r: ID!) { recordMissedReport(villageId: $v, indicatorCode: "PB01-01", reporterId: $r, on: "2025-06-01", note: "x") }`,
    (v) => ({ v, r: userGlobalId(MISSING.id) }), { PLATFORM_ADMIN: NF, ORG_ADMIN: NF, INSPECTOR: NF }),
  villageMutation('recordConcealment', `mutation($v: ID!, $r: ID!) { recordConcealment(villageId: $v, indicatorCode: "PB01-01", reporterId: $r, on: "2025-06-01", note: "x") }`,
    (v) => ({ v, r: userGlobalId(MISSING.id) }), { PLATFORM_ADMIN: NF, ORG_ADMIN: NF, INSPECTOR: NF }),
  // county finance pays the reporters' subsidy for a township or county: a village is refused as input, in scope only
  villageMutation('payReporterSubsidies', `mutation($v: ID!, $k: String!) { payReporterSubsidies(unitId: $v, month: "2025-06", voucher: "PZ-matrix", idempotencyKey: $k) { status } }`,
    (v) => ({ v, k: `matrix-subsidy-${++seq}` }), { PLATFORM_ADMIN: 'BAD_USER_INPUT', FINANCE: 'BAD_USER_INPUT' }),
  // a village is not a township: refused as input, in scope only
  villageMutation('recordStationFailure', `mutation($v: ID!) { recordStationFailure(townshipId: $v, on: "2025-06-01", note: "x") }`, (v) => ({ v }),
    { PLATFORM_ADMIN: 'BAD_USER_INPUT', ORG_ADMIN: 'BAD_USER_INPUT', INSPECTOR: 'BAD_USER_INPUT' }),
]);

// The field workers: a reporter reaches only their village, a dynamic manager their villages, a station its township.
const R = 'REPORTER' as const;
const unitField = (operation: string, selection: string, readers: { REPORTER: boolean; WARNING_MANAGER: boolean; WARNING_STATION: boolean }): FieldMatrixCase => {
  const query = `query($code: String!) { adminUnit(code: $code) { code ${selection} } }`;
  const seen = (yes: boolean) => (yes ? ok : NO);
  return {
    operation,
    field: 'adminUnit',
    run: ({ caller, target }) => caller.client.request(query, { code: target.code }),
    expect: {
      REPORTER: [seen(readers.REPORTER), nil, nil, nil],
      WARNING_MANAGER: [seen(readers.WARNING_MANAGER), seen(readers.WARNING_MANAGER), nil, nil],
      WARNING_STATION: [seen(readers.WARNING_STATION), seen(readers.WARNING_STATION), seen(readers.WARNING_STATION), nil],
    },
  };
};
const reach = (reporter: string, manager: string, station: string): FieldMatrixCase['expect'] => ({
  REPORTER: [reporter, NF, NF, NF], WARNING_MANAGER: [manager, manager, NF, NF], WARNING_STATION: [station, station, station, NF],
});
const refused = (who: 'REPORTER' | 'WARNING_MANAGER' | 'WARNING_STATION', e: FieldMatrixCase['expect']) => ({ ...e, [who]: [NO, NO, NO, NO] as const });
/** A warning at the target village (inserted as the owner), or one that does not exist. */
async function warningAt({ app, target, position }: FieldCellArgs): Promise<string> {
  if (position === 'missing') return NO_WARNING;
  const reporter = await app.user(target as any, [R]);
  const id = await app.asOwner(async (em) => (await executeBound<{ id: string }>(em,
    `insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key)
     values ($1, 'PB01-01', 'YELLOW', 'MINOR', 'VILLAGE', 'x', '2025-06-01', $2, $3) returning id::text`, [target.id, reporter.id, `m${++seq}`]))[0]!.id);
  return Buffer.from(`Warning:${id}`).toString('base64url');
}
/** A dispute at the target village (inserted as the owner), or one that does not exist. */
async function disputeAt({ app, target, position }: FieldCellArgs): Promise<string> {
  if (position === 'missing') return Buffer.from('Dispute:999999999').toString('base64url');
  const id = await app.asOwner(async (em) => (await executeBound<{ id: string }>(em,
    `insert into warning_dispute (unit_id, category, summary, recorded_on) values ($1, 'NEIGHBOURS', '邻里纠纷', '2025-06-01') returning id::text`, [target.id]))[0]!.id);
  return Buffer.from(`Dispute:${id}`).toString('base64url');
}
const reporterAt = async ({ app, target, position }: FieldCellArgs) => (position === 'missing' ? userGlobalId(MISSING.id) : userGlobalId((await app.user(target as any, [R])).id));

fieldIsolationMatrix('dynamic management 110 (field workers): role × operation × {own village, assigned, unassigned, other township}', [
  unitField('light', 'light', { REPORTER: true, WARNING_MANAGER: true, WARNING_STATION: true }),
  unitField('lightCounts', 'lightCounts { green yellow red }', { REPORTER: true, WARNING_MANAGER: true, WARNING_STATION: true }),
  unitField('warningStats(year)', 'warningStats(year: 2025) { yellowRaised open }', { REPORTER: true, WARNING_MANAGER: true, WARNING_STATION: true }),
  unitField('reporterAccountability(year)', 'reporterAccountability(year: 2025) { reporter { username } total }', { REPORTER: false, WARNING_MANAGER: false, WARNING_STATION: true }),
  unitField('stationFailures(year)', 'stationFailures(year: 2025)', { REPORTER: false, WARNING_MANAGER: false, WARNING_STATION: true }),
  { operation: 'indicatorCatalog(unitId)', field: 'indicatorCatalog', expect: reach(ok, ok, ok),
    run: ({ caller, target }) => caller.client.request(`query($u: ID!) { indicatorCatalog(unitId: $u) { code } }`, { u: unitId(target) }) },
  { operation: 'reportWarning', field: 'reportWarning', expect: reach(ok, ok, ok),
    run: ({ caller, target }) => caller.client.request(`mutation($v: ID!, $k: String!) { reportWarning(input: { villageId: $v, indicatorCode: "PB01-01", level: YELLOW, severity: ORDINARY, facts: "班子不团结", observedOn: "2025-06-01", idempotencyKey: $k }) { id village { code light } } }`,
      { v: unitId(target), k: `field-${++seq}` }) },
  { operation: 'resolveWarning', field: 'resolveWarning', expect: refused('REPORTER', reach(ok, ok, ok)),
    run: async (args) => args.caller.client.request(`mutation($id: ID!) { resolveWarning(id: $id, on: "2025-06-02", note: "已整改") { id } }`, { id: await warningAt(args) }) },
  { operation: 'recordMissedReport', field: 'recordMissedReport', expect: refused('WARNING_MANAGER', refused('REPORTER', reach(ok, ok, ok))),
    run: async (args) => args.caller.client.request(`mutation($v: ID!, $r: ID!) { recordMissedReport(villageId: $v, indicatorCode: "PB01-01", reporterId: $r, on: "2025-06-01", note: "站上先发现") }`,
      { v: unitId(args.target), r: await reporterAt(args) }) },
  unitField('disputes(year)', 'disputes(year: 2025) { totalCount }', { REPORTER: true, WARNING_MANAGER: true, WARNING_STATION: true }),
  { operation: 'recordDispute', field: 'recordDispute', expect: reach(ok, ok, ok),
    run: ({ caller, target }) => caller.client.request(`mutation($v: ID!) { recordDispute(input: { villageId: $v, category: LAND_CONTRACTING, summary: "土地承包纠纷", recordedOn: "2025-06-01" }) { id } }`,
      { v: unitId(target) }) },
  { operation: 'settleDispute', field: 'settleDispute', expect: reach(ok, ok, ok),
    run: async (args) => args.caller.client.request(`mutation($id: ID!) { settleDispute(id: $id, on: "2025-06-02", result: "双方和解") { id resolvedOn } }`, { id: await disputeAt(args) }) },
  { operation: 'deferDispute', field: 'deferDispute', expect: reach(ok, ok, ok),
    run: async (args) => args.caller.client.request(`mutation($id: ID!) { deferDispute(id: $id, explanation: "待土地确权", promisedOn: "2099-12-31") { id } }`, { id: await disputeAt(args) }) },
  // finance pays the reporters' subsidy: never field workers
  { operation: 'payReporterSubsidies', field: 'payReporterSubsidies', expect: { REPORTER: [NO, NO, NO, NO], WARNING_MANAGER: [NO, NO, NO, NO], WARNING_STATION: [NO, NO, NO, NO] },
    run: ({ caller, target }) => caller.client.request(`mutation($u: ID!, $k: String!) { payReporterSubsidies(unitId: $u, month: "2025-06", voucher: "PZ-field", idempotencyKey: $k) { status } }`,
      { u: unitId(target), k: `field-subsidy-${++seq}` }) },
  // a region's catalogue is set from above by a centre: never by field workers
  { operation: 'setIndicatorCatalog', field: 'setIndicatorCatalog', expect: { REPORTER: [NO, NO, NO, NO], WARNING_MANAGER: [NO, NO, NO, NO], WARNING_STATION: [NO, NO, NO, NO] },
    run: ({ caller, target }) => caller.client.request(`mutation($u: ID!) { setIndicatorCatalog(unitId: $u, effectiveOn: "2099-01-01", categories: [{ code: "SA", name: "平安建设", items: [{ code: "SA01", name: "社会治安", indicators: [{ code: "SA01-01", name: "黄赌毒现象" }] }] }]) { code } }`,
      { u: unitId(target) }) },
  { operation: 'recordConcealment', field: 'recordConcealment', expect: { REPORTER: [NO, NO, NO, NO], WARNING_MANAGER: [NO, NO, NO, NO], WARNING_STATION: [NO, NO, NO, NO] },
    run: async (args) => args.caller.client.request(`mutation($v: ID!, $r: ID!) { recordConcealment(villageId: $v, indicatorCode: "PB01-01", reporterId: $r, on: "2025-06-01", note: "x") }`,
      { v: unitId(args.target), r: await reporterAt(args) }) },
], (app, world) => app.asOwner((em) => insertCatalog(em, world.region.id, '2025-01-01', catalogRows(SEED_002_CATALOG))).then(() => undefined));
