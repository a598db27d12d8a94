import { defineActions } from '@jiceng/tenancy';

const READERS = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'] as const;
defineActions({
  // the catalogue, lights and figures of dynamic management
  'warning:read': READERS,
  // a reporter on their own village, a dynamic manager on their villages, a station in its township
  'warning:report': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'],
  // the station or centre handling a warning sends its notice (警示通知) and keeps its ledger
  'warning:notice': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_STATION'],
  'warning:resolve': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_MANAGER', 'WARNING_STATION'],
});
