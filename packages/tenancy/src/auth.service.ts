import { SignJWT, jwtVerify } from 'jose';
import { AppError, ErrorCode, badInput, unauthenticated } from '@jiceng/core';
import { SCOPE_FILTER, type EntityManager } from '@jiceng/db';
import type { JicengContext, ServiceSettings } from './context.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';
import { DUMMY_HASH, verifyPassword } from './password.js';

// Failed-login limits over a sliding window, per account and per client address.
export const LOGIN_LIMITS = { windowMinutes: 15, perAccount: 5, perAddress: 30 };

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
}

/**
 * Checks a bearer token and, in the same statement, sets the request's scope: the account is
 * read fresh on every request, so disabling it or bumping its token version takes effect at once.
 */
export async function authenticate(em: EntityManager, settings: ServiceSettings, token: string): Promise<Principal> {
  let sub: string;
  let ver: number;
  try {
    const { payload } = await jwtVerify(token, settings.jwtKey, { issuer: 'jiceng', algorithms: ['HS256'] });
    sub = String(payload.sub);
    ver = Number(payload.ver);
  } catch {
    throw unauthenticated('invalid or expired token');
  }
  if (!/^\d{1,18}$/.test(sub)) throw unauthenticated('invalid token');
  const rows = await em.execute<PrincipalRow[]>(
    `select p.*, p.scopes::text as scopes, set_config('app.scopes', case when p.disabled then '' else nullif(p.scopes::text, '{}') end, true)
       from jiceng_principal(?) p`,
    [sub],
  );
  const row = rows[0];
  if (!row || row.disabled || row.token_version !== ver) {
    await em.execute(`select set_config('app.scopes', '', true)`);
    throw unauthenticated('invalid or expired token');
  }
  const scopes = row.scopes.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  em.setFilterParams(SCOPE_FILTER, { paths: scopes });
  return {
    userId: String(row.id),
    username: row.username,
    displayName: row.display_name,
    unitId: String(row.unit_id),
    unitPath: row.unit_path,
    roles: row.roles,
    scopes,
  };
}

async function recentFailures(em: EntityManager, key: string): Promise<number> {
  const [r] = await em.execute<{ n: string }[]>(
    `select count(*) as n from login_failure where key = ? and at > now() - make_interval(mins => ?)`,
    [key, LOGIN_LIMITS.windowMinutes],
  );
  return Number(r?.n ?? 0);
}

/** Verifies a password and returns a token. Every failure looks the same to the caller. */
export async function login(ctx: JicengContext, username: string, password: string): Promise<{ token: string; userId: string }> {
  if (!username) throw badInput('username', 'required');
  if (!password) throw badInput('password', 'required');
  const accountKey = `user:${username.toLowerCase()}`;
  const addressKey = `addr:${ctx.clientAddress}`;
  // guesses arriving at once are counted one after another (account first, then address: no deadlock)
  await ctx.em.execute('select pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))', [accountKey, addressKey]);
  if ((await recentFailures(ctx.em, accountKey)) >= LOGIN_LIMITS.perAccount || (await recentFailures(ctx.em, addressKey)) >= LOGIN_LIMITS.perAddress) {
    throw new AppError(ErrorCode.TOO_MANY_ATTEMPTS, `too many failed logins; try again in ${LOGIN_LIMITS.windowMinutes} minutes`);
  }
  const [user] = await ctx.em.execute<{ id: string; password_hash: string; disabled: boolean; token_version: number }[]>(
    'select * from jiceng_login_candidate(?)',
    [username.toLowerCase()],
  );
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) {
    await ctx.em.execute('insert into login_failure (key) values (?), (?)', [accountKey, addressKey]);
    ctx.keepWritesOnError = true; // the failure counts even though the request fails
    ctx.log.warn('login failed', { username });
    throw unauthenticated('wrong username or password');
  }
  await ctx.em.execute('delete from login_failure where key = ?', [accountKey]);
  return { token: await signToken(ctx.services, String(user.id), user.token_version), userId: String(user.id) };
}
