import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger };

export function createLogger(level: LogLevel | 'silent'): Logger {
  return pino({ level, base: { service: 'switchboard' }, timestamp: pino.stdTimeFunctions.isoTime });
}
