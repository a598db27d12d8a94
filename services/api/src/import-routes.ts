import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode, fromGlobalId, type Logger } from '@jiceng/core';
import { beginRequest, endRequest, inScope, type Orm } from '@jiceng/db';
import { authenticate, verifyToken, type Principal, type ServiceSettings } from '@jiceng/tenancy';
import {
  DEFAULT_IMPORT_LIMITS, IMPORT_KINDS, createJob, fileTypeOf, jobOut, readJob, runJob, templateCsv, templateXlsx,
  type ImportKind, type ImportLimits,
} from '@jiceng/sheets';
import { sameOrigin, tokenOf } from './credentials.js';
import { readBodyBytes } from './body.js';

// Spreadsheet imports over HTTP (docs/sheets.md): POST /import/<kind> takes the file as the body and
// answers a job at once (202), or with ?wait=1 once the job has ended (small files); GET /import/jobs/<id>
// reports a job; GET /export/template/<kind>.xlsx|.csv serves the templates.

export interface ImportRoutes {
  /** the limits in force (tests lower them) */
  limits: ImportLimits;
  /** jobs running in this process (shutdown waits for them) */
  running: Set<Promise<void>>;
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

export function importRoutes(opts: { orm: Orm; settings: ServiceSettings; log: Logger; limits?: Partial<ImportLimits> }): ImportRoutes {
  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...opts.limits };
  const running = new Set<Promise<void>>();

  async function principalOf(req: IncomingMessage): Promise<{ principal: Principal; version: number }> {
    const credentials = tokenOf(req);
    if (!credentials) throw new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required');
    // the board's cookie travels on its own: a write with it must come from a page of this site
    if (credentials.from === 'cookie' && req.method !== 'GET' && !sameOrigin(req, true)) throw new AppError(ErrorCode.FORBIDDEN, 'a cross-site request cannot use the session cookie');
    const token = credentials.token;
    const em = await beginRequest(opts.orm);
    try {
      const principal = await authenticate(em, opts.settings, token);
      return { principal, version: (await verifyToken(opts.settings, token)).version };
    } finally {
      await endRequest(em, true).catch(() => undefined);
    }
  }

  const tooLarge = () => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `文件超过大小上限 ${limits.maxBytes} 字节 (the file is larger than the limit of ${limits.maxBytes} bytes)`, { limit: 'maxBytes', max: limits.maxBytes });

  async function post(req: IncomingMessage, res: ServerResponse, kind: ImportKind, url: URL) {
    const type = fileTypeOf(req.headers['content-type']);
    if (!type) {
      return send(res, 415, { error: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'the body must be an XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) or CSV (text/csv) file' } });
    }
    // refused at once on the declared size, before authentication reads anything
    if (Number(req.headers['content-length'] ?? 0) > limits.maxBytes) {
      res.setHeader('connection', 'close');
      return sendError(res, tooLarge());
    }
    const { principal, version } = await principalOf(req);
    // a signed-in account with nothing in its scope (a partner whose pairings have all ended) has no village to import for
    if (!principal.scopes.length) throw new AppError(ErrorCode.FORBIDDEN, 'your account has no unit or village in its scope to import for');
    let year: number | undefined;
    if (kind === 'support') {
      year = Number(url.searchParams.get('year'));
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError(ErrorCode.BAD_USER_INPUT, 'year: the support import needs ?year=<2000–2100> (every date must lie in it)', { field: 'year' });
    }
    const data = await readBodyBytes(req, limits.maxBytes);
    if (data === null) {
      res.setHeader('connection', 'close');
      return sendError(res, tooLarge());
    }
    const fileName = url.searchParams.get('name');
    const job = await createJob(opts.orm, principal, { kind, fileName });
    const run = runJob({ orm: opts.orm, log: opts.log, limits }, { id: job.id, userId: principal.userId, scopes: principal.scopes, tokenVersion: version }, { kind, fileName, type, data, year });
    running.add(run);
    void run.finally(() => running.delete(run));
    if (url.searchParams.get('wait') === '1') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run, new Promise((ok) => { timer = setTimeout(ok, limits.waitMs); })]);
      clearTimeout(timer);
      return sendJob(res, principal, job.id, 200);
    }
    return send(res, 202, jobOut(job));
  }

  /** The job as its owner reads it (in a transaction with the owner's scope, which the table's policy wants). */
  async function sendJob(res: ServerResponse, owner: Principal, id: string, status: number) {
    const job = await inScope(opts.orm, owner.scopes, (em) => readJob(em, owner.userId, id));
    if (!job) return send(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'import job not found' } });
    return send(res, status, jobOut(job));
  }

  return {
    limits,
    running,
    async handle(req, res, path) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const template = /^\/export\/template\/([a-z]+)\.(xlsx|csv)$/.exec(path);
        if (template && req.method === 'GET') {
          const kind = template[1] as ImportKind;
          if (!IMPORT_KINDS.includes(kind)) return send(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'no such template' } });
          const xlsx = template[2] === 'xlsx';
          res.statusCode = 200;
          res.setHeader('content-type', xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8');
          res.setHeader('content-disposition', `attachment; filename="${kind}-template.${template[2]}"`);
          return void res.end(xlsx ? await templateXlsx(kind) : templateCsv(kind));
        }
        const kind = /^\/import\/([a-z]+)$/.exec(path)?.[1] as ImportKind | undefined;
        if (kind && IMPORT_KINDS.includes(kind)) {
          if (req.method !== 'POST') return send(res, 405, { error: { code: ErrorCode.BAD_USER_INPUT, message: 'POST the file' } });
          return await post(req, res, kind, url);
        }
        const jobId = /^\/import\/jobs\/([A-Za-z0-9_-]{1,64})$/.exec(path)?.[1];
        if (jobId && req.method === 'GET') {
          const { principal } = await principalOf(req);
          let id: string;
          try {
            id = fromGlobalId(jobId, 'ImportJob', 'id');
          } catch {
            return send(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'import job not found' } });
          }
          return await sendJob(res, principal, id, 200);
        }
        return send(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'not found' } });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return sendError(res, e);
      }
    },
  };
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.NOT_FOUND]: 404, [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.BAD_USER_INPUT]: 400, [ErrorCode.MALFORMED_FILE]: 422, [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

function sendError(res: ServerResponse, e: AppError) {
  const { code: _c, ...details } = e.extensions as Record<string, unknown>;
  send(res, STATUS[e.code] ?? 400, { error: { code: e.code, message: e.message, ...details } });
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
