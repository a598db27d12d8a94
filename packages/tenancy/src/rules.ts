import { allow, canDo, isAuthenticated, type RuleMap } from './shield.js';

export const tenancyRules: RuleMap = {
  Query: {
    adminUnit: canDo('unit:read'),
    adminUnitById: canDo('unit:read'),
    me: isAuthenticated,
    user: canDo('user:read'),
    users: canDo('user:read'),
  },
  Mutation: {
    login: allow,
    moveAdminUnit: canDo('unit:move'),
    importAdminUnits: canDo('unit:import'),
    createUser: canDo('user:manage'),
    updateUser: canDo('user:manage'),
    disableUser: canDo('user:manage'),
    enableUser: canDo('user:manage'),
    clearLoginFailures: canDo('user:manage'),
    changePassword: isAuthenticated,
  },
  Subscription: {
    lightChanged: canDo('unit:read'),
  },
  LightChange: { '*': isAuthenticated },
  AdminUnit: { '*': isAuthenticated },
  AdminUnitConnection: { '*': isAuthenticated },
  AdminUnitEdge: { '*': isAuthenticated },
  PageInfo: { '*': allow },
  LevelCount: { '*': isAuthenticated },
  AdminUnitMove: { '*': isAuthenticated },
  User: { '*': isAuthenticated },
  UserConnection: { '*': isAuthenticated },
  UserEdge: { '*': isAuthenticated },
  AuthPayload: { '*': allow },
  Me: { '*': isAuthenticated },
  DueItem: { '*': isAuthenticated },
  ImportResult: { '*': isAuthenticated },
};
