export * from './boot.js';
export * from './schema.js';
export * from './server.js';
export * from './modules.js';
export { resolveLimits, sessionTimeoutsFor } from './limits.js';
