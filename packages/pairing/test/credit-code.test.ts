import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode } from '../src/credit-code.js';

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts a code whose check character matches and refuses a changed one', () => {
    expect(isValidCreditCode('91110000600037341L')).toBe(true); // a published code
    const first17 = '91150000000000001';
    const good = first17 + creditCodeCheckChar(first17);
    expect(isValidCreditCode(good)).toBe(true);
    expect(isValidCreditCode(first17 + (good.endsWith('0') ? '1' : '0'))).toBe(false);
    expect(isValidCreditCode('91110000600037341')).toBe(false);
    expect(isValidCreditCode('9111000060003734IL')).toBe(false); // I is not in the alphabet
  });
});
