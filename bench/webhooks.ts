import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { startServer } from '../src/server';
import { startReceiver } from '../test/helpers/webhook-receiver';
import { freePort, freshBenchDatabase, postGraphQL, round, runBench } from './support';

// Webhook deliveries a second to a receiver on loopback, from the outbox to the receiver's 200:
// N events stored at once for one endpoint (delivered one at a time, in order, as the contract
// says), and for four endpoints of four accounts (delivered side by side). The baseline is the
// same bodies sent with plain sequential fetch POSTs to the same receiver in the same run: what
// signing, the SSRF check, the lease and the bookkeeping in the database cost on top of HTTP.
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000);
const RUNS = 3;
const ADMIN = 'bench-admin-token-0123456789';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const useMysql = process.env.BENCH_DB === 'mysql';
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-webhooks-'));
  const database = useMysql ? await freshBenchDatabase('sb_bench_webhooks') : { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => {} };
  const port = await freePort();
  const server = await startServer(loadConfig({
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN, CARRIER_SIMULATOR: 'on', LOG_LEVEL: 'error',
    WEBHOOKS_DEVELOPMENT: 'on', WEBHOOK_POLL_MS: '20',
  }), { logger: createLogger('error' as never), defaultMetrics: false });
  const receiver = await startReceiver();
  const { outbox } = server.services.webhooks;
  const accounts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const made = await postGraphQL(server.url, 'mutation($n: String!) { createAccount(input: { name: $n, homeCountry: "US" }) { account { id } apiKey { secret } } }', { n: `Bench ${i}` }, ADMIN);
    await postGraphQL(server.url, 'mutation($u: String!) { createWebhookEndpoint(input: { url: $u, events: [PREFIX_BLOCKED] }) { secret } }', { u: receiver.url }, made.createAccount.apiKey.secret);
    const [{ id }] = await server.services.dataSource.query('SELECT MAX(id) AS id FROM accounts');
    accounts.push(Number(id));
  }
  const payload = (n: number) => ({ prefix: '+4477', automatic: true, reason: `bench event ${n}`, occurredAt: new Date().toISOString() });

  const through = async (endpoints: number): Promise<number> => {
    const before = receiver.delivered().length;
    const items = Array.from({ length: EVENTS }, (_, n) => ({ accountId: accounts[n % endpoints], type: 'prefix.blocked' as const, payload: payload(n) }));
    const start = performance.now();
    await outbox.enqueueAll(null, items);
    while (receiver.delivered().length - before < EVENTS) await new Promise((r) => setTimeout(r, 5));
    return EVENTS / ((performance.now() - start) / 1000);
  };
  const bare = async (): Promise<number> => {
    const body = JSON.stringify({ id: 'evt_bench', type: 'prefix.blocked', createdAt: new Date().toISOString(), data: payload(0) });
    const start = performance.now();
    for (let n = 0; n < EVENTS; n++) {
      const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.text();
    }
    return EVENTS / ((performance.now() - start) / 1000);
  };

  const runs = { oneEndpoint: [] as number[], fourEndpoints: [] as number[], bareFetch: [] as number[] };
  await through(1); // warm-up
  for (let i = 0; i < RUNS; i++) {
    runs.oneEndpoint.push(await through(1));
    runs.fourEndpoints.push(await through(4));
    runs.bareFetch.push(await bare());
  }
  await receiver.close();
  await server.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
  const summary = (xs: number[]) => ({ median: round(median(xs), 0), min: round(Math.min(...xs), 0), max: round(Math.max(...xs), 0), runs: xs.map((x) => round(x, 0)) });
  return {
    database: useMysql ? 'mariadb' : 'sqlite',
    eventsPerRun: EVENTS,
    runs: RUNS,
    deliveriesPerSecond: { oneEndpoint: summary(runs.oneEndpoint), fourEndpoints: summary(runs.fourEndpoints), bareFetchBaseline: summary(runs.bareFetch) },
    note: 'Receiver, server and baseline share one process on a shared 2-core machine; figures are indicative.',
  };
}

void runBench('webhooks', main, (r) => {
  const d = r.deliveriesPerSecond;
  return `webhooks (${r.database}, ${r.eventsPerRun} events, median of ${r.runs}): one endpoint ${d.oneEndpoint.median}/s, four endpoints ${d.fourEndpoints.median}/s, bare fetch ${d.bareFetchBaseline.median}/s`;
});
