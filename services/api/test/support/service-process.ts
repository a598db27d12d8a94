import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const CLI = (name: string) => fileURLToPath(new URL(`../../dist/cli/${name}.js`, import.meta.url));

/** Polls cond until it holds or the deadline passes (no fixed sleeps: these cores stall). */
export async function waitFor<T>(what: string, cond: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `pnpm start`'s process (services/api/dist/main.js), its JSON log lines collected. */
export class ServiceProcess {
  readonly lines: Record<string, any>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port = 0;

  private constructor(readonly child: ChildProcess) {
    let buf = '';
    const take = (c: Buffer) => {
      buf += c.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ msg: line });
        }
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  }

  /** Starts the service with env on a free port; resolves once it listens (or rejects with its log). */
  static async start(env: Record<string, string>, ms = 90_000): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new ServiceProcess(child);
    let gone = false;
    void s.exited.then(() => (gone = true));
    const listening = await waitFor('the service to listen', () => gone || s.lines.find((l) => l.msg === 'listening'), ms);
    if (listening === true) throw new Error(`the service exited during startup: ${JSON.stringify(s.lines.slice(-5))}`);
    s.port = listening.port;
    return s;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  logged(msg: string) {
    return this.lines.find((l) => l.msg === msg);
  }
}
