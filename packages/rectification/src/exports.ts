// What other modules read of rectification's data: these functions (their SQL lives in the store), never
// its tables. Pairing's coverage follows the targets of a year and their causes; funding's awards the
// transformed villages; me.dueItems the complaints, problem items and cases that fall due.
export { targetsUnder, targetsAmong, transformedVillagesForFunding, openComplaintsDue, overdueProblemItems, casesDueForAcceptance } from './rectification.store.js';
export type { RectificationTarget, DueRow } from './rectification.store.js';
// the spreadsheet exports (packages/sheets): the case register and the key-target register
export { caseRegisterPage, keyTargetRegister } from './rectification.store.js';
export type { CaseRegisterRow, KeyTargetRegisterRow } from './rectification.store.js';

/** The GraphQL enum of weakness causes (`WeaknessCause`), for other modules' fields that carry a cause. */
export { CauseEnum as WeaknessCauseEnum } from './graphql/types.js';
