import { createLogger, readConfig } from '@jiceng/core';
import { startService } from './boot.js';

const config = readConfig();
const log = createLogger(config.logLevel, { service: 'jiceng-api' });

try {
  const service = await startService(config, log);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await service.stop();
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    } catch (e) {
      log.error('shutdown failed', { error: e });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (e) {
  log.error('startup failed', { error: e });
  process.exit(1);
}
