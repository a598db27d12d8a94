import { badInput } from './errors.js';

// Money is integer fen held in bigint; the API shows yuan as a decimal string.
export type Fen = bigint;

/** The largest amount the API takes: 999,999,999,999.99 yuan (10^14 fen - 1), far below bigint's range. */
export const MAX_YUAN_DIGITS = 12;
export const MAX_FEN: Fen = 10n ** BigInt(MAX_YUAN_DIGITS + 2) - 1n;

// strict: no sign, no exponent, no leading zeros, at most two decimals, and no whitespace of any kind
const YUAN = /^(0|[1-9]\d*)(\.\d{1,2})?$/;

/**
 * Parses "50000", "50000.5" or "50000.50" into fen; anything else (floats, exponents, signs, 3+
 * decimals, surrounding or embedded whitespace, amounts over MAX_FEN) is refused. Errors never echo
 * the value.
 */
export function parseYuan(text: unknown, field = 'amount'): Fen {
  if (typeof text !== 'string') throw badInput(field, 'money must be a decimal string in yuan, e.g. "50000.00"');
  const m = text.length <= MAX_YUAN_DIGITS + 8 ? YUAN.exec(text) : null;
  if (!m) throw badInput(field, 'not a non-negative amount in yuan with at most two decimals, e.g. "50000.00" (no spaces)');
  if (m[1]!.length > MAX_YUAN_DIGITS) throw badInput(field, `at most ${formatYuan(MAX_FEN)} yuan`);
  const cents = (m[2] ?? '').slice(1).padEnd(2, '0');
  return BigInt(m[1]!) * 100n + BigInt(cents || '0');
}

/** Like parseYuan, but zero is refused too. */
export function parsePositiveYuan(text: unknown, field = 'amount'): Fen {
  const fen = parseYuan(text, field);
  if (fen <= 0n) throw badInput(field, 'must be greater than zero');
  return fen;
}

export function formatYuan(fen: Fen | number | string): string {
  const v = BigInt(fen);
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export const yuan = (y: number | bigint): Fen => BigInt(y) * 100n;
