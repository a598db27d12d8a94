import { canDo, isAuthenticated, type RuleMap } from '@jiceng/tenancy';

export const warningRules: RuleMap = {
  Query: { indicatorCatalog: canDo('warning:read') },
  Mutation: {
    reportWarning: canDo('warning:report'),
    resolveWarning: canDo('warning:resolve'),
    recordMissedReport: canDo('warning:record-missed'),
    recordConcealment: canDo('warning:record-concealment'),
    recordStationFailure: canDo('warning:record-station-failure'),
    setReporterAccountabilityStandard: canDo('warning:standard'),
  },
  IndicatorCategory: { '*': isAuthenticated },
  IndicatorItem: { '*': isAuthenticated },
  Indicator: { '*': isAuthenticated },
  LightCounts: { '*': isAuthenticated },
  Warning: { '*': isAuthenticated },
  WarningStats: { '*': isAuthenticated },
  ReporterAccountability: { '*': isAuthenticated },
};
