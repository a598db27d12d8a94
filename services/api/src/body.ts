import type { IncomingMessage } from 'node:http';

/**
 * A request's body up to `max` bytes; null when it is longer (the rest is read and dropped, so the
 * connection can still answer). /graphql reads JSON with it, the imports a spreadsheet.
 */
export function readBodyBytes(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((ok, fail) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      chunks.length = 0;
      req.off('data', onData);
      req.resume();
      ok(null);
    };
    req.on('data', onData);
    req.on('end', () => ok(size > max ? null : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}
