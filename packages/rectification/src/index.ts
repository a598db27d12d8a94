import 'reflect-metadata';
import type { JicengModule } from '@jiceng/tenancy';

export const rectificationModule: JicengModule = {
  name: 'rectification',
  entities: [],
  resolvers: [],
  rules: {},
  migrations: [],
};
