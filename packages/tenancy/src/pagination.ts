import { badInput } from '@jiceng/core';

// Relay-style pagination by keyset: the cursor is an opaque encoding of the sort key.
export const MAX_PAGE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursorOf: (node: T) => string;
  totalCount?: number;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`c:${key}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, field = 'after'): string | null {
  if (cursor == null) return null;
  const raw = Buffer.from(cursor, 'base64url').toString();
  if (!raw.startsWith('c:') || raw.includes('\u0000')) throw badInput(field, 'not a cursor from this API');
  return raw.slice(2);
}

export function pageSize(first: number | null | undefined, dflt = 50): number {
  const n = first ?? dflt;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw badInput('first', `must be an integer from 0 to ${MAX_PAGE}`);
  return n;
}

/** Given up to size+1 rows, returns the page and whether there is more. */
export function toPage<T>(rows: T[], size: number, key: (r: T) => string, totalCount?: number): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size, cursorOf: (n) => encodeCursor(key(n)), totalCount };
}
