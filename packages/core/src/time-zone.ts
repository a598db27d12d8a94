// "Today" is a date in the service's time zone (its users are in China, UTC+8), never UTC's date.
// JICENG_TIME_ZONE (an IANA name, default Asia/Shanghai) is read here; the database sessions run in it
// too (packages/db createOrm), so PostgreSQL's current_date and JavaScript's today() agree.

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Whether `zone` is an IANA time zone this runtime knows (Asia/Shanghai, UTC, Pacific/Kiritimati…). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The configured time zone: JICENG_TIME_ZONE, or Asia/Shanghai when unset; an unknown zone is refused. */
export function readTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.JICENG_TIME_ZONE;
  if (raw === undefined || raw === '') return DEFAULT_TIME_ZONE;
  if (!isTimeZone(raw)) throw new Error(`JICENG_TIME_ZONE must be an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(raw)}`);
  return raw;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (yyyy-mm-dd) in `zone` at instant `at`: the one source of "today" in JavaScript. */
export function today(zone: string = readTimeZone(), at: Date = new Date()): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The current year in `zone` (what "this year" means to the service's users). */
export const currentYear = (zone: string = readTimeZone(), at: Date = new Date()): number => Number(today(zone, at).slice(0, 4));
