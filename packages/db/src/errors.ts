// Failures that mean "the database is not there right now" rather than "this request is wrong":
// the caller may retry (SERVICE_UNAVAILABLE, HTTP 503).
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03']);
const UNREACHABLE_TEXT = /Connection terminated|not queryable|connection error|terminating connection|the database system is (starting up|shutting down|in recovery)|Client has already been connected|timeout exceeded when trying to connect/i;

/** Whether an error (or its causes) says the database connection was lost or cannot be made. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as any, depth = 0; e && depth < 6; e = e.cause ?? e.originalError, depth++) {
    const code = String(e.code ?? '');
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08')) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    if (UNREACHABLE_TEXT.test(String(e.message ?? ''))) return true;
  }
  return false;
}

/** A serialization failure or deadlock: the transaction may simply be retried. */
export function isRetryableConflict(error: unknown): boolean {
  for (let e = error as any, depth = 0; e && depth < 6; e = e.cause ?? e.originalError, depth++) {
    if (['40001', '40P01'].includes(String(e.code ?? ''))) return true;
  }
  return false;
}
