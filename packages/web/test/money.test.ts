import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { moneyOf, parseYuan } from '../src/pages/money.js';

describe('money typed in 元 becomes fen exactly', () => {
  test('digits, thousands separators and up to two decimals', () => {
    expect(parseYuan('12500')).toEqual({ fen: 1250000n, money: '12500.00' });
    expect(parseYuan('1,234.5')).toEqual({ fen: 123450n, money: '1234.50' });
    expect(parseYuan(' 0.07 ')).toEqual({ fen: 7n, money: '0.07' });
    expect(parseYuan('10.')).toEqual({ fen: 1000n, money: '10.00' });
    // no float on the way: 999999999999.99 stays exact
    expect(parseYuan('999999999999.99')).toEqual({ fen: 99999999999999n, money: '999999999999.99' });
  });

  test('a sign, letters, a third decimal or nothing are refused with a message', () => {
    for (const t of ['', '-5', '+5', '1.234', 'abc', '1e5', '0x10', '１２']) expect(parseYuan(t)).toHaveProperty('error');
  });

  test('any fen amount round-trips through its Money string', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 99999999999999n }), (fen) => {
      const r = parseYuan(moneyOf(fen));
      expect(r).toEqual({ fen, money: moneyOf(fen) });
    }));
  });
});
