// The web board (packages/web, docs/web.md) on the API's own port: its built files from packages/web/dist
// at `/` (hashed assets cached for a year, index.html revalidated every time), the page for every client
// route (a browser asking for HTML), and the sign-in endpoint /session. Every answer carries the security
// headers: a Content-Security-Policy with no inline scripts, no framing, no plugins.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { handleSession, type SessionDeps } from './session.js';

/** packages/web/dist, from services/api/src (tests) as from services/api/dist (`pnpm start`) */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../packages/web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's policy. Scripts only from this origin (no inline script, no eval); styles from this origin
 * and inline, because Mantine writes its CSS variables into a <style> element at run time and ECharts
 * sets style attributes; connections to this origin only (fetch, and the graphql-ws socket: ws/wss of the
 * same host, which older browsers do not count as 'self').
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && /^[a-z0-9.\-:[\]]+$/i.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

function securityHeaders(req: IncomingMessage, res: ServerResponse) {
  res.setHeader('content-security-policy', contentSecurityPolicy(req.headers.host));
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('x-frame-options', 'DENY');
}

interface StaticFile {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
  type: string;
}

/** Files read once and kept (the build is small), again when the file on disk changes. */
const files = new Map<string, StaticFile | null>();

function load(path: string): StaticFile | null {
  let mtimeMs: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    mtimeMs = st.mtimeMs;
  } catch {
    return null;
  }
  const cached = files.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached;
  const body = readFileSync(path);
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
  const file = {
    mtimeMs,
    body,
    gzip: compressible ? gzipSync(body, { level: 9 }) : null,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    type,
  };
  files.set(path, file);
  return file;
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: StaticFile, cacheControl: string) {
  res.setHeader('content-type', file.type);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('etag', file.etag);
  res.setHeader('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === file.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip! : file.body;
  if (gzip) res.setHeader('content-encoding', 'gzip');
  res.setHeader('content-length', body.length);
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Paths the server answers itself: never the page. */
const API_PATHS = ['/graphql', '/healthz', '/readyz', '/session', '/export'];

/**
 * Serves what belongs to the web board; false when the request is not the board's (the caller answers 404).
 * `dir` is the build (packages/web/dist); without a build only /session is served.
 */
export async function serveWeb(req: IncomingMessage, res: ServerResponse, path: string, deps: SessionDeps & { dir?: string }): Promise<boolean> {
  if (path === '/session') {
    securityHeaders(req, res);
    await handleSession(req, res, deps);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const dir = deps.dir ?? DEFAULT_WEB_DIR;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  // a file of the build: hashed names under /assets never change, so they are cached for good
  const target = normalize(join(dir, decoded));
  if (decoded !== '/' && target.startsWith(dir.endsWith(sep) ? dir : dir + sep) && !decoded.includes('\0')) {
    const file = load(target);
    if (file) {
      securityHeaders(req, res);
      sendFile(req, res, file, decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
  }
  // a client route (/, /login, /board/…): the page, for a browser asking for HTML
  if (decoded.startsWith('/assets/') || API_PATHS.some((p) => decoded === p || decoded.startsWith(`${p}/`))) return false;
  if (!String(req.headers.accept ?? '').includes('text/html')) return false;
  const index = load(join(dir, 'index.html'));
  if (!index) return false;
  securityHeaders(req, res);
  sendFile(req, res, index, 'no-cache');
  return true;
}
