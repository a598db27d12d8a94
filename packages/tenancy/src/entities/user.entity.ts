import { defineEntity, p } from '@mikro-orm/core';
import { scopeFilter } from '@jiceng/db';

/** An account: a person at a home unit with roles. */
export const UserEntity = defineEntity({
  name: 'AppUser',
  tableName: 'app_user',
  filters: { scope: scopeFilter() },
  properties: {
    id: p.bigint('string').primary(),
    username: p.text(),
    displayName: p.text(),
    passwordHash: p.text().lazy(),
    unitId: p.bigint('string'),
    unitPath: p.string().columnType('ltree').nullable(),
    countyId: p.bigint('string').nullable(),
    roles: p.array(),
    disabled: p.boolean(),
    tokenVersion: p.integer(),
    createdBy: p.bigint('string').nullable(),
    createdAt: p.datetime().nullable(),
    updatedAt: p.datetime().nullable(),
  },
});
export type UserRow = InstanceType<typeof UserEntity.class>;
