import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger };

/**
 * Logs go to process.stdout, a stream whose errors main.ts handles: when stdout is a closed
 * pipe (piped into `head`), logging stops and the process goes on, SIGTERM included. pino's
 * default writer loops forever in its flush when the pipe breaks before it noticed.
 */
export function createLogger(level: LogLevel | 'silent'): Logger {
  return pino({ level, base: { service: 'switchboard' }, timestamp: pino.stdTimeFunctions.isoTime }, process.stdout);
}
