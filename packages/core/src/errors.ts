import { GraphQLError } from 'graphql';

// The one error vocabulary of the API; clients switch on extensions.code.
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** the database is unreachable or the server is shutting down: retry later (HTTP 503) */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** a query over a limit of depth, aliases, tokens, directives or cost (extensions.limit, max, found) */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** an answer over the cap on values in one response */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  /** past the request's deadline or the statement timeout */
  TIMEOUT: 'TIMEOUT',
  /** a request body over the size limit (HTTP 413) */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** a POST body that is not application/json (HTTP 415) */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** an uploaded file that is not a readable spreadsheet (not XLSX/CSV, bad encoding, a zip bomb) */
  MALFORMED_FILE: 'MALFORMED_FILE',
  /** rows of a batch refused: extensions.problems lists each (row index, field, problem code) */
  ROWS_REFUSED: 'ROWS_REFUSED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure the caller is told about: a code, a message and optional safe details. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
  }
}

export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message = 'not allowed') => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'authentication required') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.CONFLICT, message, details);
/** Bad input always names the field at fault. */
export const badInput = (field: string, message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
export const serviceUnavailable = (message = 'the service is temporarily unavailable; retry shortly') =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, message);

/** One refused row of a batch write: its index in the batch, the field at fault and a problem code. */
export interface RowProblem {
  index: number;
  field: string;
  problem: string;
  /** safe details (the limit, the term, the other row) */
  detail?: Record<string, unknown>;
}

/** A batch write refused because of some of its rows: nothing of it is written. */
export class RowsRefused extends AppError {
  constructor(readonly problems: RowProblem[]) {
    super(ErrorCode.ROWS_REFUSED, `${problems.length} row(s) refused`, { problems });
  }
}
