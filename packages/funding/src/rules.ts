import { canDo, isAuthenticated, type RuleMap } from '@jiceng/tenancy';

export const fundingRules: RuleMap = {
  Mutation: {
    appropriateFunds: canDo('funding:appropriate'),
    allocateFunds: canDo('funding:allocate'),
    allocateByStandard: canDo('funding:allocate'),
    disburseFunds: canDo('funding:disburse'),
    disburseFundsBatch: canDo('funding:disburse'),
    recordVillageSpending: canDo('funding:spend'),
    grantAward: canDo('funding:award'),
    allocateAwardQuota: canDo('funding:award'),
    reverseTransfer: canDo('funding:reverse'),
    setFundingStandards: canDo('funding:configure'),
  },
  // the AdminUnit fields of this module (the other AdminUnit fields keep tenancy's isAuthenticated)
  AdminUnit: {
    fundsSummary: canDo('funding:read'),
    transfers: canDo('funding:read'),
    fundingStandards: canDo('funding:read'),
    fundingCompliance: canDo('funding:read'),
  },
  FundsSummary: { '*': isAuthenticated },
  FundFigures: { '*': isAuthenticated },
  FundingCompliance: { '*': isAuthenticated },
  CountyDisbursement: { '*': isAuthenticated },
  Transfer: { '*': isAuthenticated },
  TransferConnection: { '*': isAuthenticated },
  TransferEdge: { '*': isAuthenticated },
  FundingStandards: { '*': isAuthenticated },
};
