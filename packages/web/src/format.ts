// Chinese number, money and date formatting (docs/web.md). Amounts are exact: money goes through integer
// fen as a BigInt, never a float. The API's `Money` is a yuan string with two decimals ("50000.00").

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

/** An integer with thousands separators: 12345 → "12,345". */
export function formatNumber(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (typeof n === 'number' && !Number.isFinite(n)) return '—';
  const s = typeof n === 'bigint' ? n.toString() : String(Math.trunc(n));
  const neg = s.startsWith('-');
  return (neg ? '-' : '') + (neg ? s.slice(1) : s).replace(GROUP, ',');
}

/** A share as a percentage with one decimal: 0.4567 → "45.7%". */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** Integer fen from the API's Money string ("-1234.5" and "12" are read too); null when it is not one. */
export function fenOf(money: string): bigint | null {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(money.trim());
  if (!m) return null;
  const fen = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** Integer fen as yuan with thousands separators and two decimals: 123456789n → "1,234,567.89 元". */
export function formatFen(fen: bigint | number, unit = true): string {
  const f = typeof fen === 'bigint' ? fen : BigInt(Math.trunc(fen));
  const neg = f < 0n;
  const abs = neg ? -f : f;
  const yuan = formatNumber(abs / 100n);
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${yuan}.${cents}${unit ? ' 元' : ''}`;
}

/** The API's Money string ("50000.00") as "50,000.00 元"; an unreadable value is shown as it came. */
export function formatMoney(money: string | null | undefined, unit = true): string {
  if (money === null || money === undefined) return '—';
  const fen = fenOf(money);
  return fen === null ? money : formatFen(fen, unit);
}

/** A date as yyyy-mm-dd (local time for a Date or an ISO timestamp; a LocalDate string is kept). */
export function formatDate(value: string | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A timestamp as yyyy-mm-dd hh:mm:ss (local time), for the live feed. */
export function formatDateTime(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(d)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Chinese labels of the API's enums (docs/glossary.md). */
export const LIGHT_LABEL = { GREEN: '绿灯', YELLOW: '黄灯', RED: '红灯' } as const;
export const LEVEL_LABEL = { COUNTRY: '全国', REGION: '自治区', COUNTY: '旗县区', TOWNSHIP: '苏木乡镇', VILLAGE: '嘎查村' } as const;
