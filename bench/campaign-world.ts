import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { startServer, type RunningServer } from '../src/server';
import { freePort, freshBenchDatabase, postGraphQL } from './support';

// Shared by the campaign benchmarks: a real server on a fresh MariaDB database, one account
// with a group over ten countries (one of them not enabled, so part of the audience is refused).

export const ADMIN_TOKEN = `bench-${randomBytes(12).toString('hex')}`;

const pad = (i: number, n: number) => String(i).padStart(n, '0');

/** Ten countries, each with its number pattern and a sender of its own. */
export const COUNTRIES: Array<{ country: string; number: (i: number) => string; sender: { type: string; value: string; country?: string } }> = [
  { country: 'US', number: (i) => `+14155${pad(i, 6)}`, sender: { type: 'LONG_CODE', value: '+12025550100' } },
  { country: 'CA', number: (i) => `+14165${pad(i, 6)}`, sender: { type: 'LONG_CODE', value: '+14165550100' } },
  { country: 'GB', number: (i) => `+447400${pad(i, 6)}`, sender: { type: 'ALPHANUMERIC', value: 'ShopGB', country: 'GB' } },
  { country: 'DE', number: (i) => `+49151${pad(i, 6)}01`, sender: { type: 'ALPHANUMERIC', value: 'ShopDE', country: 'DE' } },
  { country: 'FR', number: (i) => `+336${pad(i, 6)}00`, sender: { type: 'ALPHANUMERIC', value: 'ShopFR', country: 'FR' } },
  { country: 'ES', number: (i) => `+346${pad(i, 6)}12`, sender: { type: 'ALPHANUMERIC', value: 'ShopES', country: 'ES' } },
  { country: 'IT', number: (i) => `+39312${pad(i, 7)}`, sender: { type: 'ALPHANUMERIC', value: 'ShopIT', country: 'IT' } },
  { country: 'NL', number: (i) => `+3162${pad(i, 7)}`, sender: { type: 'ALPHANUMERIC', value: 'ShopNL', country: 'NL' } },
  { country: 'AU', number: (i) => `+614${pad(i, 6)}12`, sender: { type: 'ALPHANUMERIC', value: 'ShopAU', country: 'AU' } },
  { country: 'BR', number: (i) => `+55119${pad(i, 6)}12`, sender: { type: 'ALPHANUMERIC', value: 'ShopBR', country: 'BR' } },
];

export interface BenchWorld {
  server: RunningServer;
  key: string;
  groupId: string;
  members: number;
  gql(query: string, variables?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

/** BENCH_ENV='A=1,B=2' adds server variables, e.g. to try the simulator without callbacks. */
function envOverrides(): Record<string, string> {
  return Object.fromEntries((process.env.BENCH_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
}

export interface BenchServer {
  server: RunningServer;
  /** A GraphQL operation as the operator (admin token). */
  admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** The real server in this process on a fresh MariaDB database, reached over HTTP on loopback. */
export async function startBenchServer(options: { workers: boolean; env?: Record<string, string> }): Promise<BenchServer> {
  const database = await freshBenchDatabase();
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_TOKEN, LOG_LEVEL: 'error', CARRIER_SIMULATOR: 'on',
    PUBLIC_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_WORKERS: options.workers ? 'on' : 'off',
    // The law's hours would hold US recipients at night, whatever the hour the benchmark runs (BENCH_ENV=LEGAL_RULES=on to measure them).
    LEGAL_RULES: 'off', ...options.env, ...envOverrides(),
  });
  const server = await startServer(config, { logger: createLogger('silent'), defaultMetrics: false });
  return {
    server,
    admin: (query, variables = {}) => postGraphQL(server.url, query, variables, ADMIN_TOKEN),
    close: async () => {
      await server.close();
      await database.drop();
    },
  };
}

export async function buildWorld(options: { members: number; workers: boolean; maxPerSecond?: number; env?: Record<string, string> }): Promise<BenchWorld> {
  const { server, admin, close } = await startBenchServer(options);
  const seeded = await seedWorld(server.url, admin, options);
  return { server, ...seeded, close };
}

/** The account, its ten countries' senders and `members` contacts in one group, made through the API of the server at `url`. */
export async function seedWorld(url: string, admin: <T = any>(query: string, variables?: Record<string, unknown>) => Promise<T>, options: { members: number; maxPerSecond?: number; variant?: number }) {
  const { createAccount } = await admin('mutation { createAccount(input: { name: "Bench", homeCountry: "US" }) { account { id } apiKey { secret } } }');
  const key: string = createAccount.apiKey.secret;
  const accountId: string = createAccount.account.id;
  const gql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(url, query, variables, key);
  // BR stays disabled: its members are refused with GEO_PERMISSION_DENIED.
  await gql('mutation($a: ID!, $c: [String!]!) { setGeoPermissions(accountId: $a, countries: $c, enabled: true) { enabledCountries } }',
    { a: accountId, c: COUNTRIES.map((c) => c.country).filter((c) => c !== 'BR') });
  const { createSubscriptionGroup } = await gql('mutation { createSubscriptionGroup(input: { name: "bench" }) { id } }');
  const groupId: string = createSubscriptionGroup.id;
  for (const { sender } of COUNTRIES) {
    // A sender value belongs to one group: a second world on the same server needs values of its own.
    const value = options.variant ? sender.value.slice(0, -1) + String(options.variant) : sender.value;
    await gql('mutation($g: ID!, $input: SenderInput!) { addSender(groupId: $g, input: $input) { id } }', { g: groupId, input: { ...sender, value, maxPerSecond: options.maxPerSecond } });
  }
  let members = 0;
  for (let offset = 0; offset < options.members; offset += 10_000) {
    const contacts = Array.from({ length: Math.min(10_000, options.members - offset) }, (_, k) => {
      const i = offset + k;
      const c = COUNTRIES[i % COUNTRIES.length];
      return { phoneNumber: c.number(Math.floor(i / COUNTRIES.length)), firstName: `First${i}`, attributes: { tier: i % 3 ? 'silver' : 'gold' } };
    });
    const { importContacts } = await gql('mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { subscribed } }', { g: groupId, c: contacts });
    members += importContacts.subscribed;
  }
  return { key, groupId, members, gql };
}
