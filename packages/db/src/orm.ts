import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { raw, type EntitySchema, type Dictionary } from '@mikro-orm/core';
import type { Pool } from 'pg';
import { foldBeginIntoFirstStatement } from './begin-fold.js';
import { timeZoneOption } from './time-zone.js';

export type Orm = MikroORM;
export type { EntityManager } from '@mikro-orm/postgresql';

/** Every tenant-owned entity carries this filter; the request sets its scope paths. */
export const SCOPE_FILTER = 'scope';

/** The MikroORM half of tenancy: adds `unit_path <@ any(scopes)` to every read of a scoped entity. */
export function scopeFilter(column = 'unit_path') {
  return {
    name: SCOPE_FILTER,
    default: true,
    args: true,
    cond: (args: Dictionary) => ({
      [raw((alias: string) => `${alias}.${column} <@ any (?::ltree[])`, [scopeLiteral(args.paths ?? []) || '{}'])]: [],
    }),
  };
}

export function scopeLiteral(paths: readonly string[]): string {
  for (const p of paths) if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(p)) throw new Error(`bad scope path ${p}`);
  return paths.length ? `{${paths.join(',')}}` : '';
}

/** Timeouts every connection of a pool starts its sessions with (a transaction may still set its own). */
export interface SessionTimeouts {
  statementMs: number;
  idleInTransactionMs: number;
}
const sessionTimeouts = new WeakMap<object, SessionTimeouts>();
/** The timeouts createOrm gave the pool's sessions, if any. */
export const sessionTimeoutsOf = (orm: Orm): SessionTimeouts | undefined => sessionTimeouts.get(orm);

export async function createOrm(opts: {
  url: string;
  entities: EntitySchema<any, any>[];
  poolMax?: number;
  debug?: boolean;
  logger?: (m: string) => void;
  /** session defaults for every connection (sent at connect): a request with these limits needs no statement to set them */
  sessionTimeouts?: SessionTimeouts;
  /** the sessions' TimeZone; JICENG_TIME_ZONE (default Asia/Shanghai) when not given */
  timeZone?: string;
}): Promise<Orm> {
  const config: Options = {
    clientUrl: opts.url,
    // node-postgres sends these in each connection's startup message
    driverOptions: {
      options: timeZoneOption(opts.timeZone),
      ...(opts.sessionTimeouts
        ? { statement_timeout: Math.trunc(opts.sessionTimeouts.statementMs), idle_in_transaction_session_timeout: Math.trunc(opts.sessionTimeouts.idleInTransactionMs) }
        : {}),
      // a transaction's BEGIN travels with its first statement (begin-fold.ts)
      onPoolCreated: (pool: Pool) => foldBeginIntoFirstStatement(pool),
    },
    entities: opts.entities,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    allowGlobalContext: false,
    debug: opts.debug ? ['query', 'query-params'] : false,
    logger: opts.logger,
    // a fork per request; transactions are opened explicitly
    implicitTransactions: false,
  };
  const orm = await MikroORM.init(config);
  if (opts.sessionTimeouts) sessionTimeouts.set(orm, { ...opts.sessionTimeouts });
  return orm;
}
