// Signing in and out: POST /session sets the HttpOnly session cookie (the page never holds the token),
// DELETE /session revokes it (services/api/src/session.ts).
import { ApiError, closeLive } from './graphql/client.js';

export async function signIn(username: string, password: string): Promise<void> {
  const res = await fetch('/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
  const e = body.errors?.[0];
  if (e) throw new ApiError(e.message, e.extensions?.code ?? 'INTERNAL_SERVER_ERROR', e.extensions?.field, e.extensions ?? {});
  if (!res.ok) throw new ApiError(`服务器错误 (${res.status})`, 'INTERNAL_SERVER_ERROR');
}

export async function signOut(): Promise<void> {
  closeLive();
  await fetch('/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
}
