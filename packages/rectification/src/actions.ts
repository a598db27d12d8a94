import { defineActions } from '@jiceng/tenancy';

// Who may do what in the ledger (a grant covers the holder's subtree).
defineActions({
  'rectification:read': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'],
  'rectification:assess': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'rectification:manage': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'rectification:configure': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'complaint:receive': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'REPORTER'],
  'complaint:reply': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
});
