import type { IncomingMessage } from 'node:http';

/**
 * The credential of an HTTP request, the one place every route reads it (/graphql, /export/…): today the
 * bearer token of the Authorization header (`Bearer <token>`); null when there is none. Another way to
 * carry the same token (a session cookie) is added here.
 */
export function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
}
