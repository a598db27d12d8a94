import { executeBound, inScope, setScope, beginRequest, endRequest, type EntityManager, type Orm } from '@jiceng/db';
import { AppError, ErrorCode, RowsRefused, type Logger } from '@jiceng/core';
import { readPrincipals, type Principal } from '@jiceng/tenancy';
import { assessVillages, checkAssessments, type AssessmentRow } from '@jiceng/rectification';
import { checkSupport, logSupportBatch, type SupportRow } from '@jiceng/pairing';
import { KINDS, matchHeader, moduleProblem, parseRows, columnLetter, type ImportKind, type ImportProblem } from './kinds.js';
import { readSheet, type FileType } from './read.js';
import type { ImportLimits } from './limits.js';

// Import jobs: the state and progress of each import in import_job, written in short transactions of
// their own (visible at once to GET /import/jobs/<id> and Query.importJob) while the import's one writing
// transaction runs. A live job's heartbeat moves at least every HEARTBEAT_MS; a job whose heartbeat
// stopped (its process died) is marked FAILED by the sweep (at boot, then every minute).

export type JobState = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string | null;
  state: JobState;
  total: number | null;
  validated: number;
  written: number;
  problemCount: number;
  problems: ImportProblem[];
  errorCode: string | null;
  errorMessage: string | null;
  result: { inserted: number; updated: number; unchanged: number } | null;
  createdAt: string;
  finishedAt: string | null;
}

export const HEARTBEAT_MS = 10_000;
/** a job whose heartbeat is older than this is taken for abandoned */
export const ABANDONED_MS = 60_000;

const COLUMNS = `id::text, kind, file_name as "fileName", state, total, validated, written, problem_count as "problemCount", problems,
  error_code as "errorCode", error_message as "errorMessage", result, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt",
  to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "finishedAt"`;

/** Runs SQL on import_job as the job's owner (the policy reads app.user_id), within the caller's transaction. */
async function asOwner<T>(em: EntityManager, userId: string, sql: string, params: unknown[]): Promise<T[]> {
  await executeBound(em, `select set_config('app.user_id', $1, true)`, [userId]);
  return executeBound<T>(em, sql, params);
}

/** A job of the caller, or null (another user's job is not found: RLS and the owner condition). */
export async function readJob(em: EntityManager, userId: string, id: string): Promise<ImportJob | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const [row] = await asOwner<ImportJob>(em, userId, `select ${COLUMNS} from import_job where id = $1 and owner_id = $2`, [id, userId]);
  return row ?? null;
}

/** The caller's latest jobs, newest first. */
export function listJobs(em: EntityManager, userId: string, first: number): Promise<ImportJob[]> {
  return asOwner<ImportJob>(em, userId, `select ${COLUMNS} from import_job where owner_id = $1 order by id desc limit $2`, [userId, Math.max(1, Math.min(first, 100))]);
}

/** Its own short transaction on the pool, as the job's owner (with the scope the owner had when the job began). */
function update(orm: Orm, owner: JobOwner, sql: string, params: unknown[]): Promise<unknown> {
  return inScope(orm, owner.scopes, (em) => asOwner(em, owner.userId, sql, params));
}

/** Whose job: the account and the scope it had when it posted the file (the policy wants one). */
export interface JobOwner {
  userId: string;
  scopes: readonly string[];
}

export interface ImportRequest {
  kind: ImportKind;
  fileName: string | null;
  type: FileType;
  data: Buffer;
  /** the support import's year (dates must lie in it) */
  year?: number;
}

/** Records a QUEUED job for the caller and returns it. */
export async function createJob(orm: Orm, owner: JobOwner, req: Pick<ImportRequest, 'kind' | 'fileName'>): Promise<ImportJob> {
  return inScope(orm, owner.scopes, async (em) => {
    const [row] = await asOwner<ImportJob>(em, owner.userId, `insert into import_job (owner_id, kind, file_name) values ($1, $2, $3) returning ${COLUMNS}`, [owner.userId, req.kind, req.fileName?.slice(0, 200) ?? null]);
    return row!;
  });
}

export interface JobRunner {
  orm: Orm;
  log: Logger;
  limits: ImportLimits;
}

/**
 * Runs an import job to its end (DONE or FAILED), never throwing: read the file within the limits, check
 * every row (sheet, row, column of each problem), then write everything in one transaction as the
 * account is now (its roles and scope read afresh).
 */
export async function runJob(r: JobRunner, job: JobOwner & { id: string; tokenVersion: number }, req: ImportRequest): Promise<void> {
  const { orm, limits } = r;
  const set = (sql: string, params: unknown[]) => update(orm, job, `update import_job set ${sql}, heartbeat_at = now() where id = $1`, [job.id, ...params]);
  const beat = setInterval(() => void set('state = state', []).catch(() => undefined), HEARTBEAT_MS);
  beat.unref();
  const spec = KINDS[req.kind];
  try {
    await set(`state = 'RUNNING'`, []);
    const sheet = await readSheet(req.data, req.type, limits, spec.sheet);
    await set('total = $2', [sheet.rows.length]);
    const header = matchHeader(spec, sheet);
    const problems: ImportProblem[] = [...header.problems];
    if (header.problems.some((p) => p.code === 'MISSING_HEADER')) return await fail(set, limits, problems);
    const parsed = parseRows(sheet, header.at);
    problems.push(...parsed.problems);
    await set('validated = $2', [sheet.rows.length]);
    // the caller's writes run as the account is now: its roles and scope read afresh
    const em = await beginRequest(orm);
    let done = false;
    try {
      await em.execute(`select set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)`);
      const principal = (await readPrincipals(em, [{ userId: job.userId, version: job.tokenVersion }])).get(`${job.userId}:${job.tokenVersion}`);
      if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'the account is disabled or signed out');
      await setScope(em, principal.scopes);
      const onProgress = (written: number) => set('written = $2', [written]).then(() => undefined);
      let result: ImportJob['result'];
      try {
        result = await write(em, principal, req, parsed.rows, problems.length > 0, limits, onProgress);
      } catch (e) {
        if (!(e instanceof RowsRefused)) throw e;
        for (const p of e.problems) {
          // the column the field was read from, under the header the sheet gives it (an alias too)
          const col = spec.columns.find((c) => c.field === p.field);
          const k = col ? header.at.get(col) : undefined;
          const m = moduleProblem({ ...p, detail: { ...p.detail, sameAsRow: p.detail?.sameAs !== undefined ? parsed.source[p.detail.sameAs as number] : undefined } });
          problems.push({ sheet: sheet.sheet, row: parsed.source[p.index] ?? null, column: k === undefined ? null : columnLetter(k), header: k === undefined ? col?.header ?? null : sheet.header[k]!, ...m });
        }
        result = null;
      }
      if (problems.length) {
        await endRequest(em, false);
        done = true;
        return await fail(set, limits, problems);
      }
      await endRequest(em, true);
      done = true;
      await set(`state = 'DONE', written = $2, result = $3::jsonb, finished_at = now()`, [sheet.rows.length, JSON.stringify(result)]);
    } finally {
      if (!done) await endRequest(em, false).catch(() => undefined);
    }
  } catch (e) {
    const known = e instanceof AppError;
    if (!known) r.log.error('import failed', { jobId: job.id, error: e });
    const code = known ? e.code : ErrorCode.INTERNAL_SERVER_ERROR;
    const message = known ? e.message : 'internal error';
    await set(`state = 'FAILED', error_code = $2, error_message = $3, finished_at = now()`, [code, message]).catch((x: unknown) => r.log.error('import job update failed', { jobId: job.id, error: x }));
  } finally {
    clearInterval(beat);
  }
}

/** Writes the rows through the module's batch function; with `checkOnly` (cell problems found) it only checks, so every problem is listed. */
async function write(em: EntityManager, p: Principal, req: ImportRequest, rows: Record<string, unknown>[], checkOnly: boolean, limits: ImportLimits, onProgress: (n: number) => Promise<void>) {
  if (checkOnly) {
    // cell problems were found: the module's checks still run over the well-formed rows, so every problem is listed
    const { problems } = req.kind === 'assessments' ? await checkAssessments(em, p, rows as unknown as AssessmentRow[]) : await checkSupport(em, p, rows as unknown as SupportRow[], { year: req.year });
    if (problems.length) throw new RowsRefused(problems);
    return null;
  }
  if (req.kind === 'assessments') return assessVillages(em, p, rows as unknown as AssessmentRow[], { batchSize: limits.batchSize, onProgress });
  const out = await logSupportBatch(em, p, rows as unknown as SupportRow[], { year: req.year, batchSize: limits.batchSize, onProgress });
  return { inserted: out.inserted, updated: 0, unchanged: out.unchanged };
}

async function fail(set: (sql: string, params: unknown[]) => Promise<unknown>, limits: ImportLimits, problems: ImportProblem[]): Promise<void> {
  const shown = problems.slice(0, limits.maxProblems);
  const more = problems.length - shown.length;
  const message = `文件有 ${problems.length} 处问题，未写入任何数据${more ? `（列出前 ${shown.length} 处，另有 ${more} 处未列出）` : ''}`;
  await set(`state = 'FAILED', problem_count = $2, problems = $3::jsonb, error_code = $4, error_message = $5, finished_at = now()`,
    [problems.length, JSON.stringify(shown), ErrorCode.ROWS_REFUSED, message]);
}

/** Marks FAILED every unfinished job whose heartbeat stopped (its process died); returns how many. */
export async function failAbandonedJobs(em: EntityManager, abandonedMs = ABANDONED_MS): Promise<number> {
  await executeBound(em, `select set_config('app.import_sweep', 'on', true)`, []);
  const rows = await executeBound<{ id: string }>(em,
    `update import_job set state = 'FAILED', error_code = 'INTERRUPTED', error_message = '导入中断：服务在导入过程中停止，未写入任何数据 (the server stopped during the import; nothing was written)', finished_at = now()
      where state in ('QUEUED', 'RUNNING') and heartbeat_at < now() - make_interval(secs => $1) returning id::text`, [abandonedMs / 1000]);
  await executeBound(em, `select set_config('app.import_sweep', '', true)`, []);
  return rows.length;
}

export const importSweepTask = { name: 'sheets:abandoned-imports', everyMs: ABANDONED_MS, run: (em: EntityManager) => failAbandonedJobs(em) };

