import { badInput, conflict, localDate, notFound } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCan, requireVillage, type Principal } from '@jiceng/tenancy';
import { dbToday } from './case.service.js';
import { standardFor } from './standards.js';

/**
 * 举报件: the handling result is due back within N working days (调休 and holidays respected). N is the
 * standard in force at receipt; the due date of an open complaint follows the calendar as holidays and
 * make-up workdays are declared later (migration 0222's trigger on calendar_day).
 */
export async function receiveComplaint(em: EntityManager, p: Principal, input: { villageId: string; receivedOn: string; summary: string }) {
  const village = await requireVillage(em, input.villageId);
  assertCan(p, 'complaint:receive', { path: village.path, what: 'village' });
  localDate(input.receivedOn, 'receivedOn');
  const now = await dbToday(em);
  if (input.receivedOn > now) throw badInput('receivedOn', `cannot be in the future (today is ${now})`);
  if (!input.summary?.trim()) throw badInput('summary', 'required');
  const std = await standardFor(em, village.path, Number(input.receivedOn.slice(0, 4)));
  const [row] = await em.execute<any[]>(
    `insert into complaint (unit_id, received_on, summary, reply_working_days, reply_due_on)
     values (?, ?::date, ?, ?::int, jiceng_add_working_days(?::ltree, ?::date, ?::int)) returning id`,
    [village.id, input.receivedOn, input.summary.trim(), std.complaintReplyWorkingDays, village.path, input.receivedOn, std.complaintReplyWorkingDays],
  );
  return String(row.id);
}

export async function replyComplaint(em: EntityManager, p: Principal, id: string, input: { repliedOn: string; result: string }) {
  if (!/^\d{1,18}$/.test(id)) throw badInput('id', 'not a valid complaint id');
  const [c] = await em.execute<any[]>(
    `select id, unit_path, replied_on, to_char(received_on, 'YYYY-MM-DD') as received_on from complaint where id = ? for update`, [id]);
  if (!c) throw notFound('complaint');
  assertCan(p, 'complaint:reply', { path: c.unit_path, what: 'complaint' });
  if (c.replied_on) throw conflict('the complaint has been answered already');
  localDate(input.repliedOn, 'repliedOn');
  if (input.repliedOn < c.received_on) throw badInput('repliedOn', `cannot be before the complaint was received (${c.received_on})`);
  const now = await dbToday(em);
  if (input.repliedOn > now) throw badInput('repliedOn', `cannot be in the future (today is ${now})`);
  if (!input.result?.trim()) throw badInput('result', 'the handling result is required');
  await em.execute(`update complaint set replied_on = ?, result = ? where id = ?`, [input.repliedOn, input.result.trim(), id]);
  return id;
}

export interface ComplaintRow {
  id: string;
  unit_id: string;
  received_on: string;
  summary: string;
  reply_due_on: string;
  replied_on: string | null;
  result: string | null;
}

export async function complaintById(em: EntityManager, id: string): Promise<ComplaintRow | null> {
  const [c] = await em.execute<ComplaintRow[]>(
    `select id, unit_id, to_char(received_on, 'YYYY-MM-DD') as received_on, summary, to_char(reply_due_on, 'YYYY-MM-DD') as reply_due_on,
            to_char(replied_on, 'YYYY-MM-DD') as replied_on, result from complaint where id = ?`,
    [id],
  );
  return c ? { ...c, id: String(c.id), unit_id: String(c.unit_id) } : null;
}
