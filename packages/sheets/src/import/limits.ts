// The limits of an import (docs/operations.md): set in the environment, read once at start.

export interface ImportLimits {
  /** the file's size in bytes (Content-Length, and counted while it arrives) */
  maxBytes: number;
  /** data rows in the sheet (counted while it is read) */
  maxRows: number;
  /** problems kept and reported; the answer says how many more there were */
  maxProblems: number;
  /** an XLSX's entries, uncompressed, in bytes (a zip bomb is refused before anything is unpacked) */
  maxUnzippedBytes: number;
  /** an XLSX's number of entries */
  maxZipEntries: number;
  /** rows written per statement */
  batchSize: number;
  /** ?wait=1 waits at most this long for the job before answering with its state */
  waitMs: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxRows: 100_000,
  maxProblems: 1000,
  maxUnzippedBytes: 200 * 1024 * 1024,
  maxZipEntries: 1000,
  batchSize: 5000,
  waitMs: 60_000,
};

/** The environment variable of each limit. */
export const IMPORT_LIMIT_ENV: Record<keyof ImportLimits, string> = {
  maxBytes: 'IMPORT_MAX_BYTES',
  maxRows: 'IMPORT_MAX_ROWS',
  maxProblems: 'IMPORT_MAX_PROBLEMS',
  maxUnzippedBytes: 'IMPORT_MAX_UNZIPPED_BYTES',
  maxZipEntries: 'IMPORT_MAX_ZIP_ENTRIES',
  batchSize: 'IMPORT_BATCH_SIZE',
  waitMs: 'IMPORT_WAIT_MS',
};

export function readImportLimits(env: NodeJS.ProcessEnv = process.env): ImportLimits {
  const out = { ...DEFAULT_IMPORT_LIMITS };
  for (const [key, name] of Object.entries(IMPORT_LIMIT_ENV) as [keyof ImportLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
    out[key] = n;
  }
  return out;
}
