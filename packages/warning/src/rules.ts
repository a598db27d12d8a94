import { canDo, isAuthenticated, type RuleMap } from '@jiceng/tenancy';

export const warningRules: RuleMap = {
  Query: { indicatorCatalog: canDo('warning:read'), rectificationNotices: canDo('warning:read-rectification-notices') },
  Mutation: {
    reportWarning: canDo('warning:report'),
    resolveWarning: canDo('warning:resolve'),
    recordMissedReport: canDo('warning:record-missed'),
    recordConcealment: canDo('warning:record-concealment'),
    recordStationFailure: canDo('warning:record-station-failure'),
    setReporterAccountabilityStandard: canDo('warning:standard'),
    sendWarningNotice: canDo('warning:notice'),
    issueRectificationNotice: canDo('warning:rectification-notice'),
    openCaseFromWarning: canDo('warning:open-case'),
  },
  AdminUnit: { warningLedger: canDo('warning:read') },
  WarningNotice: { '*': isAuthenticated },
  RectificationNotice: { '*': isAuthenticated },
  WarningHistoryEntry: { '*': isAuthenticated },
  WarningConnection: { '*': isAuthenticated },
  WarningEdge: { '*': isAuthenticated },
  IndicatorCategory: { '*': isAuthenticated },
  IndicatorItem: { '*': isAuthenticated },
  Indicator: { '*': isAuthenticated },
  LightCounts: { '*': isAuthenticated },
  Warning: { '*': isAuthenticated },
  WarningStats: { '*': isAuthenticated },
  ReporterAccountability: { '*': isAuthenticated },
};
