import { describe, expect, test } from 'vitest';
import { DEFAULT_TEXT_MAX, MAX_FEN, checkText, localDate, parseYuan, textMax } from '../src/index.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e: any) {
    return [e.extensions.code, e.extensions.field];
  }
  return 'accepted';
};

describe('money', () => {
  test('strict decimal yuan: no whitespace of any kind, no sign, no exponent, no leading zero', () => {
    expect(parseYuan('0')).toBe(0n);
    expect(parseYuan('12.5')).toBe(1250n);
    expect(parseYuan('999999999999.99')).toBe(MAX_FEN);
    for (const bad of [' 12.00', '12.00 ', '12.00\n', '\t12', '\u00a012', '12\u00a0', '\u300012', '12\u3000', '\u202f12', '1 2', '-1', '+1', '1e3', '01', '1.', '.5', '1.234', '1000000000000', '', 12])
      expect(code(() => parseYuan(bad, 'budget')), JSON.stringify(bad)).toEqual(['BAD_USER_INPUT', 'budget']);
  });

  test('errors never echo the value', () => {
    try {
      parseYuan('9'.repeat(100_000));
    } catch (e: any) {
      expect(e.message.length).toBeLessThan(200);
    }
  });
});

describe('dates', () => {
  test('real dates in 2000–2100 only; an extra window narrows it', () => {
    expect(localDate('2024-02-29', 'on')).toBe('2024-02-29');
    for (const bad of ['0000-01-01', '2025-02-29', '2025-13-01', '2025-1-01', '1999-12-31', '2101-01-01', '9999-12-31', '2025-01-01T00:00', ' 2025-01-01', null, 20250101])
      expect(code(() => localDate(bad, 'on')), JSON.stringify(bad)).toEqual(['BAD_USER_INPUT', 'on']);
    const year = { from: '2025-01-01', to: '2026-12-31' };
    expect(localDate('2026-12-31', 'on', year)).toBe('2026-12-31');
    expect(code(() => localDate('2027-01-01', 'on', year))).toEqual(['BAD_USER_INPUT', 'on']);
  });
});

describe('text', () => {
  test('limits by name, counted in characters, the default for names not listed', () => {
    expect(textMax('summary')).toBe(4000);
    expect(textMax('someNewField')).toBe(DEFAULT_TEXT_MAX);
    expect(checkText('name', '𠀀'.repeat(200), 200)).toHaveLength(400);
    expect(code(() => checkText('name', 'x'.repeat(201), 200))).toEqual(['BAD_USER_INPUT', 'name']);
  });
});
