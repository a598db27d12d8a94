import 'reflect-metadata';
import type { JicengModule } from '@jiceng/tenancy';

export const pairingModule: JicengModule = {
  name: 'pairing',
  entities: [],
  resolvers: [],
  rules: {},
  migrations: [],
};
