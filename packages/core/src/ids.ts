import { badInput } from './errors.js';

// Opaque global ids: base64url("Type:dbId"), so clients never build or parse them.
export function toGlobalId(type: string, id: string | number | bigint): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

export function fromGlobalId(globalId: string, expectedType: string, field = 'id'): string {
  const raw = Buffer.from(String(globalId), 'base64url').toString();
  const at = raw.indexOf(':');
  const type = raw.slice(0, at);
  const id = raw.slice(at + 1);
  if (at < 1 || type !== expectedType || !/^\d{1,18}$/.test(id)) {
    throw badInput(field, `not a valid ${expectedType} id`);
  }
  return id;
}
