import { defineEntity, p } from '@mikro-orm/core';
import { scopeFilter } from '@jiceng/db';
import { DEPARTMENT_TYPES, PARTNER_KINDS } from '../values.js';

// MikroORM entities for the pairing module's tables. The SQL migrations (migrations.ts) are the
// source of truth; these map onto them (tenant keys included) with the `scope` filter.

const tenantKeys = () => ({
  unitId: p.bigint('string'),
  unitPath: p.string().columnType('ltree'),
  countyId: p.bigint('string').nullable(),
});

/** Coverage thresholds set on a unit (from above) from a year on. */
export const PairingStandardEntity = defineEntity({
  name: 'PairingStandard',
  tableName: 'pairing_standard',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    effectiveYear: p.integer(),
    minEnterprises: p.smallint(),
    minRegionEnterprises: p.smallint(),
    minProjects: p.smallint(),
    targetProjects: p.smallint(),
  },
});

/** An enterprise, department, county leader, first secretary or project, registered by a unit. */
export const PartnerEntity = defineEntity({
  name: 'Partner',
  tableName: 'partner',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys(),
    kind: p.enum(PARTNER_KINDS),
    name: p.text(),
    creditCode: p.text().nullable(),
    contact: p.text().nullable(),
    departmentType: p.enum(DEPARTMENT_TYPES).nullable(),
    homeOrg: p.text().nullable(),
    termStart: p.date().nullable(),
    termEnd: p.date().nullable(),
    projectKind: p.text().nullable(),
    budget: p.bigint('bigint').nullable(),
    status: p.text().nullable(),
    createdAt: p.datetime(),
  },
});

/** 结对: a partner with a village for a term [startsOn, endsOn). */
export const PairingEntity = defineEntity({
  name: 'Pairing',
  tableName: 'pairing',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    partnerId: p.bigint('string'),
    ...tenantKeys(),
    startsOn: p.date(),
    endsOn: p.date().nullable(),
    madeBy: p.bigint('string').nullable(),
    arrangedBy: p.bigint('string').nullable(),
    createdAt: p.datetime(),
  },
});

/** The partner a partner user's account speaks for. */
export const PartnerAccountEntity = defineEntity({
  name: 'PartnerAccount',
  tableName: 'partner_account',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    userId: p.bigint('string'),
    partnerId: p.bigint('string'),
    ...tenantKeys(),
  },
});

/** An append-only support log entry; a correction replaces the entry it references. */
export const SupportLogEntity = defineEntity({
  name: 'SupportLog',
  tableName: 'support_log',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    partnerId: p.bigint('string'),
    ...tenantKeys(),
    loggedOn: p.date(),
    visits: p.integer(),
    peoplePlaced: p.integer(),
    materialsValue: p.bigint('bigint'),
    meetings: p.integer(),
    problemsSolved: p.integer(),
    projectsCoordinated: p.integer(),
    note: p.text().nullable(),
    corrects: p.bigint('string').nullable(),
    loggedBy: p.bigint('string').nullable(),
    createdAt: p.datetime(),
  },
});

export const pairingEntities = [PairingStandardEntity, PartnerEntity, PairingEntity, PartnerAccountEntity, SupportLogEntity];
