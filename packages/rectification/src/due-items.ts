// Rectification's part of me.dueItems: complaints to answer, overdue problem items, cases to accept.
import { toGlobalId } from '@jiceng/core';
import { can, registerDueItems } from '@jiceng/tenancy';
import { casesDueForAcceptance, openComplaintsDue, overdueProblemItems, type DueRow } from './exports.js';

const items = (kind: string, type: string, prefix: string, rows: DueRow[]) =>
  rows.map((r) => ({ kind, title: `${prefix}${r.title}`, dueOn: r.dueOn, unitId: r.unitId, refId: toGlobalId(type, r.id) }));

registerDueItems('rectification', async (em, p, limit) => [
  ...(can(p, 'complaint:reply') ? items('COMPLAINT_REPLY', 'Complaint', 'Reply to complaint: ', await openComplaintsDue(em, p.scopes, limit)) : []),
  ...(can(p, 'rectification:manage') ? items('PROBLEM_ITEM_OVERDUE', 'ProblemItem', 'Overdue problem item: ', await overdueProblemItems(em, p.scopes, limit)) : []),
  ...(can(p, 'rectification:manage') ? items('CASE_ACCEPTANCE', 'RectificationCase', 'Acceptance due: ', await casesDueForAcceptance(em, p.scopes, limit)) : []),
]);
