import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './core/logger';
import { startServer } from './server';

async function main(): Promise<void> {
  // A reader of stdout that went away (`| head`) is no reason to stop serving, nor to hang.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // Handlers go in before the start, so that a signal during start-up still stops cleanly.
  let stopRequested: string | undefined;
  let stop = (signal: string) => {
    stopRequested = signal;
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const server = await startServer(config, { logger: log });
  if (server.generatedAdminToken) {
    // Printed once: only its hash is kept.
    process.stdout.write(`\nNo ADMIN_TOKEN was set, so one was made and stored (hashed). It is shown only this once:\n\n  ADMIN_TOKEN=${server.generatedAdminToken}\n\n`);
  }
  stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    server.close().then(() => process.exit(0), (error) => {
      log.error({ err: error }, 'unclean stop');
      process.exit(1);
    });
  };
  if (stopRequested) stop(stopRequested);
}

main().catch((error) => {
  process.stderr.write(`switchboard: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
