// Money typed by a person, in 元 with up to two decimals, to the API's Money string, exactly: digits are
// read as integer fen (BigInt), never as a float ("0.1" + "0.2" stays 30 fen).

export type YuanInput = { fen: bigint; money: string } | { error: string };

/** "1,234.5" → 123450 fen and "1234.50"; a sign, letters or a third decimal are refused with a message. */
export function parseYuan(text: string): YuanInput {
  const t = text.replace(/[,，\s]/g, '');
  if (t === '') return { error: '请填写金额' };
  const m = /^(\d{1,15})(?:\.(\d{0,2}))?$/.exec(t);
  if (!m) return { error: '金额以元为单位，最多两位小数，例如 12500.00' };
  const fen = BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  return { fen, money: moneyOf(fen) };
}

/** Integer fen as the API's Money string: 123450n → "1234.50". */
export function moneyOf(fen: bigint): string {
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
}
