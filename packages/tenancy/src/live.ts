import { AppError, ErrorCode, notFound } from '@jiceng/core';
import type { JicengContext } from './context.js';
import { assertCan } from './principal.js';
import { unitLoader } from './loaders.js';
import { requirePrincipal } from './graphql/principal.js';
import { unitDbId } from './graphql/admin-unit.resolver.js';

/**
 * Live events (docs/architecture.md, "Live"): a module announces a change with
 * `select pg_notify('<channel>', '<json>')` in the transaction that made it (delivered on commit, to
 * every API instance), the JSON carrying at least the ltree `path` of the unit it concerns. A
 * subscription resolver turns a channel into a stream with `subtreeEvents`.
 */
export interface LiveEvent {
  /** the ltree path of the unit the event concerns: who may see it is decided on it */
  path: string;
}

/** What the transport gives a subscription operation (services/api/src/live.ts). */
export interface LiveStreams {
  /**
   * The events on `channel` whose path lies in the subtree `under` and, at the time of each event,
   * inside the subscriber's (re-read) scope. While a yielded event resolves, ctx.em is a transaction
   * under the subscriber's scope and ctx.loader a fresh loader cache.
   */
  subscribe<T extends LiveEvent>(channel: string, under: string, parse: (payload: unknown) => T | null): Promise<AsyncIterable<T>>;
}

/**
 * The `subscribe` of a subtree subscription: the caller may do `action`, the unit (an AdminUnit id) is in
 * their scope (else NOT_FOUND, like everywhere), then the channel's events under it.
 */
export async function subtreeEvents<T extends LiveEvent>(
  ctx: JicengContext,
  channel: string,
  unitId: string,
  parse: (payload: unknown) => T | null,
  action = 'unit:read',
): Promise<AsyncIterable<T>> {
  const principal = requirePrincipal(ctx);
  const unit = await unitLoader(ctx).load(unitDbId(unitId, 'unitId'));
  if (!unit) throw notFound('unit');
  assertCan(principal, action, { path: unit.path, what: 'unit' });
  if (!ctx.live) throw new AppError(ErrorCode.BAD_USER_INPUT, 'subscriptions are served over WebSocket (graphql-ws) on /graphql', { field: 'query' });
  return ctx.live.subscribe(channel, unit.path, parse);
}
