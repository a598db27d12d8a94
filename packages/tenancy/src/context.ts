import type { EntityManager } from '@jiceng/db';
import type { Logger } from '@jiceng/core';
import DataLoader from 'dataloader';
import type { Principal } from './principal.js';
import type { LoginLimits } from './auth.service.js';
import type { LiveStreams } from './live.js';

/** Everything a resolver sees: the caller, the request's transaction, and per-request loaders. */
export interface JicengContext {
  requestId: string;
  principal: Principal | null;
  em: EntityManager;
  log: Logger;
  clientAddress: string;
  /** One DataLoader per key per request; modules name their loaders `area:what`. */
  loader<K, V>(key: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, options?: DataLoader.Options<K, V, string>): DataLoader<K, V, string>;
  /** secrets and settings the services need (signing key, limits) */
  services: ServiceSettings;
  /**
   * A mutation request that ends in an error is rolled back as a whole. A resolver whose writes must
   * stand even when it fails (a failed login's record, for the throttle) sets this; such a resolver
   * must be the only field of its operation (assertOnlyRootField), so nothing else is kept with it.
   */
  keepWritesOnError?: boolean;
  /** Subscriptions only (over WebSocket): the event streams of this operation (live.ts). */
  live?: LiveStreams;
}

export interface ServiceSettings {
  jwtKey: Uint8Array;
  tokenTtlSeconds: number;
  production: boolean;
  /** reverse proxies whose X-Forwarded-For names the client (addresses or CIDR blocks); none: the socket's peer */
  trustedProxies?: readonly string[];
  /** failed-login throttle (LOGIN_LIMITS when unset) */
  loginLimits?: LoginLimits;
}

export function loaderCache() {
  const loaders = new Map<string, DataLoader<any, any, string>>();
  return function loader<K, V>(key: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, options?: DataLoader.Options<K, V, string>) {
    let l = loaders.get(key);
    if (!l) {
      l = new DataLoader<K, V, string>(batch, { cacheKeyFn: (k) => (typeof k === 'object' ? JSON.stringify(k) : String(k)), ...options });
      loaders.set(key, l);
    }
    return l as DataLoader<K, V, string>;
  };
}

/** Groups rows by a key in the order of `keys`, the shape DataLoader batch functions return. */
export function byKey<K, R>(keys: readonly K[], rows: R[], keyOf: (r: R) => K): R[][] {
  const map = new Map<string, R[]>();
  for (const r of rows) {
    const k = String(keyOf(r));
    (map.get(k) ?? map.set(k, []).get(k)!).push(r);
  }
  return keys.map((k) => map.get(String(k)) ?? []);
}

export function oneByKey<K, R>(keys: readonly K[], rows: R[], keyOf: (r: R) => K): (R | null)[] {
  const map = new Map<string, R>();
  for (const r of rows) map.set(String(keyOf(r)), r);
  return keys.map((k) => map.get(String(k)) ?? null);
}
