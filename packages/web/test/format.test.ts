import { describe, expect, test } from 'vitest';
import { fenOf, formatDate, formatFen, formatMoney, formatNumber, formatPercent } from '../src/format.js';

describe('Chinese number, money and date formatting', () => {
  test('numbers get thousands separators; money is exact from integer fen', () => {
    expect([formatNumber(0), formatNumber(1234), formatNumber(-1234567), formatNumber(12345678901234567890n), formatNumber(null)]).toEqual([
      '0', '1,234', '-1,234,567', '12,345,678,901,234,567,890', '—',
    ]);
    expect([formatFen(0n), formatFen(5n), formatFen(123456789n), formatFen(-100n), formatFen(100n, false)]).toEqual([
      '0.00 元', '0.05 元', '1,234,567.89 元', '-1.00 元', '1.00',
    ]);
    // beyond a double's 2^53: no float on the way
    expect(formatMoney('90071992547409.93')).toBe('90,071,992,547,409.93 元');
    expect([fenOf('50000.00'), fenOf('0.1'), fenOf('-3'), fenOf('1.234'), fenOf('abc')]).toEqual([5000000n, 10n, -300n, null, null]);
    expect([formatMoney('50000.00'), formatMoney(null), formatMoney('n/a')]).toEqual(['50,000.00 元', '—', 'n/a']);
    expect([formatPercent(0.4567), formatPercent(1), formatPercent(undefined)]).toEqual(['45.7%', '100.0%', '—']);
  });

  test('dates are yyyy-mm-dd', () => {
    expect(formatDate('2025-12-01')).toBe('2025-12-01');
    expect(formatDate(new Date(2025, 0, 5, 23, 59))).toBe('2025-01-05');
    expect([formatDate(null), formatDate('')]).toEqual(['—', '—']);
  });
});
