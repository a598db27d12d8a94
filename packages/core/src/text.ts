import { badInput } from './errors.js';

// Every text input has a maximum length, declared here once. The API applies the table to every
// String argument and input field (services/api: textLimits middleware); a name that is not listed
// gets DEFAULT_TEXT_MAX. Lengths count characters (code points), not bytes.

/** Short codes, names and references: the default for any text input not listed below. */
export const DEFAULT_TEXT_MAX = 200;
/** Free text: notes, facts, plans, complaint summaries and results. */
export const LONG_TEXT_MAX = 4000;

export const TEXT_LIMITS: Readonly<Record<string, number>> = {
  // accounts
  username: 64,
  displayName: 100,
  password: 200,
  currentPassword: 200,
  newPassword: 200,
  // admin units: names are at most 100 characters, codes 12 digits
  code: 12,
  // the units' CSV import is bounded by the request body size (5 MB)
  csv: 5 * 1024 * 1024,
  // free text
  summary: LONG_TEXT_MAX,
  result: LONG_TEXT_MAX,
  facts: LONG_TEXT_MAX,
  plan: LONG_TEXT_MAX,
  causes: LONG_TEXT_MAX,
  problem: LONG_TEXT_MAX,
  measure: LONG_TEXT_MAX,
  evidence: LONG_TEXT_MAX,
  reason: LONG_TEXT_MAX,
  note: LONG_TEXT_MAX,
  // references on paper
  voucher: 100,
  receipt: 100,
  category: 100,
  contact: 200,
  // names of people
  responsible: 100,
  responsibleLeader: 100,
  villageSecretary: 100,
  workingGroup: 100,
};

/** The maximum length of a text input called `name` (its last path segment, without list indexes). */
export function textMax(name: string): number {
  return TEXT_LIMITS[name] ?? DEFAULT_TEXT_MAX;
}

/**
 * Refuses text longer than max characters with BAD_USER_INPUT naming the field. The value is never
 * echoed back (it may be megabytes).
 */
export function checkText(field: string, value: string, max: number): string {
  // UTF-16 length is an upper bound of the code points: count them only when it could matter
  if (value.length > max) {
    let n = 0;
    for (const _ of value) if (++n > max) throw badInput(field, `at most ${max} characters`);
  }
  return value;
}
