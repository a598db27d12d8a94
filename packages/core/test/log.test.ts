import { describe, expect, test } from 'vitest';
import { createLogger, gatheredLines } from '../src/log.js';

/** Resolves once check() holds, polling; fails after the deadline. */
async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((ok) => setImmediate(ok));
  }
}

describe('gatheredLines: the service log output', () => {
  test('info lines wait and go out together; a warning goes out at once, after what waited, in order', async () => {
    const writes: string[] = [];
    const write = gatheredLines((t) => writes.push(t), 20);
    const log = createLogger('info', { service: 't' }, write);
    log.info('a');
    log.info('b');
    expect(writes).toEqual([]); // not yet: gathered
    await until(() => writes.length > 0);
    expect(writes).toHaveLength(1); // one write for both
    expect(writes[0]!.split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)).toEqual(['a', 'b']);
    log.info('c');
    log.error('d', { password: 'x' });
    // the error did not wait, and took the line before it along
    expect(writes).toHaveLength(2);
    const lines = writes[1]!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['info', 'c'], ['error', 'd']]);
    expect(lines[1].password).toBe('[redacted]');
  });

  test('a full buffer goes out without waiting; flush() writes what waits', () => {
    const writes: string[] = [];
    const write = gatheredLines((t) => writes.push(t), 60_000, 100);
    write('x'.repeat(60), 'info');
    expect(writes).toHaveLength(0);
    write('y'.repeat(60), 'info');
    expect(writes).toEqual([`${'x'.repeat(60)}\n${'y'.repeat(60)}\n`]);
    write('z', 'debug');
    write.flush();
    expect(writes[1]).toBe('z\n');
    write.flush(); // nothing waits: nothing written
    expect(writes).toHaveLength(2);
  });
});
