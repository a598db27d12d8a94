// Where a request's token comes from (docs/web.md, "Security"): the `Authorization: Bearer` header
// first, else the board's HttpOnly session cookie (POST /session sets it). /graphql, the graphql-ws
// upgrade and any other endpoint that acts for a signed-in person read it here, and only here.
import type { IncomingMessage } from 'node:http';

/** The session cookie's name (HttpOnly, SameSite=Strict, Path=/; Secure in production). */
export const SESSION_COOKIE = 'jiceng_session';

export interface Credentials {
  token: string;
  /** a cookie is sent by the browser on its own: a cross-site request must not be able to use it */
  from: 'bearer' | 'cookie';
}

/** The request's token: the bearer header first, else the session cookie; null when neither is there. */
export function tokenOf(req: IncomingMessage): Credentials | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), from: 'bearer' };
  const cookie = cookieOf(req, SESSION_COOKIE);
  return cookie ? { token: cookie, from: 'cookie' } : null;
}

/** One cookie's value from the Cookie header, or null. */
export function cookieOf(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value || null;
  }
  return null;
}

/**
 * Whether the request comes from a page of this site: its Origin header names the host it was sent to.
 * Browsers send Origin on every WebSocket handshake and on cross-site POSTs; `required` refuses a request
 * without one (the WebSocket upgrade: cross-site WebSocket hijacking with the cookie).
 */
export function sameOrigin(req: IncomingMessage, required: boolean): boolean {
  const origin = req.headers.origin;
  if (!origin) return !required;
  const host = req.headers.host;
  try {
    return !!host && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The Set-Cookie value that stores a session token, or (token null) removes it. */
export function sessionCookie(token: string | null, opts: { maxAgeSeconds: number; secure: boolean }): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) attrs.push('Secure');
  attrs.push(token ? `Max-Age=${opts.maxAgeSeconds}` : 'Max-Age=0');
  return `${SESSION_COOKIE}=${token ?? ''}; ${attrs.join('; ')}`;
}
