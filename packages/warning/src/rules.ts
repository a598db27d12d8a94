import { canDo, isAuthenticated, type RuleMap } from '@jiceng/tenancy';

export const warningRules: RuleMap = {
  Query: { indicatorCatalog: canDo('warning:read') },
  Mutation: {
    reportWarning: canDo('warning:report'),
    resolveWarning: canDo('warning:resolve'),
    sendWarningNotice: canDo('warning:notice'),
  },
  AdminUnit: { warningLedger: canDo('warning:read') },
  WarningNotice: { '*': isAuthenticated },
  WarningHistoryEntry: { '*': isAuthenticated },
  WarningConnection: { '*': isAuthenticated },
  WarningEdge: { '*': isAuthenticated },
  IndicatorCategory: { '*': isAuthenticated },
  IndicatorItem: { '*': isAuthenticated },
  Indicator: { '*': isAuthenticated },
  LightCounts: { '*': isAuthenticated },
  Warning: { '*': isAuthenticated },
  WarningStats: { '*': isAuthenticated },
};
