import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { bufferedWriter, createLogger } from '../src/log.js';

describe('log lines', () => {
  test('lines of one turn of the event loop leave in one write, in order, on the next turn', async () => {
    const writes: string[] = [];
    const sink = bufferedWriter({ write: (t: string) => writes.push(t) });
    const log = createLogger('info', { service: 's' }, sink.write);
    log.info('a', { n: 1 });
    log.debug('hidden');
    log.child({ requestId: 'r' }).warn('b', { password: 'x' });
    expect(writes).toEqual([]);
    await new Promise((ok) => setImmediate(ok));
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'info', msg: 'a', service: 's', n: 1 },
      { level: 'warn', msg: 'b', service: 's', requestId: 'r', password: '[redacted]' },
    ]);
    log.info('c');
    sink.flush();
    expect(writes).toHaveLength(2);
  });

  test('a line logged just before process.exit is written', () => {
    const code = `import('${new URL('../src/log.ts', import.meta.url).pathname}').then(({ createLogger }) => { createLogger('info').error('fatal', { n: 7 }); process.exit(3); })`;
    const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', '-e', code], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ level: 'error', msg: 'fatal', n: 7 });
  });
});
