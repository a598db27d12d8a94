import { defineEntity, p } from '@mikro-orm/core';
import { scopeFilter } from '@jiceng/db';
import { CALENDAR_DAY_KINDS, CASE_STATES, CATEGORIES, CAUSES } from '../lifecycle.js';

// MikroORM entities for the module's tables (migrations.ts is the source of truth for the DDL). Every
// tenant-owned row carries unit_id, unit_path and county_id (filled by a trigger) and the scope filter.
const tenantKeys = {
  unitId: p.bigint('string'),
  unitPath: p.string().columnType('ltree').nullable(),
  countyId: p.bigint('string').nullable(),
};
const scoped = { scope: scopeFilter() };

export const AssessmentEntity = defineEntity({
  name: 'Assessment',
  tableName: 'assessment',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    year: p.integer(),
    stars: p.smallint(),
    category: p.enum(CATEGORIES),
    assessedBy: p.bigint('string').nullable(),
    assessedAt: p.datetime(),
  },
});

export const WeakDesignationEntity = defineEntity({
  name: 'WeakDesignation',
  tableName: 'weak_designation',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    year: p.integer(),
    cause: p.enum(CAUSES),
    problemTypes: p.array(),
    paralysed: p.boolean(),
    designatedBy: p.bigint('string').nullable(),
    designatedAt: p.datetime(),
  },
});

export const RectificationCaseEntity = defineEntity({
  name: 'RectificationCase',
  tableName: 'rectification_case',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    year: p.integer(),
    state: p.enum(CASE_STATES),
    previousCaseId: p.bigint('string').nullable(),
    version: p.integer(),
    facts: p.text().nullable(),
    causes: p.text().nullable(),
    plan: p.text().nullable(),
    publicizedOn: p.date().nullable(),
    responsibleLeader: p.text().nullable(),
    villageSecretary: p.text().nullable(),
    workingGroup: p.array(),
    deadline: p.date().nullable(),
    transformedOn: p.date().nullable(),
    closedOn: p.date().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const CaseTransitionEntity = defineEntity({
  name: 'CaseTransition',
  tableName: 'case_transition',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    caseId: p.bigint('string'),
    ...tenantKeys,
    fromState: p.enum(CASE_STATES),
    toState: p.enum(CASE_STATES),
    reason: p.text(),
    byUser: p.bigint('string').nullable(),
    happenedOn: p.date(),
    at: p.datetime(),
  },
});

export const ProblemItemEntity = defineEntity({
  name: 'ProblemItem',
  tableName: 'problem_item',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    caseId: p.bigint('string'),
    ...tenantKeys,
    problem: p.text(),
    measure: p.text(),
    responsible: p.text(),
    dueOn: p.date(),
    resolvedOn: p.date().nullable(),
    evidence: p.text().nullable(),
    createdAt: p.datetime(),
  },
});

export const AcceptanceEntity = defineEntity({
  name: 'Acceptance',
  tableName: 'acceptance',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    caseId: p.bigint('string'),
    ...tenantKeys,
    acceptedOn: p.date(),
    satisfactionRate: p.decimal('number'),
    note: p.text().nullable(),
    byUser: p.bigint('string').nullable(),
  },
});

export const ComplaintEntity = defineEntity({
  name: 'Complaint',
  tableName: 'complaint',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    receivedOn: p.date(),
    summary: p.text(),
    replyWorkingDays: p.smallint(),
    replyDueOn: p.date(),
    repliedOn: p.date().nullable(),
    result: p.text().nullable(),
  },
});

export const KeyTargetEntity = defineEntity({
  name: 'KeyTarget',
  tableName: 'key_target',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    year: p.integer(),
    markedBy: p.bigint('string').nullable(),
  },
});

export const RectificationStandardEntity = defineEntity({
  name: 'RectificationStandard',
  tableName: 'rectification_standard',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    effectiveYear: p.integer(),
    thirdCategoryMaxStars: p.smallint(),
    firstCategoryMinStars: p.smallint(),
    keyTargetShare: p.decimal('number'),
    workingGroupMin: p.smallint(),
    satisfactionMin: p.decimal('number'),
    consolidationMonths: p.smallint(),
    complaintReplyWorkingDays: p.smallint(),
    problemTypes: p.array(),
    criticismAt: p.smallint(),
    oneGradeDownAt: p.smallint(),
    twoGradesDownAt: p.smallint(),
  },
});

export const CalendarDayEntity = defineEntity({
  name: 'CalendarDay',
  tableName: 'calendar_day',
  filters: scoped,
  properties: {
    id: p.bigint('string').primary(),
    ...tenantKeys,
    day: p.date(),
    kind: p.enum(CALENDAR_DAY_KINDS),
  },
});

export const rectificationEntities = [
  AssessmentEntity, WeakDesignationEntity, RectificationCaseEntity, CaseTransitionEntity, ProblemItemEntity, AcceptanceEntity,
  ComplaintEntity, KeyTargetEntity, RectificationStandardEntity, CalendarDayEntity,
];
