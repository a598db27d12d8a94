export * from './embedded.js';
export * from './roles.js';
export * from './migrate.js';
export * from './tenant-sql.js';
export * from './orm.js';
export * from './request.js';
export * from './database.js';
export * from './errors.js';
