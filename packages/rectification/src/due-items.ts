// Rectification's part of me.dueItems: complaints to answer, overdue problem items, cases to accept.
// Titles are in Chinese, as the people who read them (docs/glossary.md).
import { toGlobalId } from '@jiceng/core';
import { can, registerDueItems } from '@jiceng/tenancy';
import { casesDueForAcceptance, openComplaintsDue, overdueProblemItems, type DueRow } from './exports.js';

const items = (kind: string, type: string, prefix: string, rows: DueRow[]) =>
  rows.map((r) => ({ kind, title: `${prefix}${r.title}`, dueOn: r.dueOn, unitId: r.unitId, refId: toGlobalId(type, r.id) }));

registerDueItems('rectification', async (em, p, limit) => [
  ...(can(p, 'complaint:reply') ? items('COMPLAINT_REPLY', 'Complaint', '答复举报件：', await openComplaintsDue(em, p.scopes, limit)) : []),
  ...(can(p, 'rectification:manage') ? items('PROBLEM_ITEM_OVERDUE', 'ProblemItem', '问题清单逾期：', await overdueProblemItems(em, p.scopes, limit)) : []),
  ...(can(p, 'rectification:manage') ? items('CASE_ACCEPTANCE', 'RectificationCase', '待验收：', await casesDueForAcceptance(em, p.scopes, limit)) : []),
]);
