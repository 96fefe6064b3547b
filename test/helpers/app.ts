import 'reflect-metadata';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/core/logger';
import { startServer, type RunningServer } from '../../src/server';
import { databaseKinds, freshDatabase, type DatabaseKind, type FreshDatabase } from './databases';
import { freePort } from './net';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string; [key: string]: unknown } }>;
}

export interface TestApp {
  kind: DatabaseKind;
  url: string;
  server: RunningServer;
  databaseUrl: string;
  /** Posts a GraphQL operation with the given bearer token (none when null). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  /** Stops the server and starts a new one on the same port and database (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface BootOptions {
  env?: Record<string, string>;
  /** Keep an existing database instead of a fresh one. */
  database?: FreshDatabase;
  /** The server's logger; silent (or TEST_LOG_LEVEL) otherwise. */
  logger?: Logger;
}

/** Boots the real server on a free port over a database of its own, as `npm start` would. */
export async function bootApp(kind: DatabaseKind, options: BootOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase(kind));
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    ADMIN_TOKEN,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'error',
    // The carrier simulator runs only when asked; the tests send through it.
    CARRIER_SIMULATOR: 'on',
    SIMULATOR_CALLBACK_DELAY_MS: '20',
    // The law's hours would hold most tests' US numbers at night: test/law.test.ts turns them on.
    LEGAL_RULES: 'off',
    ...options.env,
  };
  const start = () => startServer(loadConfig(env), { logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL as 'debug' ?? 'silent'), defaultMetrics: false });
  let server = await start();
  const url = server.url;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN): Promise<GraphQLResponse<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GraphQLResponse<T>;
  };

  const app: TestApp = {
    kind,
    url,
    databaseUrl: database.url,
    get server() {
      return server;
    },
    gql,
    async ok<T>(query: string, variables?: Record<string, unknown>, token?: string | null) {
      const res = await gql<T>(query, variables, token);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data as T;
    },
    async restart() {
      await server.close();
      server = await start();
    },
    async close() {
      await server.close();
      if (!options.database) await database.drop();
    },
  };
  return app;
}

/**
 * Runs a suite once per database: SQLite always, MariaDB too when TEST_MYSQL_URL is set.
 * The server boots once per database for the suite.
 */
export function describeEachDatabase(title: string, suite: (app: () => TestApp) => void, options: Omit<BootOptions, 'database'> = {}): void {
  for (const kind of databaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let app: TestApp | undefined;
      beforeAll(async () => {
        app = await bootApp(kind, options);
      });
      afterAll(async () => {
        await app?.close();
      });
      suite(() => {
        if (!app) throw new Error('the app did not boot');
        return app;
      });
    });
  }
}
