import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { startServer } from '../src/server';

// importContacts of 100,000 rows in calls of 10,000, over HTTP into the real server on a fresh
// MariaDB database: the first pass creates and subscribes, the second updates the same contacts.

const TOTAL = 100_000;
const PER_CALL = 10_000;
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const ADMIN_TOKEN = `bench-${randomBytes(12).toString('hex')}`;

/** Mixed formats and countries, as a real export would have them. */
function row(i: number, pass: number): Record<string, unknown> {
  const n = String(i).padStart(6, '0');
  const formats = [
    () => ({ phoneNumber: `+1 (415) 5${n.slice(0, 2)}-${n.slice(2)}` }),
    () => ({ phoneNumber: `0740 0${n}`, defaultCountry: 'GB' }),
    () => ({ phoneNumber: `+49 151 ${n}01` }),
    () => ({ phoneNumber: `06 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4)} 00`, defaultCountry: 'FR' }),
    () => ({ phoneNumber: `212-5${n.slice(0, 2)}-${n.slice(2)}` }),
  ];
  return { ...formats[i % formats.length](), firstName: `First${i}`, lastName: pass ? `Updated${i}` : `Last${i}`, attributes: { customerId: i, tier: i % 3 ? 'silver' : 'gold' } };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function adminQuery(sql: string): Promise<void> {
  const base = new URL(MYSQL_URL);
  const conn = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await conn.query(sql);
  await conn.end();
}

export async function runImportBench(): Promise<Record<string, unknown>> {
  const name = `sb_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const port = await freePort();
  const server = await startServer(
    loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url.toString(), ADMIN_TOKEN, LOG_LEVEL: 'error', SWITCHBOARD_WORKERS: 'off' }),
    { logger: createLogger('silent'), defaultMetrics: false },
  );
  const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  try {
    const { createAccount } = await gql(`mutation { createAccount(input: { name: "Bench", homeCountry: "US" }) { account { id } apiKey { secret } } }`, {}, ADMIN_TOKEN);
    const key: string = createAccount.apiKey.secret;
    const { createSubscriptionGroup } = await gql(`mutation { createSubscriptionGroup(input: { name: "bench" }) { id } }`, {}, key);
    const passes = [];
    for (const pass of [0, 1]) {
      const totals = { created: 0, updated: 0, subscribed: 0, rejected: 0 };
      const callMs: number[] = [];
      const start = performance.now();
      for (let offset = 0; offset < TOTAL; offset += PER_CALL) {
        const contacts = Array.from({ length: PER_CALL }, (_, i) => row(offset + i, pass));
        const callStart = performance.now();
        const { importContacts } = await gql(
          `mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created updated subscribed rejected { index } } }`,
          { g: createSubscriptionGroup.id, c: contacts },
          key,
        );
        callMs.push(performance.now() - callStart);
        totals.created += importContacts.created;
        totals.updated += importContacts.updated;
        totals.subscribed += importContacts.subscribed;
        totals.rejected += importContacts.rejected.length;
      }
      const ms = performance.now() - start;
      passes.push({ pass: pass ? 'update' : 'create', ms: Math.round(ms), rowsPerSecond: Math.round(TOTAL / (ms / 1000)), slowestCallMs: Math.round(Math.max(...callMs)), ...totals });
    }
    return {
      scenario: 'import',
      database: 'mariadb',
      rows: TOTAL,
      rowsPerCall: PER_CALL,
      rowsPerSecond: passes[0].rowsPerSecond,
      passes,
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await server.close();
    await adminQuery(`DROP DATABASE IF EXISTS \`${name}\``);
  }
}

if (require.main === module) {
  runImportBench().then((result) => {
    const dir = join(process.cwd(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'import.json'), JSON.stringify(result, null, 2) + '\n');
    const [create, update] = result.passes as Array<{ rowsPerSecond: number; ms: number }>;
    console.log(`import: ${result.rows} rows in calls of ${result.rowsPerCall} on MariaDB: ${create.rowsPerSecond} rows/s creating (${create.ms} ms), ${update.rowsPerSecond} rows/s updating (${update.ms} ms)`);
  }).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
