import { isTimeZone, readTimeZone } from '@jiceng/core';

/**
 * The startup option that puts a session in `zone` (node-postgres `options`): current_date, now()::date
 * and to_char of timestamps then follow the service's zone, not the server's default (often UTC).
 */
export function timeZoneOption(zone: string = readTimeZone()): string {
  if (!isTimeZone(zone)) throw new Error(`not a time zone: ${JSON.stringify(zone)}`);
  return `-c TimeZone=${zone}`;
}
