// Every environment variable the server reads, parsed and validated in one place.
// A bad value stops the start with one line naming the variable.

import type { QueryLimits } from './core/query-limits';
import { parseOperatorRegions } from './compliance/operator-regions';
import type { LegalHoursRule } from './compliance/legal-hours';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | { type: 'mysql'; url: string };

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** True when CARRIER_SIMULATOR=on and no credentials were given: the built-in carrier simulator is used. */
  simulated: boolean;
  apiBaseUrl: string;
  /** How long a hand-over waits for the carrier's answer; one not come by then counts as lost. */
  timeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl?: string;
  /** Namespace of this deployment's Redis channels and keys: instances that share work share it. */
  redisPrefix: string;
  adminToken?: string;
  /** The secret ids are made under; unset: one generated and kept in the database. */
  idSecret?: string;
  twilio: TwilioConfig;
  publicUrl: string;
  logLevel: LogLevel;
  /** Options of the carrier simulator, used only when twilio.simulated. */
  simulator: { undeliveredShare: number; callbackDelayMs: number };
  /** A message the carrier took and has said nothing of for this long is asked about. */
  statusRefreshAfterMs: number;
  /** False in tests and benchmarks that drive the queue themselves. */
  startWorkers: boolean;
  /** Double opt-in: how long an unanswered request stays PENDING (a group may set its own), and how often expiry is checked. */
  doubleOptIn: { defaultExpirySeconds: number; sweepMs: number };
  /** A launch's background planning: members per chunk (one transaction each), and the lease an instance holds it by. */
  launchPlanning: { chunk: number; leaseMs: number; writers: number };
  /** What one GraphQL document may ask, checked before it runs. */
  queryLimits: QueryLimits;
  /** The second line, while it runs: a time budget and a cap on the rows its resolvers return. */
  execution: { timeoutMs: number; maxRows: number };
  /** A live-events socket with more than this many bytes unsent is closed (1013) for its client to reconnect. */
  liveEvents: { maxBufferedBytes: number };
  /** Failed authentications allowed per client address and per key prefix before 429. */
  failedAuth: FailedAuthLimits;
  /** Event webhooks to partners (src/event-webhooks). */
  webhooks: WebhookConfig;
  /** The law's hours and caps (src/compliance): enforced unless LEGAL_RULES=off; the regions an operator adds. */
  legal: { enforced: boolean; regions: LegalHoursRule[] };
}

export interface WebhookConfig {
  /**
   * WEBHOOKS_DEVELOPMENT=on (the default with NODE_ENV=development): endpoints may be http and
   * on loopback or private addresses. Off, only https to public addresses is registered or called.
   */
  development: boolean;
  /** A delivery not answered within this is a failed attempt. */
  timeoutMs: number;
  /** How long a delivery is retried before it is marked FAILED. */
  retryForMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  /** How often an instance looks for due deliveries. */
  pollMs: number;
  /** Endpoints one instance delivers to at once (each endpoint's deliveries go one at a time, in order). */
  concurrency: number;
}

export interface FailedAuthLimits {
  /** Failed attempts allowed per client address, and per key prefix, within the window. */
  failures: number;
  windowSeconds: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

// Account SID and token the simulator signs with; not secrets, they only ever reach our own endpoints.
export const SIMULATOR_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const SIMULATOR_AUTH_TOKEN = 'switchboard-simulator-auth-token';

function parsePort(env: Env): number {
  const raw = env.PORT ?? '4000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new ConfigError(`PORT must be a port number from 0 to 65535, got "${raw}"`);
  return port;
}

function parseDatabase(env: Env): DatabaseConfig {
  const raw = env.DATABASE_URL ?? 'sqlite:./data/switchboard.db';
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/switchboard.db');
    return { type: 'sqlite', path };
  }
  if (/^mysql:\/\//.test(raw) || /^mariadb:\/\//.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw.replace(/^mariadb:/, 'mysql:'));
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid URL: "${raw}"`);
    }
    if (!url.hostname || url.pathname.length < 2) {
      throw new ConfigError('DATABASE_URL must name a host and a database, e.g. mysql://user:pass@host:3306/db');
    }
    return { type: 'mysql', url: url.toString() };
  }
  throw new ConfigError(`DATABASE_URL must start with mysql:// or sqlite:, got "${raw}"`);
}

function parseUrl(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new Error();
    }
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
}

function parseShare(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  return value;
}

function parseWholeMs(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 100 || value > 600_000) throw new ConfigError(`${name} must be a whole number of milliseconds from 100 to 600000, got "${raw}"`);
  return value;
}

/**
 * The simulator takes messages and fakes callbacks on published credentials, so it runs only
 * when asked (`npm start` asks outside production), never in production, and then only
 * without Twilio credentials. Without either, nothing could send: the start stops.
 */
function carrierSimulatorAsked(env: Env): boolean {
  const asked = parseOnOff(env, 'CARRIER_SIMULATOR', false);
  const production = env.NODE_ENV === 'production';
  if (asked && production) throw new ConfigError('CARRIER_SIMULATOR=on is refused with NODE_ENV=production: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  if (!asked) {
    throw new ConfigError(production
      ? 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set with NODE_ENV=production'
      : 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set, or CARRIER_SIMULATOR=on for the built-in carrier simulator (npm start sets it outside production)');
  }
  return true;
}

function parseCount(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

function parseOnOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

function parseWebhooks(env: Env): WebhookConfig {
  const config: WebhookConfig = {
    development: parseOnOff(env, 'WEBHOOKS_DEVELOPMENT', env.NODE_ENV === 'development'),
    timeoutMs: parseCount(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 50),
    retryForMs: parseCount(env, 'WEBHOOK_RETRY_FOR_MS', 24 * 3600_000, 0),
    backoffBaseMs: parseCount(env, 'WEBHOOK_BACKOFF_BASE_MS', 10_000, 1),
    backoffMaxMs: parseCount(env, 'WEBHOOK_BACKOFF_MAX_MS', 3600_000, 1),
    disableAfterMs: parseCount(env, 'WEBHOOK_DISABLE_AFTER_MS', 3 * 24 * 3600_000, 1),
    pollMs: parseCount(env, 'WEBHOOK_POLL_MS', 500, 10),
    concurrency: parseCount(env, 'WEBHOOK_CONCURRENCY', 16, 1),
  };
  if (config.development && env.NODE_ENV === 'production') throw new ConfigError('WEBHOOKS_DEVELOPMENT=on is refused with NODE_ENV=production');
  return config;
}

function parseRedisPrefix(raw: string | undefined): string {
  const prefix = raw ?? 'switchboard';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) throw new ConfigError(`REDIS_PREFIX must be 1 to 64 letters, digits or _.:-, got "${raw}"`);
  return prefix;
}

/** The law's rules hold unless turned off, which production refuses (tests of other rules turn them off). */
function parseLegal(env: Env): Config['legal'] {
  const enforced = parseOnOff(env, 'LEGAL_RULES', true);
  if (!enforced && env.NODE_ENV === 'production') throw new ConfigError('LEGAL_RULES=off is refused with NODE_ENV=production: the law\'s hours and caps always hold there');
  try {
    return { enforced, regions: parseOperatorRegions(env.LEGAL_HOURS_REGIONS) };
  } catch (error) {
    throw new ConfigError(`LEGAL_HOURS_REGIONS ${(error as Error).message}`);
  }
}

/**
 * A launch writes its chunks over `writers` connections at once (each chunk still commits after
 * the one before it). SQLite has one writer and TypeORM one connection to it: always 1 there.
 */
function launchPlanning(env: Env, database: DatabaseConfig['type']): Config['launchPlanning'] {
  const writers = parseCount(env, 'LAUNCH_WRITERS', 2);
  // Each writer holds one of the pool's 20 connections for as long as its chunk takes.
  if (writers > 4) throw new ConfigError(`LAUNCH_WRITERS must be at most 4, got "${env.LAUNCH_WRITERS}"`);
  return {
    chunk: parseCount(env, 'LAUNCH_CHUNK_SIZE', 5_000),
    leaseMs: parseWholeMs('LAUNCH_PLANNING_LEASE_MS', env.LAUNCH_PLANNING_LEASE_MS, 15_000),
    writers: database === 'sqlite' ? 1 : writers,
  };
}

export function loadConfig(env: Env = process.env): Config {
  const port = parsePort(env);
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of debug, info, warn, error, got "${env.LOG_LEVEL}"`);
  }
  const sid = env.TWILIO_ACCOUNT_SID || undefined;
  const token = env.TWILIO_AUTH_TOKEN || undefined;
  if (Boolean(sid) !== Boolean(token)) {
    throw new ConfigError(`${sid ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID'} must be set together with ${sid ? 'TWILIO_ACCOUNT_SID' : 'TWILIO_AUTH_TOKEN'}`);
  }
  if (sid && !/^AC[0-9a-fA-F]{32}$/.test(sid)) throw new ConfigError('TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex digits');
  const publicUrl = parseUrl('PUBLIC_URL', env.PUBLIC_URL || `http://localhost:${port}`);
  const simulated = !sid && carrierSimulatorAsked(env);
  const apiBaseUrl = env.TWILIO_API_BASE_URL
    ? parseUrl('TWILIO_API_BASE_URL', env.TWILIO_API_BASE_URL)
    : simulated
      ? `${publicUrl}/carrier`
      : 'https://api.twilio.com';
  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN must be at least 16 characters');
  const idSecret = env.ID_SECRET || undefined;
  if (idSecret !== undefined && idSecret.length < 32) throw new ConfigError('ID_SECRET must be at least 32 characters');
  const database = parseDatabase(env);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    database,
    redisUrl: env.REDIS_URL ? parseUrl('REDIS_URL', env.REDIS_URL) : undefined,
    redisPrefix: parseRedisPrefix(env.REDIS_PREFIX),
    adminToken,
    idSecret,
    twilio: {
      accountSid: sid ?? SIMULATOR_ACCOUNT_SID,
      authToken: token ?? SIMULATOR_AUTH_TOKEN,
      simulated,
      apiBaseUrl,
      timeoutMs: parseWholeMs('TWILIO_TIMEOUT_MS', env.TWILIO_TIMEOUT_MS, 10_000),
    },
    publicUrl,
    logLevel,
    simulator: {
      undeliveredShare: parseShare('SIMULATOR_UNDELIVERED_SHARE', env.SIMULATOR_UNDELIVERED_SHARE, 0.05),
      callbackDelayMs: Number(env.SIMULATOR_CALLBACK_DELAY_MS ?? 200) || 0,
    },
    statusRefreshAfterMs: parseWholeMs('STATUS_REFRESH_AFTER_MS', env.STATUS_REFRESH_AFTER_MS, 600_000),
    startWorkers: env.SWITCHBOARD_WORKERS !== 'off',
    doubleOptIn: {
      defaultExpirySeconds: parseCount(env, 'DOUBLE_OPT_IN_EXPIRY_SECONDS', 48 * 3600),
      sweepMs: parseWholeMs('DOUBLE_OPT_IN_SWEEP_MS', env.DOUBLE_OPT_IN_SWEEP_MS, 60_000),
    },
    launchPlanning: launchPlanning(env, database.type),
    queryLimits: {
      maxTokens: parseCount(env, 'GRAPHQL_MAX_TOKENS', 5_000),
      maxAliases: parseCount(env, 'GRAPHQL_MAX_ALIASES', 30),
      maxDepth: parseCount(env, 'GRAPHQL_MAX_DEPTH', 12),
      maxDirectives: parseCount(env, 'GRAPHQL_MAX_DIRECTIVES', 50),
      maxCost: parseCount(env, 'GRAPHQL_MAX_COST', 10_000),
    },
    execution: {
      timeoutMs: parseCount(env, 'GRAPHQL_TIMEOUT_MS', 10_000),
      maxRows: parseCount(env, 'GRAPHQL_MAX_ROWS', 20_000),
    },
    liveEvents: { maxBufferedBytes: parseCount(env, 'LIVE_EVENTS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024) },
    failedAuth: {
      failures: parseCount(env, 'AUTH_FAILURE_LIMIT', 20),
      windowSeconds: parseCount(env, 'AUTH_FAILURE_WINDOW_SECONDS', 60),
    },
    webhooks: parseWebhooks(env),
    legal: parseLegal(env),
  };
}
