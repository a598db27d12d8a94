import { SignJWT, jwtVerify } from 'jose';
import { AppError, ErrorCode, badInput, unauthenticated } from '@jiceng/core';
import { SCOPE_FILTER, executeBound, type EntityManager } from '@jiceng/db';
import type { JicengContext, ServiceSettings } from './context.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';
import { DUMMY_HASH, verifyPassword } from './password.js';

/**
 * Failed-login throttle (docs/architecture.md, "Login throttling"): per (account, client address) the
 * first `freeAttempts` failures are free, then each attempt waits `baseDelaySeconds` after the last
 * failure, doubling per further failure up to `maxDelaySeconds`; failures older than `pairWindowSeconds`
 * are forgotten. Softer limits per address (over all accounts) and per account (over all addresses)
 * hold back only addresses the account has not signed in from before (within `knownAddressSeconds`).
 */
export interface LoginLimits {
  freeAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  pairWindowSeconds: number;
  perAddress: number;
  addressWindowSeconds: number;
  perAccount: number;
  accountWindowSeconds: number;
  knownAddressSeconds: number;
}

export const LOGIN_LIMITS: LoginLimits = {
  freeAttempts: 3,
  baseDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  pairWindowSeconds: 24 * 3600,
  perAddress: 100,
  addressWindowSeconds: 15 * 60,
  perAccount: 20,
  accountWindowSeconds: 15 * 60,
  knownAddressSeconds: 90 * 24 * 3600,
};

/** The longest a username can be (app_user's check); longer ones are refused before any hashing. */
export const MAX_USERNAME = 64;
/** Passwords are set at 10 to 200 characters: a longer one is wrong without hashing it. */
const MAX_PASSWORD = 200;

const limitsOf = (ctx: JicengContext) => ctx.services.loginLimits ?? LOGIN_LIMITS;
const keepSeconds = (l: LoginLimits) => Math.max(l.pairWindowSeconds, l.addressWindowSeconds, l.accountWindowSeconds);
// the address column holds at most 100 characters (an IPv6 address with a zone fits)
const addressOf = (ctx: JicengContext) => ctx.clientAddress.slice(0, 100);

/**
 * Refuses an attempt for `username` from the caller's address while the throttle holds it back
 * (TOO_MANY_ATTEMPTS with `retryAfterSeconds`); otherwise takes the account's lock for the request.
 */
export async function assertLoginAllowed(ctx: JicengContext, username: string): Promise<void> {
  const [r] = await ctx.em.execute<{ wait: number }[]>('select jiceng_login_throttle(?, ?, ?::jsonb) as wait', [
    username,
    addressOf(ctx),
    JSON.stringify(limitsOf(ctx)),
  ]);
  const wait = Number(r?.wait ?? 0);
  if (wait > 0) {
    throw new AppError(ErrorCode.TOO_MANY_ATTEMPTS, `too many failed attempts; try again in ${wait} seconds`, { retryAfterSeconds: wait });
  }
}

/**
 * Counts a failed password check against (username, address). The request fails after this, and a
 * failed mutation is rolled back: the resolver must be its operation's only field and keeps its writes.
 */
export async function recordLoginFailure(ctx: JicengContext, username: string): Promise<void> {
  await ctx.em.execute('select jiceng_record_login_failure(?, ?, ?)', [username.slice(0, MAX_USERNAME), addressOf(ctx), keepSeconds(limitsOf(ctx))]);
  ctx.keepWritesOnError = true;
}

export async function signToken(settings: ServiceSettings, userId: string, tokenVersion: number): Promise<string> {
  return new SignJWT({ ver: tokenVersion })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setIssuer('jiceng')
    .setExpirationTime(`${settings.tokenTtlSeconds}s`)
    .sign(settings.jwtKey);
}

interface PrincipalRow {
  id: string;
  username: string;
  display_name: string;
  unit_id: string;
  unit_path: string;
  roles: Role[];
  disabled: boolean;
  token_version: number;
  scopes: string;
  backend_pid: number;
}

/** Tokens whose signature was checked, by key: a signature holds for the token's life, so a repeat costs a lookup. */
const verified = new WeakMap<Uint8Array, Map<string, { sub: string; ver: number; exp: number; nbf: number }>>();
const VERIFIED_MAX = 10_000;

/**
 * The token's subject and version when its signature, issuer and lifetime are valid. The signature check
 * (HMAC through WebCrypto) is remembered per token; its expiry is checked on every use. Whether the account
 * still exists, is enabled and has that token version is the caller's statement, every request.
 */
async function checkSignature(key: Uint8Array, token: string): Promise<{ sub: string; ver: number; exp: number }> {
  let cache = verified.get(key);
  if (!cache) {
    cache = new Map();
    verified.set(key, cache);
  }
  const now = Date.now() / 1000;
  const hit = cache.get(token);
  if (hit && hit.exp > now && hit.nbf <= now) return hit;
  try {
    const { payload } = await jwtVerify(token, key, { issuer: 'jiceng', algorithms: ['HS256'] });
    const entry = { sub: String(payload.sub), ver: Number(payload.ver), exp: payload.exp ?? 0, nbf: payload.nbf ?? 0 };
    if (entry.exp) {
      if (cache.size >= VERIFIED_MAX) cache.delete(cache.keys().next().value!);
      cache.set(token, entry);
    }
    return entry;
  } catch {
    cache.delete(token);
    throw unauthenticated('invalid or expired token');
  }
}

/**
 * Checks a bearer token and, in the same statement, sets the request's scope: the account is
 * read fresh on every request, so disabling it or bumping its token version takes effect at once.
 */
export async function authenticate(em: EntityManager, settings: ServiceSettings, token: string, onBackend?: (pid: number) => void): Promise<Principal> {
  const { sub, ver } = await checkSignature(settings.jwtKey, token);
  if (!/^\d{1,18}$/.test(sub)) throw unauthenticated('invalid token');
  const rows = await em.execute<PrincipalRow[]>(
    `select p.*, p.scopes::text as scopes, set_config('app.scopes', case when p.disabled then '' else nullif(p.scopes::text, '{}') end, true),
            pg_backend_pid() as backend_pid
       from jiceng_principal(?) p`,
    [sub],
  );
  const row = rows[0];
  if (row) onBackend?.(Number(row.backend_pid));
  if (!row || row.disabled || row.token_version !== ver) {
    await em.execute(`select set_config('app.scopes', '', true)`);
    throw unauthenticated('invalid or expired token');
  }
  const principal = principalOf(row);
  em.setFilterParams(SCOPE_FILTER, { paths: principal.scopes });
  return principal;
}

function principalOf(row: PrincipalRow): Principal {
  return {
    userId: String(row.id),
    username: row.username,
    displayName: row.display_name,
    unitId: String(row.unit_id),
    unitPath: row.unit_path,
    roles: row.roles,
    scopes: row.scopes.replace(/^\{|\}$/g, '').split(',').filter(Boolean),
  };
}

/** What a token says: its account and version, and when it expires (seconds since the epoch). */
export async function verifyToken(settings: ServiceSettings, token: string): Promise<{ userId: string; version: number; expiresAt: number }> {
  const { sub, ver, exp } = await checkSignature(settings.jwtKey, token);
  if (!/^\d{1,18}$/.test(sub)) throw unauthenticated('invalid or expired token');
  return { userId: sub, version: ver, expiresAt: exp || Infinity };
}

/**
 * Re-reads many accounts in one statement (long-lived sessions: subscriptions): the principal of each
 * account still enabled at that token version, or null (disabled, version bumped, gone).
 */
export async function readPrincipals(em: EntityManager, accounts: readonly { userId: string; version: number }[]): Promise<Map<string, Principal | null>> {
  const ids = [...new Set(accounts.map((a) => a.userId))];
  const rows = ids.length
    ? await executeBound<PrincipalRow>(em, `select p.*, p.scopes::text as scopes from unnest($1::bigint[]) u(id) cross join lateral jiceng_principal(u.id) p`, [ids])
    : [];
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const out = new Map<string, Principal | null>();
  for (const a of accounts) {
    const row = byId.get(a.userId);
    out.set(`${a.userId}:${a.version}`, !row || row.disabled || row.token_version !== a.version ? null : principalOf(row));
  }
  return out;
}

/** Verifies a password and returns a token. Every failure looks the same to the caller. */
export async function login(ctx: JicengContext, username: string, password: string): Promise<{ token: string; userId: string }> {
  if (!username) throw badInput('username', 'required');
  if (!password) throw badInput('password', 'required');
  const name = username.toLowerCase();
  if (name.length > MAX_USERNAME) {
    // no such account can exist: refused before any lookup or hashing, and counted against the address
    await recordLoginFailure(ctx, name);
    throw badInput('username', `at most ${MAX_USERNAME} characters`);
  }
  await assertLoginAllowed(ctx, name);
  const [user] = await ctx.em.execute<{ id: string; password_hash: string; disabled: boolean; token_version: number }[]>(
    'select * from jiceng_login_candidate(?)',
    [name],
  );
  const ok = password.length <= MAX_PASSWORD && (await verifyPassword(password, user?.password_hash ?? DUMMY_HASH));
  if (!user || !ok || user.disabled) {
    await recordLoginFailure(ctx, name);
    ctx.log.warn('login failed', { username: name, address: ctx.clientAddress });
    throw unauthenticated('wrong username or password');
  }
  await ctx.em.execute('select jiceng_login_succeeded(?, ?)', [name, addressOf(ctx)]);
  return { token: await signToken(ctx.services, String(user.id), user.token_version), userId: String(user.id) };
}

/**
 * Signing out (DELETE /session): the token's account moves to a new token version, so this token and
 * every other issued before it are refused from now on (open subscriptions close within LIVE_RECHECK_MS).
 * Only a valid token can do it: its signature is checked, and the version must still be its own.
 */
export async function endSessions(em: EntityManager, settings: ServiceSettings, token: string): Promise<void> {
  const { userId, version } = await verifyToken(settings, token);
  await em.execute('select jiceng_end_sessions(?, ?)', [userId, version]);
}
