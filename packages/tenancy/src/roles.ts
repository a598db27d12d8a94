// Roles and the action catalogue: an action is `area:verb`; a grant on a unit covers its subtree.
export const Role = {
  PLATFORM_ADMIN: 'PLATFORM_ADMIN',
  ORG_ADMIN: 'ORG_ADMIN', // 组织部
  INSPECTOR: 'INSPECTOR', // reads; records only inspection findings (missed/concealed reports, station failures)
  FINANCE: 'FINANCE', // 财政
  REPORTER: 'REPORTER', // 信息员
  FIRST_SECRETARY: 'FIRST_SECRETARY', // 第一书记
  ENTERPRISE: 'ENTERPRISE',
  DEPARTMENT: 'DEPARTMENT',
  LEADER: 'LEADER', // 县级领导
  WARNING_MANAGER: 'WARNING_MANAGER', // 动态管理员: a township cadre; scope = the villages assigned to them
  WARNING_STATION: 'WARNING_STATION', // 乡镇动态管理站: township staff; scope = their unit
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ALL_ROLES = Object.values(Role) as Role[];

/** Partners see only the villages they are paired with; staff see their unit's subtree. */
export const PARTNER_ROLES: readonly Role[] = ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY'];
export const STAFF_ROLES: readonly Role[] = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER', 'WARNING_STATION'];

/** Which roles a granter may hand out (to users strictly below their own unit for admin roles). */
export const GRANTABLE: Record<Role, readonly Role[]> = {
  PLATFORM_ADMIN: ALL_ROLES,
  ORG_ADMIN: ['ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER', 'FIRST_SECRETARY', 'ENTERPRISE', 'DEPARTMENT', 'LEADER', 'WARNING_MANAGER', 'WARNING_STATION'],
  INSPECTOR: [],
  FINANCE: [],
  REPORTER: [],
  FIRST_SECRETARY: [],
  ENTERPRISE: [],
  DEPARTMENT: [],
  LEADER: [],
  WARNING_MANAGER: [],
  WARNING_STATION: [],
};

const catalogue = new Map<string, Set<Role>>();

/** Modules declare their actions once, at import; the merged catalogue is snapshotted in tests. */
export function defineActions(actions: Record<string, readonly Role[]>): void {
  for (const [action, roles] of Object.entries(actions)) {
    if (!/^[a-z]+:[a-z-]+$/.test(action)) throw new Error(`bad action name ${action}`);
    const set = catalogue.get(action) ?? new Set<Role>();
    for (const r of roles) set.add(r);
    catalogue.set(action, set);
  }
}

export function rolesFor(action: string): ReadonlySet<Role> {
  const roles = catalogue.get(action);
  if (!roles) throw new Error(`unknown action ${action}`);
  return roles;
}

export function actionCatalogue(): Record<string, Role[]> {
  return Object.fromEntries([...catalogue.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([a, r]) => [a, [...r].sort()]));
}

const EVERYONE = ALL_ROLES;
const STAFF_READ: Role[] = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR', 'FINANCE', 'REPORTER'];

defineActions({
  'unit:read': EVERYONE,
  'unit:import': ['PLATFORM_ADMIN'],
  'unit:move': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'user:read': ['PLATFORM_ADMIN', 'ORG_ADMIN', 'INSPECTOR'],
  'user:manage': ['PLATFORM_ADMIN', 'ORG_ADMIN'],
  'self:read': EVERYONE,
  'dashboard:read': STAFF_READ,
});
