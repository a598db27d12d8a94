export * from './errors.js';
export * from './money.js';
export * from './ids.js';
export * from './calendar.js';
export * from './config.js';
export * from './log.js';
export * from './client-address.js';
export * from './text.js';
