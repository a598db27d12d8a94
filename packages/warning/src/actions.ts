import { defineActions } from '@jiceng/tenancy';

const READERS = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'] as const;
defineActions({
  // the catalogue, lights and figures of dynamic management
  'warning:read': READERS,
  // a region's indicator catalogue, set from above (a unit above the region, or the platform)
  'warning:catalog': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  // a reporter on their own village, a dynamic manager on their villages, a station in its township;
  // the same reach records, settles and defers the village's disputes (矛盾纠纷排查)
  'warning:report': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'REPORTER', 'WARNING_MANAGER', 'WARNING_STATION'],
  // the station or centre handling a warning sends its notice (警示通知) and keeps its ledger
  'warning:notice': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_STATION'],
  // the county centre (or above) issues 限期整改通知; the lead department reads those addressed to it
  'warning:rectification-notice': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'warning:read-rectification-notices': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'WARNING_STATION', 'DEPARTMENT'],
  // a RED warning into a rectification case (rectification:manage decides too)
  'warning:open-case': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'warning:resolve': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'WARNING_MANAGER', 'WARNING_STATION'],
  // reporter accountability (信息员责任追究) and station failures
  'warning:accountability': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'WARNING_STATION'],
  'warning:record-missed': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'WARNING_STATION'],
  'warning:record-concealment': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'],
  'warning:record-station-failure': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'],
  'warning:standard': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  // county finance pays the reporters' monthly subsidy (信息员补贴) through the funding ledger
  'warning:pay-subsidy': ['PLATFORM_ADMIN', 'FINANCE'],
});
