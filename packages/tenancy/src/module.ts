import type { EntitySchema } from '@mikro-orm/core';
import type { Migration, Orm } from '@jiceng/db';
import type { Logger } from '@jiceng/core';
import type { RuleMap } from './shield.js';

/** What a bounded context contributes to the service. */
export interface JicengModule {
  name: string;
  entities: EntitySchema<any, any>[];
  resolvers: Function[];
  rules: RuleMap;
  migrations: Migration[];
  /** Loads this module's demo data (idempotent); runs as the owner, after earlier modules' seeds. */
  seedDemo?: (seed: SeedContext) => Promise<void>;
}

export interface SeedContext {
  /** an ORM connected as the owner; use inScope(orm, ['cn'], …) so RLS sees the whole country */
  orm: Orm;
  log: Logger;
}
