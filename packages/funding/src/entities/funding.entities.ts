import { defineEntity, p } from '@mikro-orm/core';
import { scopeFilter } from '@jiceng/db';
import { ACCOUNT_KINDS, FUNDS, STANDARD_KEYS, TRANSFER_KINDS } from '../enums.js';

// The funding tables as MikroORM entities. The SQL migrations (migrations.ts) are the source of truth:
// these map onto them for reads; the ledger is written only by jiceng_post_transfer (funding.store.ts).

const tenantKeys = () => ({
  unitId: p.bigint('string'),
  unitPath: p.string().columnType('ltree'),
  countyId: p.bigint('string').nullable(),
});

/** A funding standard set on a unit from a date on (configuration: readable below the unit too). */
export const FundingStandardEntity = defineEntity({
  name: 'FundingStandard',
  tableName: 'funding_standard',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    key: p.enum(STANDARD_KEYS),
    effectiveOn: p.string().columnType('date'),
    value: p.bigint('bigint'),
  },
});

/** One account per unit, fund, year and kind; its balance is the sum of its entries. */
export const AccountEntity = defineEntity({
  name: 'FundAccount',
  tableName: 'account',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    fund: p.enum(FUNDS),
    year: p.integer(),
    kind: p.enum(ACCOUNT_KINDS),
    balance: p.bigint('bigint'),
  },
});

/** A transfer: debits one account, credits another (append-only; hangs on the deeper unit). */
export const TransferEntity = defineEntity({
  name: 'FundTransfer',
  tableName: 'transfer',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    idempotencyKey: p.text(),
    requestHash: p.text().lazy(),
    kind: p.enum(TRANSFER_KINDS),
    debitAccount: p.bigint('string'),
    creditAccount: p.bigint('string'),
    debitPath: p.string().columnType('ltree'),
    creditPath: p.string().columnType('ltree'),
    amount: p.bigint('bigint'),
    fund: p.enum(FUNDS),
    year: p.integer(),
    ...tenantKeys(),
    occurredOn: p.string().columnType('date'),
    voucher: p.text().nullable(),
    category: p.text().nullable(),
    receipt: p.text().nullable(),
    note: p.text().nullable(),
    reverses: p.bigint('string').nullable(),
    createdBy: p.bigint('string').nullable(),
    createdAt: p.datetime(),
  },
});

/** One side of a transfer on one account (append-only). */
export const EntryEntity = defineEntity({
  name: 'FundEntry',
  tableName: 'entry',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    transferId: p.bigint('string'),
    accountId: p.bigint('string'),
    amount: p.bigint('bigint'),
    ...tenantKeys(),
  },
});

const rollupProperties = () => ({
  id: p.bigint('string').primary(),
  unitPath: p.string().columnType('ltree'),
  countyId: p.bigint('string').nullable(),
  fund: p.enum(FUNDS),
  year: p.integer(),
  kind: p.enum(ACCOUNT_KINDS),
  amount: p.bigint('bigint'),
});

/** Balances per rollup unit (county, or region outside counties), fund, year and account kind. */
export const FundRollupEntity = defineEntity({
  name: 'FundRollup',
  tableName: 'fund_rollup',
  filters: { scope: scopeFilter() },
  properties: rollupProperties(),
});

/** Pending deltas of the rollup, folded in by the compaction task. */
export const FundRollupDeltaEntity = defineEntity({
  name: 'FundRollupDelta',
  tableName: 'fund_rollup_delta',
  filters: { scope: scopeFilter() },
  properties: rollupProperties(),
});

/** The award register: one standing award per village (released by a reversal). */
export const AwardGrantEntity = defineEntity({
  name: 'AwardGrant',
  tableName: 'award_grant',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    transferId: p.bigint('string'),
    releasedBy: p.bigint('string').nullable(),
  },
});

/** The voucher register: a voucher is used once per issuing county and year (released by a reversal). */
export const VoucherUseEntity = defineEntity({
  name: 'VoucherUse',
  tableName: 'voucher_use',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    issuer: p.text(),
    year: p.integer(),
    voucher: p.text(),
    transferId: p.bigint('string'),
    releasedBy: p.bigint('string').nullable(),
  },
});

export const fundingEntities = [
  FundingStandardEntity, AccountEntity, TransferEntity, EntryEntity, FundRollupEntity, FundRollupDeltaEntity, AwardGrantEntity, VoucherUseEntity,
];
