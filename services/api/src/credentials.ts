import type { IncomingMessage } from 'node:http';

/** The bearer token of a request (Authorization: Bearer …), or null. The web board adds its session cookie here. */
export function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Bearer ')) return null;
  return auth.slice(7).trim() || null;
}
