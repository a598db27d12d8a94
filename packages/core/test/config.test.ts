import { describe, expect, test } from 'vitest';
import { readConfig } from '../src/config.js';

describe('request limits from the environment', () => {
  test('unset limits are left to the defaults; set ones are read as numbers, introspection as 1/0', () => {
    expect(readConfig({}).limits).toEqual({});
    const { limits } = readConfig({ GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_COST: '20000', REQUEST_DEADLINE_MS: '5000', DB_STATEMENT_TIMEOUT_MS: '', GRAPHQL_INTROSPECTION: '1' });
    expect(limits).toEqual({ maxDepth: 8, maxCost: 20000, deadlineMs: 5000, introspection: true });
    expect(readConfig({ GRAPHQL_INTROSPECTION: '0' }).limits).toEqual({ introspection: false });
  });

  test('a limit that is not a positive integer stops the start, naming the variable', () => {
    expect(() => readConfig({ GRAPHQL_MAX_DEPTH: 'ten' })).toThrow(/GRAPHQL_MAX_DEPTH must be a positive integer/);
    expect(() => readConfig({ HTTP_MAX_BODY_BYTES: '0' })).toThrow(/HTTP_MAX_BODY_BYTES/);
    expect(() => readConfig({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION must be 1 or 0/);
  });
});
