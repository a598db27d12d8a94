import { describe, expect, test } from 'vitest';
import { currentYear, readConfig, readTimeZone, today } from '../src/index.js';

describe('today is a date in the service\'s time zone', () => {
  test('China\'s date runs 8 hours ahead of UTC\'s: from 16:00 UTC it is already tomorrow in Shanghai', () => {
    const at = (iso: string) => new Date(iso);
    expect(today('Asia/Shanghai', at('2026-12-03T15:59:59.999Z'))).toBe('2026-12-03');
    expect(today('Asia/Shanghai', at('2026-12-03T16:00:00Z'))).toBe('2026-12-04');
    // 07:00 Beijing time: UTC's date is still yesterday
    expect(today('Asia/Shanghai', at('2026-12-03T23:00:00Z'))).toBe('2026-12-04');
    expect(today('UTC', at('2026-12-03T23:00:00Z'))).toBe('2026-12-03');
    expect(today('Pacific/Kiritimati', at('2026-12-03T10:00:00Z'))).toBe('2026-12-04');
    // a year ends in China first
    expect(today('Asia/Shanghai', at('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(currentYear('Asia/Shanghai', at('2026-12-31T16:30:00Z'))).toBe(2027);
    expect(currentYear('UTC', at('2026-12-31T16:30:00Z'))).toBe(2026);
  });

  test('JICENG_TIME_ZONE: Asia/Shanghai when unset, an IANA zone when set, an unknown one stops the start', () => {
    expect(readTimeZone({})).toBe('Asia/Shanghai');
    expect(readTimeZone({ JICENG_TIME_ZONE: '' })).toBe('Asia/Shanghai');
    expect(readTimeZone({ JICENG_TIME_ZONE: 'Pacific/Kiritimati' })).toBe('Pacific/Kiritimati');
    expect(readConfig({}).timeZone).toBe('Asia/Shanghai');
    expect(readConfig({ JICENG_TIME_ZONE: 'UTC' }).timeZone).toBe('UTC');
    for (const bad of ['Mars/Olympus', 'Asia/Shanghai -c work_mem=1GB', "x' or 1=1"]) {
      expect(() => readTimeZone({ JICENG_TIME_ZONE: bad })).toThrow(/JICENG_TIME_ZONE must be an IANA time zone/);
    }
  });
});
