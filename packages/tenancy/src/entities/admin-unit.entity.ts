import { defineEntity, p } from '@mikro-orm/core';
import { scopeFilter } from '@jiceng/db';

export const ADMIN_LEVELS = ['COUNTRY', 'REGION', 'COUNTY', 'TOWNSHIP', 'VILLAGE'] as const;
/** The root of the tree (migration 0150): the whole country, the unit at the national scope `cn`. */
export const COUNTRY_CODE = '000000000000';
export const COUNTRY_PATH = 'cn';
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

/** A node of the administrative tree: the country (its root), region, county, township (乡镇/苏木) or village (村/嘎查/社区). */
export const AdminUnitEntity = defineEntity({
  name: 'AdminUnit',
  tableName: 'admin_unit',
  filters: { scope: scopeFilter('path') },
  properties: {
    id: p.bigint('string').primary(),
    code: p.string().columnType('char(12)'),
    name: p.text(),
    level: p.enum(ADMIN_LEVELS),
    parentId: p.bigint('string').nullable(),
    path: p.string().columnType('ltree'),
    countyId: p.bigint('string').nullable(),
    population: p.integer().nullable(),
    households: p.integer().nullable(),
    partyMembers: p.integer().nullable(),
    economy: p.enum(['FARMING', 'PASTORAL'] as const).nullable(),
    urban: p.boolean(),
    /** descendants per level, kept by triggers (see migration 0102) */
    descendantCounts: p.json<Partial<Record<AdminLevel, number>>>(),
  },
});
export type AdminUnitRow = InstanceType<typeof AdminUnitEntity.class>;
