export * from './app.js';
export * from './client.js';
export * from './database.js';
export * from './fixtures.js';
export * from './tree.js';
export * from './passwords.js';
export { allEntities } from '@jiceng/api';
export * from './isolation.js';
