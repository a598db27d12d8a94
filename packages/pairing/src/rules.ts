import { canDo, isAuthenticated, type RuleMap } from '@jiceng/tenancy';

export const pairingRules: RuleMap = {
  Query: { partner: canDo('pairing:read') },
  Mutation: {
    registerPartner: canDo('pairing:manage'),
    pairPartner: canDo('pairing:manage'),
    endPairing: canDo('pairing:manage'),
    linkPartnerAccount: canDo('pairing:manage'),
    logSupport: canDo('support:log'),
    correctSupport: canDo('support:log'),
  },
  // the module's fields on AdminUnit: the services assert the unit's scope
  AdminUnit: {
    pairingCoverage: canDo('pairing:read'),
    departmentSuggestions: canDo('pairing:read'),
    pairings: canDo('pairing:read'),
    partners: canDo('pairing:read'),
    supportTotals: canDo('support:read'),
    supportEntries: canDo('support:read'),
  },
  Partner: { '*': isAuthenticated },
  SlotCoverage: { '*': isAuthenticated },
  VillageCoverage: { '*': isAuthenticated },
  PairingCoverage: { '*': isAuthenticated },
  SupportTotals: { '*': isAuthenticated },
  Pairing: { '*': isAuthenticated },
  PartnerConnection: { '*': isAuthenticated },
  PartnerEdge: { '*': isAuthenticated },
  SupportEntry: { '*': isAuthenticated },
  SupportEntryConnection: { '*': isAuthenticated },
  SupportEntryEdge: { '*': isAuthenticated },
};
