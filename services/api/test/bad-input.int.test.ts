import { test, expect, describe, TEST_PASSWORD, type TestApp, type TestUser } from '@jiceng/testkit';

// Bad input is the caller's error, never a 500: each case over HTTP gets BAD_USER_INPUT naming the field.

const UNIT = `query($c: String!) { adminUnit(code: $c) { id } }`;
const cursor = (key: string) => Buffer.from(`c:${key}`).toString('base64url');

let seq = 0;
const key = (s: string) => `${s}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`;

async function world(app: TestApp) {
  const region = await app.tree.region();
  const county = await region.county();
  const township = await county.township();
  const village = await township.village();
  const admin = await app.user(region, ['ORG_ADMIN']);
  const finance = await app.user(region, ['FINANCE']);
  const id = async (code: string) => (await admin.client.ok(UNIT, { c: code })).adminUnit.id as string;
  return { region, county, township, village, admin, finance, regionId: await id(region.code), villageId: await id(village.code) };
}

/** Expects BAD_USER_INPUT on `field`, with a short message that does not echo a long value. */
async function refused(user: TestUser, field: string, query: string, variables?: Record<string, unknown>) {
  const err = await user.client.fails('BAD_USER_INPUT', query, variables);
  expect(err.extensions!.field, JSON.stringify(err)).toBe(field);
  expect(err.message.length).toBeLessThan(300);
  return err;
}

describe('the cases of the issue', () => {
  test('a partner name over 200 characters', async ({ app }) => {
    const w = await world(app);
    const REGISTER = `mutation($i: PartnerInput!) { registerPartner(input: $i) { id } }`;
    const i = { unitId: w.regionId, kind: 'DEPARTMENT', departmentType: 'ECONOMIC' };
    await refused(w.admin, 'name', REGISTER, { i: { ...i, name: '部'.repeat(201) } });
    await w.admin.client.ok(REGISTER, { i: { ...i, name: '部'.repeat(200) } });
  });

  test('the date "0000-01-01", impossible dates and dates outside 2000–2100', async ({ app }) => {
    const w = await world(app);
    const STANDARDS = `query($c: String!, $on: LocalDate) { adminUnit(code: $c) { fundingStandards(on: $on) { officePerVillage } } }`;
    // the LocalDate scalar refuses these before the resolver runs; the error names the argument (field) and the variable
    for (const on of ['0000-01-01', '2025-02-30', '1999-12-31', '2101-01-01', '20250101'])
      expect((await refused(w.admin, 'on', STANDARDS, { c: w.region.code, on })).message).toContain('"$on"');
    await w.admin.client.ok(STANDARDS, { c: w.region.code, on: '2025-02-28' });
    const COMPLAINT = `mutation($v: ID!, $d: LocalDate!) { receiveComplaint(villageId: $v, receivedOn: $d, summary: "x") { id } }`;
    await refused(w.admin, 'receivedOn', COMPLAINT, { v: w.villageId, d: '0000-01-01' });
  });

  test('the search cursor c:1e20, the cases cursor c:abc, and a users cursor that is not one', async ({ app }) => {
    const w = await world(app);
    const SEARCH = `query($c: String!, $a: String) { adminUnit(code: $c) { search(name: "村", after: $a) { edges { node { code } } } } }`;
    await refused(w.admin, 'after', SEARCH, { c: w.region.code, a: cursor('1e20') });
    await refused(w.admin, 'after', SEARCH, { c: w.region.code, a: cursor('-1') });
    await w.admin.client.ok(SEARCH, { c: w.region.code, a: cursor('1') });
    const CASES = `query($c: String!, $a: String) { adminUnit(code: $c) { cases(year: 2025, after: $a) { edges { node { id } } } } }`;
    await refused(w.admin, 'after', CASES, { c: w.region.code, a: cursor('abc') });
    await refused(w.admin, 'after', CASES, { c: w.region.code, a: cursor('99999999999999999999') });
    const USERS = `query($u: ID!, $a: String) { users(unitId: $u, after: $a) { edges { node { username } } } }`;
    // an empty key, a non-canonical encoding and plain garbage all used to give the first page
    for (const a of [cursor(''), `${cursor(w.admin.username)}=`, 'garbage', ''])
      await refused(w.admin, 'after', USERS, { u: w.regionId, a });
    const CHILDREN = `query($c: String!, $a: String) { adminUnit(code: $c) { children(after: $a) { edges { node { code } } } } }`;
    await refused(w.admin, 'after', CHILDREN, { c: w.region.code, a: cursor("x' or 1=1") });
  });

  test('a NUL character sent via GET', async ({ app }) => {
    const w = await world(app);
    const get = async (params: Record<string, string>) => {
      const res = await fetch(`${app.url}?${new URLSearchParams(params)}`, {
        headers: { authorization: `Bearer ${w.admin.client.token}`, 'apollo-require-preflight': 'true' },
      });
      return (await res.json()) as any;
    };
    const inVariables = await get({ query: UNIT, variables: JSON.stringify({ c: `15\u000000` }) });
    expect(inVariables.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'c' });
    const inQuery = await get({ query: `{ adminUnit(code: "15\u0000") { id } }` });
    expect(inQuery.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    const escaped = await get({ query: `{ adminUnit(code: "15\\u0000") { id } }` });
    expect(escaped.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    const fine = await get({ query: UNIT, variables: JSON.stringify({ c: w.region.code }) });
    expect(fine.data.adminUnit.id).toBe(w.regionId);
  });

  test('usernames of about 8 KB, at login and when creating a user', async ({ app }) => {
    const w = await world(app);
    const long = 'a'.repeat(8 * 1024);
    const login = await app.anonymous.fails('BAD_USER_INPUT', `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: long, p: TEST_PASSWORD });
    expect(login.extensions!.field).toBe('username');
    const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`;
    await refused(w.admin, 'username', CREATE, { i: { username: long, displayName: 'x', password: TEST_PASSWORD, unitId: w.regionId, roles: ['INSPECTOR'] } });
  });

  test('working-group names with quotes, backslashes, commas and braces are stored exactly', async ({ app }) => {
    const w = await world(app);
    await w.admin.client.ok(`mutation($v: ID!) { assessVillage(villageId: $v, year: 2025, stars: 3) { category } }`, { v: w.villageId });
    const c = (await w.admin.client.ok(`query($c: String!) { adminUnit(code: $c) { cases(year: 2025) { edges { node { id } } } } }`, { c: w.village.code }))
      .adminUnit.cases.edges[0].node;
    const members = ['张"三', 'D:\\', 'a,b', '{x}', 'NULL', ' 李四 '];
    const r = await w.admin.client.ok(`mutation($id: ID!, $g: [String!]) { updateRectificationCase(id: $id, input: { workingGroup: $g }) { workingGroup } }`, { id: c.id, g: members });
    expect(r.updateRectificationCase.workingGroup).toEqual(['张"三', 'D:\\', 'a,b', '{x}', 'NULL', '李四']);
    await refused(w.admin, 'workingGroup[1]', `mutation($id: ID!, $g: [String!]) { updateRectificationCase(id: $id, input: { workingGroup: $g }) { id } }`, { id: c.id, g: ['甲', '乙'.repeat(101), '丙'] });
  });

  test('an amount that would overflow an account balance', async ({ app }) => {
    const w = await world(app);
    const APPROPRIATE = `mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k, on: "2025-03-01") { amount } }`;
    // the largest amount the API takes, and the one past it
    await w.finance.client.ok(APPROPRIATE, { r: w.regionId, a: '999999999999.99', k: key('max') });
    await refused(w.finance, 'amount', APPROPRIATE, { r: w.regionId, a: '1000000000000.00', k: key('over') });
    await refused(w.finance, 'amount', APPROPRIATE, { r: w.regionId, a: '9999999999999999.99', k: key('over') });
    // a balance already near bigint's end: PostgreSQL's "bigint out of range" is the amount's fault
    await app.asOwner((em) => em.execute(`update account set balance = 9223372036854775000 where unit_id = ? and kind = 'BUDGET' and fund = 'OFFICE'`, [w.region.id]));
    await refused(w.finance, 'amount', APPROPRIATE, { r: w.regionId, a: '100.00', k: key('overflow') });
  });
});

describe('text limits', () => {
  test('megabytes of display name, complaint summary, support note or voucher are refused without being echoed', async ({ app }) => {
    const w = await world(app);
    const mb = '名'.repeat(1024 * 1024);
    const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`;
    await refused(w.admin, 'displayName', CREATE, { i: { username: 'someone', displayName: mb, password: TEST_PASSWORD, unitId: w.regionId, roles: ['INSPECTOR'] } });
    const COMPLAINT = `mutation($v: ID!, $s: String!) { receiveComplaint(villageId: $v, receivedOn: "2025-06-01", summary: $s) { id } }`;
    await refused(w.admin, 'summary', COMPLAINT, { v: w.villageId, s: mb });
    await refused(w.admin, 'summary', COMPLAINT, { v: w.villageId, s: 'x'.repeat(4001) });
    await w.admin.client.ok(COMPLAINT, { v: w.villageId, s: '诉'.repeat(4000) });
    const LOG = `mutation($v: ID!, $n: String) { logSupport(input: { villageId: $v, loggedOn: "2025-06-01", visits: 1, note: $n }) }`;
    // the text limits apply before the resolver: a partner account need not serve the village to be refused
    await refused(await app.user(w.region, ['DEPARTMENT']), 'note', LOG, { v: w.villageId, n: mb });
    const DISBURSE = `mutation($v: ID!, $voucher: String!) { disburseFunds(villageId: $v, fund: OFFICE, year: 2025, amount: "1.00", voucher: $voucher, on: "2025-05-01", idempotencyKey: "abcdefgh-1") { id } }`;
    const finance = await app.user(w.county, ['FINANCE']);
    await refused(finance, 'voucher', DISBURSE, { v: w.villageId, voucher: mb });
    const BATCH = `mutation($items: [DisbursementInput!]!) { disburseFundsBatch(items: $items) { id } }`;
    const item = { villageId: w.villageId, fund: 'OFFICE', year: 2025, amount: '1.00', voucher: 'PZ-1', on: '2025-05-01', idempotencyKey: 'abcdefgh-2' };
    await refused(finance, 'items[1].voucher', BATCH, { items: [item, { ...item, voucher: 'P'.repeat(101), idempotencyKey: 'abcdefgh-3' }] });
  });

  test('a 4-byte character counts as one', async ({ app }) => {
    const w = await world(app);
    const COMPLAINT = `mutation($v: ID!, $s: String!) { receiveComplaint(villageId: $v, receivedOn: "2025-06-01", summary: $s) { summary } }`;
    const s = '𠀀'.repeat(4000); // 8000 UTF-16 units, 4000 characters
    expect((await w.admin.client.ok(COMPLAINT, { v: w.villageId, s })).receiveComplaint.summary).toBe(s);
  });
});

describe('money and dates', () => {
  test('money with whitespace of any kind is refused', async ({ app }) => {
    const w = await world(app);
    const APPROPRIATE = `mutation($r: ID!, $a: Money!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: $a, idempotencyKey: $k, on: "2025-03-01") { amount } }`;
    // GraphQL quotes an invalid variable in its message: a megabyte of it is not sent back
    const huge = await w.finance.client.fails('BAD_USER_INPUT', APPROPRIATE, { r: w.regionId, a: '1'.repeat(1024 * 1024), k: key('ws') });
    expect(huge.extensions!.field).toBe('amount');
    expect(huge.message.length).toBeLessThan(600);
    for (const a of [' 12.00 ', '12.00 ', '\u00a012.00', '12.00\u00a0', '\u300012.00', '12.00\n', '\n12.00', '1 2.00', '12.\u200b00', '+12.00', '012.00', '1e3', '12.001'])
      await refused(w.finance, 'amount', APPROPRIATE, { r: w.regionId, a, k: key('ws') });
    const literal = await w.finance.client.fails('BAD_USER_INPUT', `mutation($r: ID!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: " 12.00", idempotencyKey: "abcdefgh-lit") { amount } }`, { r: w.regionId });
    expect(literal.extensions!.field).toBe('amount');
    expect((await w.finance.client.ok(APPROPRIATE, { r: w.regionId, a: '12.5', k: key('ok') })).appropriateFunds.amount).toBe('12.50');
  });

  test('a 2025 transfer is dated in 2025 or 2026: 9999-12-31, 1900-01-01 and 2027-01-01 are refused', async ({ app }) => {
    const w = await world(app);
    const APPROPRIATE = `mutation($r: ID!, $on: LocalDate!, $k: String!) { appropriateFunds(regionId: $r, fund: OFFICE, year: 2025, amount: "100.00", idempotencyKey: $k, on: $on) { occurredOn } }`;
    // outside 2000–2100 the LocalDate scalar refuses it (naming the variable); outside the fund year the service does
    for (const on of ['9999-12-31', '1900-01-01'])
      expect((await refused(w.finance, 'on', APPROPRIATE, { r: w.regionId, on, k: key('date') })).message).toContain('"$on"');
    for (const on of ['2024-12-31', '2027-01-01'])
      await refused(w.finance, 'on', APPROPRIATE, { r: w.regionId, on, k: key('date') });
    for (const on of ['2025-01-01', '2026-12-31'])
      expect((await w.finance.client.ok(APPROPRIATE, { r: w.regionId, on, k: key('date') })).appropriateFunds.occurredOn).toBe(on);
    const finance = await app.user(w.county, ['FINANCE']);
    const BATCH = `mutation($items: [DisbursementInput!]!) { disburseFundsBatch(items: $items) { id } }`;
    const item = { villageId: w.villageId, fund: 'OFFICE', year: 2025, amount: '1.00', voucher: 'PZ-1', on: '2025-05-01', idempotencyKey: key('b') };
    expect((await refused(finance, 'items[1].on', BATCH, { items: [item, { ...item, on: '9999-12-31', idempotencyKey: key('b') }] })).message).toContain('"items[1].on"');
    await refused(finance, 'items[1].on', BATCH, { items: [item, { ...item, on: '2027-01-01', idempotencyKey: key('b') }] });
  });
});
