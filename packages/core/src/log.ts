// Structured JSON logs, one object per line. Secrets are dropped by key name, whatever the caller passes.
const SECRET_KEYS = /pass(word)?|token|secret|authorization|hash/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // the cause chain and driver codes say what really went wrong (a startup failure, a lost connection)
    const e = value as Error & { code?: unknown; cause?: unknown };
    return { name: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}), ...(e.cause !== undefined ? { cause: redact(e.cause, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * The default sink: stdout, one write per turn of the event loop. Lines logged in the same turn (a busy
 * service logs a line per request) leave in one write (one system call: stdout to a file or pipe writes
 * synchronously) on setImmediate, and whatever is pending is written when the process exits
 * (process.exit included).
 */
export function bufferedWriter(out: { write(text: string): unknown } = process.stdout): { write(line: string): void; flush(): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending.length) return;
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  let hooked = false;
  return {
    write(line) {
      pending.push(line + '\n');
      if (!hooked) {
        hooked = true;
        process.on('exit', flush);
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

let stdoutWriter: ReturnType<typeof bufferedWriter> | undefined;
const writeStdout = (line: string) => {
  stdoutWriter ??= bufferedWriter();
  stdoutWriter.write(line);
};

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = writeStdout,
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...(redact({ ...base, ...fields }) as object) }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
