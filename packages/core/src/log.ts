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

export type LineWriter = (line: string, level: LogLevel) => void;

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, write: LineWriter = (l) => process.stdout.write(l + '\n')): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...(redact({ ...base, ...fields }) as object) }), lvl);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/**
 * A service's log output: debug and info lines (a line per request) are gathered and written together
 * within `flushMs` or once `maxBytes` are waiting, a warning or an error at once with what waits before
 * it (in order), and whatever waits when the process exits. One system call per request was a measurable
 * share of a small read's cost; a SIGKILL loses at most `flushMs` of info lines.
 */
export function gatheredLines(sink: (text: string) => void = (t) => process.stdout.write(t), flushMs = 50, maxBytes = 64 * 1024): LineWriter & { flush(): void } {
  let waiting: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const text = waiting.join('');
    waiting = [];
    bytes = 0;
    sink(text);
  };
  process.on('exit', flush);
  const write = (line: string, level: LogLevel) => {
    waiting.push(`${line}\n`);
    bytes += line.length + 1;
    if (LEVELS[level] >= LEVELS.warn || bytes >= maxBytes) flush();
    else if (!timer) {
      timer = setTimeout(flush, flushMs);
      timer.unref();
    }
  };
  return Object.assign(write, { flush });
}
