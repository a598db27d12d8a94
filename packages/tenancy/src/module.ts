import type { EntitySchema } from '@mikro-orm/core';
import type { ClassType } from 'type-graphql';
import type { EntityManager, Migration, Orm, RollupDisagreement } from '@jiceng/db';

export type { RollupDisagreement } from '@jiceng/db';
import type { Logger } from '@jiceng/core';
import type { RuleMap } from './shield.js';

/** What a bounded context contributes to the service. */
export interface JicengModule {
  name: string;
  entities: EntitySchema<any, any>[];
  resolvers: ClassType[];
  rules: RuleMap;
  migrations: Migration[];
  /** Loads this module's demo data (idempotent); runs as the owner, after earlier modules' seeds. */
  seedDemo?: (seed: SeedContext) => Promise<void>;
  /** Periodic housekeeping the service runs in the background, over the whole tree. */
  maintenance?: MaintenanceTask[];
  /**
   * Verifies this module's rollups (per-unit figures kept on write) against their source rows: every
   * disagreement found, none when consistent. `pnpm rollup:check` runs each module's, scoped to the whole country.
   */
  rollupCheck?: RollupCheck;
}

/** A module's rollup check: runs in a transaction that sees the whole tree. */
export type RollupCheck = (em: EntityManager) => Promise<RollupDisagreement[]>;

export interface MaintenanceTask {
  name: string;
  everyMs: number;
  /** runs in its own transaction, scoped to the whole country; returns what it did, for the log */
  run: (em: EntityManager) => Promise<number>;
}

export interface SeedContext {
  /** an ORM connected as the owner; use inScope(orm, ['cn'], …) so RLS sees the whole country */
  orm: Orm;
  log: Logger;
}
