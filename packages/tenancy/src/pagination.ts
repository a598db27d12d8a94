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
  /** a number, or a function counting only when the field is asked for */
  totalCount?: TotalCount;
}

/** A connection's total: counted only when a client selects `totalCount`. */
export type TotalCount = number | (() => Promise<number>);

export function encodeCursor(key: string): string {
  return Buffer.from(`c:${key}`).toString('base64url');
}

/** Keys of the cursors this API hands out: database ids, offsets, unit codes; other keys are 1 to 200 characters. */
export const CURSOR_KEYS = {
  id: /^[1-9]\d{0,17}$/,
  offset: /^(0|[1-9]\d{0,5})$/,
  code: /^\d{12}$/,
  any: /^[^\u0000]{1,200}$/,
} as const;

/**
 * The key inside a cursor, or null without one. Anything this API did not hand out (not canonical
 * base64url of `c:<key>`, or a key not of the expected shape) is BAD_USER_INPUT on the field `after`:
 * never a database error, never silently the first page.
 */
export function decodeCursor(cursor: string | null | undefined, field = 'after', key: RegExp = CURSOR_KEYS.any): string | null {
  if (cursor == null) return null;
  const raw = cursor.length <= 400 ? Buffer.from(cursor, 'base64url').toString() : '';
  if (!raw.startsWith('c:') || encodeCursor(raw.slice(2)) !== cursor || !key.test(raw.slice(2))) {
    throw badInput(field, 'not a cursor from this API');
  }
  return raw.slice(2);
}

/** A keyset cursor over database ids. */
export const decodeIdCursor = (cursor: string | null | undefined, field = 'after') => decodeCursor(cursor, field, CURSOR_KEYS.id);

/** An offset cursor (ranked results): a whole number below a million. */
export function decodeOffsetCursor(cursor: string | null | undefined, field = 'after'): number {
  const key = decodeCursor(cursor, field, CURSOR_KEYS.offset);
  return key == null ? 0 : Number(key);
}

export function pageSize(first: number | null | undefined, dflt = 50): number {
  const n = first ?? dflt;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw badInput('first', `must be an integer from 0 to ${MAX_PAGE}`);
  return n;
}

/** Given up to size+1 rows, returns the page and whether there is more. */
export function toPage<T>(rows: T[], size: number, key: (r: T) => string, totalCount?: TotalCount): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size, cursorOf: (n) => encodeCursor(key(n)), totalCount };
}
