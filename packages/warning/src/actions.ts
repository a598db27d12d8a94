import { defineActions } from '@jiceng/tenancy';

const READERS = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'] as const;
defineActions({
  // the catalogue, lights and figures of dynamic management
  'warning:read': READERS,
  // a reporter on their own village, a dynamic manager on their villages, a station in its township
  'warning:report': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'],
  'warning:resolve': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_MANAGER', 'WARNING_STATION'],
  // reporter accountability (信息员责任追究) and station failures
  'warning:accountability': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'WARNING_STATION'],
  'warning:record-missed': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'WARNING_STATION'],
  'warning:record-concealment': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'],
  'warning:record-station-failure': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'],
  'warning:standard': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
});
