// The reporters' monthly subsidy (信息员补贴, seed 002: 180 yuan a month), paid by county finance through
// the funding ledger, less the months the accountability consequences withhold. SQL in subsidy.store.ts.
import { badInput, conflict, type Fen } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, requireUnit, type Principal } from '@jiceng/tenancy';
import { assertDate, assertKey, postMany, type TransferSpec } from '@jiceng/funding';
import { accountabilityStandards, type AccountabilityStandard } from './accountability.store.js';
import { consequenceOf, type ReporterConsequence } from './accountability.service.js';
import * as store from './subsidy.store.js';

/** seed 002: 180 yuan a month per reporter, in fen. */
export const REPORTER_MONTHLY_SUBSIDY: Fen = 18_000n;

/**
 * The months (1–12) of a year whose subsidy the reporter's lapses withhold, from the lapses' days in
 * order: the criticism-th lapse withholds its month (the month's bonus), the county-notice-th the six
 * months from its month within the year (half a year's), the suspension-th the whole year.
 */
export function withheldMonths(days: readonly string[], s: AccountabilityStandard): Set<number> {
  const months = new Set<number>();
  const monthOf = (k: number) => Number(days[k - 1]!.slice(5, 7));
  if (days.length >= s.suspensionFrom) {
    for (let m = 1; m <= 12; m++) months.add(m);
    return months;
  }
  if (days.length >= s.criticismFrom) months.add(monthOf(s.criticismFrom));
  if (days.length >= s.countyNoticeFrom) for (let m = monthOf(s.countyNoticeFrom); m < monthOf(s.countyNoticeFrom) + 6 && m <= 12; m++) months.add(m);
  return months;
}

export type SubsidyStatus = 'PAID' | 'PAID_BEFORE' | 'WITHHELD';
export interface SubsidyLine {
  reporter: store.SubsidyReporterRow; month: string; status: SubsidyStatus; amount: Fen; consequence: ReporterConsequence | null; transferId: string | null;
}

export interface SubsidyInput { unitId: string; month: string; voucher: string; on?: string | null; key: string }

/**
 * Pays a month's subsidy to every active reporter of a township's or county's villages, from the
 * county's REPORTER_SUBSIDY budget (a DISBURSE to the village's SPENT account, one transfer per reporter
 * through funding's postMany: idempotency keys `<key>:<reporter>`; the run's voucher with a line number,
 * `<voucher>/1`, `<voucher>/2`…, in the voucher register, so a voucher serves one run), all or nothing. A reporter is paid a month once (reporter_subsidy); a month the
 * consequences withhold is not paid.
 */
export async function payReporterSubsidies(em: EntityManager, p: Principal, i: SubsidyInput): Promise<SubsidyLine[]> {
  if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(i.month)) throw badInput('month', 'a month as yyyy-mm');
  const year = Number(i.month.slice(0, 4));
  const [todayRow] = await em.execute<{ m: string }[]>(`select to_char(current_date, 'YYYY-MM') as m`);
  if (i.month > todayRow!.m) throw badInput('month', 'must not be after the current month');
  const unit = await requireUnit(em, i.unitId);
  assertCan(p, 'warning:pay-subsidy', { path: unit.path, what: 'admin unit' });
  if (unit.level !== 'TOWNSHIP' && unit.level !== 'COUNTY') throw badInput('unitId', 'the subsidy is paid for a township or a county');
  const voucher = i.voucher.trim();
  if (!voucher || voucher.length > 60) throw badInput('voucher', 'the voucher number is required (at most 60 characters)');
  assertKey(i.key);
  if (i.key.length > 180) throw badInput('idempotencyKey', 'must be 8 to 180 characters');
  const on = assertDate(i.on, 'on', year);
  if (on.slice(0, 7) < i.month) throw badInput('on', 'must not be before the month paid');
  const county = unit.level === 'COUNTY' ? unit : await requireUnit(em, unit.countyId!, 'unitId');

  const reporters = await store.activeReporters(em, unit.path);
  if (!reporters.length) return [];
  const ids = reporters.map((r) => r.id);
  const paid = new Map((await store.paidFor(em, ids, i.month)).map((r) => [r.reporterId, r.transferId]));
  const lapses = new Map((await store.lapseDays(em, ids, year)).map((r) => [r.reporterId, r.days]));
  const standardAt = await accountabilityStandards(em, `${year}-12-31`, unit.path);
  const month = Number(i.month.slice(5, 7));
  const lines: SubsidyLine[] = reporters.map((r) => {
    const days = lapses.get(r.id) ?? [];
    const s = standardAt(r.unitPath);
    const consequence = consequenceOf(days.length, s);
    const base = { reporter: r, month: i.month, consequence };
    if (paid.has(r.id)) return { ...base, status: 'PAID_BEFORE', amount: 0n, transferId: paid.get(r.id)! };
    if (withheldMonths(days, s).has(month)) return { ...base, status: 'WITHHELD', amount: 0n, transferId: null };
    return { ...base, status: 'PAID', amount: REPORTER_MONTHLY_SUBSIDY, transferId: null };
  });
  const toPay = lines.filter((l) => l.status === 'PAID');
  if (!toPay.length) return lines;
  const specs: TransferSpec[] = toPay.map((l, k) => ({
    key: `${i.key}:${l.reporter.id}`, kind: 'DISBURSE', fund: 'REPORTER_SUBSIDY', year, amount: l.amount, occurredOn: on,
    voucher: `${voucher}/${k + 1}`, note: `信息员补贴 ${i.month} ${l.reporter.username}`, userId: p.userId,
    debit: { unit: county, kind: 'BUDGET' }, credit: { unit: { id: l.reporter.unitId, path: l.reporter.unitPath }, kind: 'SPENT' },
  }));
  const transfers = await postMany(em, specs);
  toPay.forEach((l, k) => {
    l.transferId = transfers[k]!.id;
  });
  try {
    await store.recordPaid(em, toPay.map((l) => ({ unitId: l.reporter.unitId, reporterId: l.reporter.id, transferId: l.transferId! })), i.month, p.userId);
  } catch (e) {
    if (String((e as { code?: unknown })?.code) === '23505') throw conflict('another payment of this month\'s subsidy was made at the same time; read the payments and run it again');
    throw e;
  }
  return lines;
}
