import { defineActions } from '@jiceng/tenancy';

defineActions({
  'funding:read': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE'],
  'funding:appropriate': ['PLATFORM_ADMIN', 'FINANCE'],
  'funding:allocate': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'FINANCE'],
  'funding:disburse': ['FINANCE'],
  'funding:spend': ['ORG_ADMIN', 'FINANCE'],
  'funding:award': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'FINANCE'],
  'funding:reverse': ['PLATFORM_ADMIN', 'FINANCE'],
  'funding:configure': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'FINANCE'],
});
