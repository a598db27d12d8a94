// The rules of the disputes ledger (矛盾纠纷排查): who records, settles and defers a dispute, and when.
// SQL lives in disputes.store.ts.
import { badInput, conflict, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import type { Principal } from '@jiceng/tenancy';
import * as store from './disputes.store.js';
import { reportableVillage } from './warning.service.js';

export interface RecordDisputeInput { villageId: string; category: string; summary: string; recordedOn: string }

const text = (value: string, field: string) => {
  const t = value.trim();
  if (!t || t.length > 2000) throw badInput(field, 'must be 1 to 2000 characters');
  return t;
};

async function today(em: EntityManager): Promise<string> {
  const [row] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  return row!.d;
}

/** Whoever may report on a village (reporter: their own; manager: assigned; station; centre) records its disputes. */
export async function recordDispute(em: EntityManager, p: Principal, input: RecordDisputeInput): Promise<store.DisputeRow> {
  if (!(store.DISPUTE_CATEGORIES as readonly string[]).includes(input.category)) throw badInput('category', `must be one of ${store.DISPUTE_CATEGORIES.join(', ')}`);
  const summary = text(input.summary, 'summary');
  const recordedOn = localDate(input.recordedOn, 'recordedOn');
  const village = await reportableVillage(em, p, input.villageId);
  if (recordedOn > await today(em)) throw badInput('recordedOn', 'must not be in the future');
  return store.insertDispute(em, { unitId: village.id, category: input.category, summary, recordedOn, by: p.userId });
}

/** An open dispute the caller may act on (the same reach as recording it), locked. */
async function openDispute(em: EntityManager, p: Principal, id: string): Promise<store.DisputeRow> {
  const found = await store.disputeById(em, id, true);
  if (!found) throw notFound('dispute');
  await reportableVillage(em, p, found.unitId, 'id');
  if (found.resolvedOn) throw conflict('the dispute is settled already');
  return found;
}

export async function settleDispute(em: EntityManager, p: Principal, id: string, on: string, result: string): Promise<store.DisputeRow> {
  const day = localDate(on, 'on');
  const what = text(result, 'result');
  const d = await openDispute(em, p, id);
  if (day < d.recordedOn) throw badInput('on', 'must not be before the day the dispute was recorded');
  if (day > await today(em)) throw badInput('on', 'must not be in the future');
  return store.settleDispute(em, d.id, day, what, p.userId);
}

/** Records why an open dispute cannot be settled yet and by when it will be (a later deferral replaces it). */
export async function deferDispute(em: EntityManager, p: Principal, id: string, explanation: string, promisedOn: string): Promise<store.DisputeRow> {
  const why = text(explanation, 'explanation');
  const promised = localDate(promisedOn, 'promisedOn');
  const d = await openDispute(em, p, id);
  if (promised < await today(em)) throw badInput('promisedOn', 'must not be in the past');
  return store.deferDispute(em, d.id, why, promised, p.userId);
}
