// The funding module's closed value lists, declared once. The GraphQL enums are registered from these
// (graphql/funding.types.ts) and a test compares each with its SQL check constraint (test/enums.int.test.ts).

/** The funds (DOMAIN.md §5): each has its own accounts and transfers. */
/** REPORTER_SUBSIDY: the reporters' (信息员) monthly subsidy of dynamic management 110 (seed 002), paid by
 * county finance through the warning module (0460). */
export const FUNDS = ['OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD', 'REPORTER_SUBSIDY'] as const;
export type Fund = (typeof FUNDS)[number];

/** What a transfer does: money enters (APPROPRIATE), moves down (ALLOCATE), is paid (DISBURSE), spent (SPEND) or awarded (AWARD). */
export const TRANSFER_KINDS = ['APPROPRIATE', 'ALLOCATE', 'DISBURSE', 'SPEND', 'AWARD'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/**
 * SOURCE: where appropriations come from (may go negative); BUDGET: allocated, not yet paid; CASH: paid
 * to the village (kept by the township, 村财乡管); SPENT: what the village spent; POOL: an award pool.
 */
export const ACCOUNT_KINDS = ['SOURCE', 'BUDGET', 'CASH', 'SPENT', 'POOL'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** The keys of the funding standards (money in fen, venues in m²). */
export const STANDARD_KEYS = ['OFFICE', 'ACTIVITY_PER_MEMBER', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD', 'VENUE_FARMING_M2', 'VENUE_PASTORAL_M2'] as const;
export type StandardKey = (typeof STANDARD_KEYS)[number];

/** `{ OFFICE: 'OFFICE', … }`, the shape type-graphql's registerEnumType takes. */
export const enumObject = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
