import { defineActions } from '@jiceng/tenancy';

defineActions({
  'pairing:read': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'],
  'pairing:manage': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'support:log': ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'],
  'support:read': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'],
});
