import { badInput, conflict, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type Principal } from '@jiceng/tenancy';
import { validateComplaint, required, type ComplaintInput } from './inputs.js';
import * as store from './rectification.store.js';
import { standardFor } from './standards.js';

export type { Complaint } from './rectification.store.js';

/**
 * 举报件: the handling result is due back within N working days (调休 and holidays respected). N is the
 * standard in force at receipt; the due date of an open complaint follows the calendar as holidays and
 * make-up workdays are declared later (migration 0222's trigger on calendar_day).
 */
export async function receiveComplaint(em: EntityManager, p: Principal, input: ComplaintInput): Promise<store.Complaint> {
  const v = validateComplaint(input);
  const village = await requireVillage(em, v.villageId);
  assertCan(p, 'complaint:receive', { path: village.path, what: 'village' });
  const now = await store.dbToday(em);
  if (v.receivedOn > now) throw badInput('receivedOn', `cannot be in the future (today is ${now})`);
  const std = await standardFor(em, village.path, Number(v.receivedOn.slice(0, 4)));
  const id = await store.insertComplaint(em, { unitId: village.id, unitPath: village.path, receivedOn: v.receivedOn, summary: v.summary, workingDays: std.complaintReplyWorkingDays });
  return (await store.complaintsByIds(em, [id]))[0]!;
}

export async function replyComplaint(em: EntityManager, p: Principal, id: string, input: { repliedOn: string; result: string }): Promise<store.Complaint> {
  if (!/^\d{1,18}$/.test(id)) throw badInput('id', 'not a valid complaint id');
  localDate(input.repliedOn, 'repliedOn');
  const result = required(input.result, 'result', 'the handling result is required');
  const c = await store.complaintForReply(em, id);
  if (!c) throw notFound('complaint');
  assertCan(p, 'complaint:reply', { path: c.unitPath, what: 'complaint' });
  if (c.repliedOn) throw conflict('the complaint has been answered already');
  if (input.repliedOn < c.receivedOn) throw badInput('repliedOn', `cannot be before the complaint was received (${c.receivedOn})`);
  const now = await store.dbToday(em);
  if (input.repliedOn > now) throw badInput('repliedOn', `cannot be in the future (today is ${now})`);
  await store.replyToComplaint(em, id, input.repliedOn, result);
  return (await store.complaintsByIds(em, [id]))[0]!;
}
