import 'reflect-metadata';
import type { JicengModule } from '@jiceng/tenancy';

export const fundingModule: JicengModule = {
  name: 'funding',
  entities: [],
  resolvers: [],
  rules: {},
  migrations: [],
};
