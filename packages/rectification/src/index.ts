import 'reflect-metadata';
import type { JicengModule } from '@jiceng/tenancy';
import { rectificationMigrations } from './migrations.js';

export { rectificationMigrations };

export const rectificationModule: JicengModule = {
  name: 'rectification',
  entities: [],
  resolvers: [],
  rules: {},
  migrations: rectificationMigrations,
};
