// The board's sign-in (docs/web.md): POST /session {username, password} runs the `login` mutation (its
// throttle, its failure records, its errors, exactly as over /graphql) and puts the token in an HttpOnly
// session cookie instead of the page; DELETE /session ends it: the account's token version moves on, so
// the token is refused everywhere from then on (every session of the account ends, like a password change).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode } from '@jiceng/core';
import { beginRequest, endRequest, type Orm } from '@jiceng/db';
import { endSessions, type ServiceSettings } from '@jiceng/tenancy';
import { sameOrigin, sessionCookie, tokenOf } from './credentials.js';

export interface SessionDeps {
  orm: Orm;
  settings: ServiceSettings;
  /** runs one GraphQL operation as /graphql would, without the request's own credentials */
  execute(query: string, variables: Record<string, unknown>): Promise<{ data?: Record<string, unknown> | null; errors?: readonly unknown[] }>;
  /** reads the request body (null: over the limit) */
  readBody(): Promise<string | null>;
}

const LOGIN = `mutation($username: String!, $password: String!) { login(username: $username, password: $password) { token user { id username displayName } } }`;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
};
const refuse = (res: ServerResponse, status: number, code: string, message: string, field?: string) =>
  json(res, status, { errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] });

export async function handleSession(req: IncomingMessage, res: ServerResponse, deps: SessionDeps): Promise<void> {
  // a cross-site page must not sign someone in or out (the cookie is SameSite=Strict besides)
  if (!sameOrigin(req, false)) return refuse(res, 403, ErrorCode.FORBIDDEN, 'cross-site request refused');
  const cookieOpts = { maxAgeSeconds: deps.settings.tokenTtlSeconds, secure: deps.settings.production };
  if (req.method === 'POST') {
    // JSON only: a plain HTML form cannot send it without a preflight
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return refuse(res, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'a POST body must be application/json');
    const text = await deps.readBody();
    if (text === null) return refuse(res, 413, ErrorCode.PAYLOAD_TOO_LARGE, 'the request body is too large');
    let body: { username?: unknown; password?: unknown };
    try {
      body = JSON.parse(text || '{}');
    } catch {
      return refuse(res, 400, ErrorCode.BAD_USER_INPUT, 'request body is not JSON');
    }
    if (typeof body.username !== 'string') return refuse(res, 200, ErrorCode.BAD_USER_INPUT, 'username: required', 'username');
    if (typeof body.password !== 'string') return refuse(res, 200, ErrorCode.BAD_USER_INPUT, 'password: required', 'password');
    const r = await deps.execute(LOGIN, { username: body.username, password: body.password });
    const login = (r.data as { login?: { token: string; user: unknown } } | null | undefined)?.login;
    if (r.errors?.length || !login) return json(res, 200, { errors: r.errors ?? [] });
    res.setHeader('set-cookie', sessionCookie(login.token, cookieOpts));
    return json(res, 200, { data: { user: login.user } });
  }
  if (req.method === 'DELETE') {
    const credentials = tokenOf(req);
    if (credentials) {
      const em = await beginRequest(deps.orm);
      try {
        await endSessions(em, deps.settings, credentials.token);
        await endRequest(em, true);
      } catch (e) {
        await endRequest(em, false).catch(() => undefined);
        // a token already refused has nothing left to end; anything else is the caller's 500
        if (!(e instanceof AppError && e.code === ErrorCode.UNAUTHENTICATED)) throw e;
      }
    }
    res.setHeader('set-cookie', sessionCookie(null, cookieOpts));
    return json(res, 200, { data: { signedOut: true } });
  }
  res.setHeader('allow', 'POST, DELETE');
  return refuse(res, 405, ErrorCode.BAD_USER_INPUT, 'use POST to sign in and DELETE to sign out', 'method');
}
