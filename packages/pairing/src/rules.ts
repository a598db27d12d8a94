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
