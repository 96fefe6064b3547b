import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { createClient } from 'graphql-ws';
import { createConnection, createPool } from 'mysql2/promise';
import twilio from 'twilio';
import WebSocket from 'ws';
import { SIMULATOR_AUTH_TOKEN } from '../src/config';
import { atFixedRate, freePort, freshBenchDatabase, percentile, postGraphQL, round, runBench, serverNodeFlags, stopChild } from './support';
import { show, spreadOf } from './stats';
import { askMemory, type MemoryProbe } from './bare-graphql-ws';
import { cpuDuring, localDatabasePid } from './process-cpu';

// Inbound webhook on MariaDB, against a bare express endpoint that only checks the signature and
// inserts one row, in the same run: throughput from 50 concurrent senders for 10 s, then latency
// at fixed open-loop rates of 100, 300 and 600 requests a second. Server and baseline each run in
// a process of their own; the whole is repeated (3 runs) and reported as median and spread.

const CONCURRENCY = 50;
const THROUGHPUT_SECONDS = 10;
// p99 at each rate, so a reader sees where it bends; 300 a second is the target's rate.
const LATENCY_RATES = [100, 300, 600];
const LATENCY_SECONDS = 8;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not start`);
}

export interface SpawnedServer {
  url: string;
  pid: number;
  /** Its memory after a full GC: only when spawned with `{ memoryProbe: true }`. */
  memory(): Promise<MemoryProbe>;
  stop(): Promise<void>;
}

/** `npm start` in a process of its own, as deployed; the bench only talks to it over loopback. */
export async function spawnSwitchboard(databaseUrl: string, env: Record<string, string> = {}, options: { memoryProbe?: boolean } = {}): Promise<SpawnedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const probe = options.memoryProbe ? ['--expose-gc', '-r', join(__dirname, 'memory-probe.js')] : [];
  const child = fork(join(__dirname, '../src/main.js'), [], {
    execArgv: [...serverNodeFlags(), ...probe, ...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : [])],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, ADMIN_TOKEN, PUBLIC_URL: url, LOG_LEVEL: 'error', CARRIER_SIMULATOR: 'on', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await waitHealthy(url, child);
  return { url, pid: child.pid!, memory: () => askMemory(child), stop: () => stopChild(child) };
}

export function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token = ADMIN_TOKEN): Promise<T> {
  return postGraphQL<T>(url, query, variables, token);
}

/** An account with a group and one US long code per number given; returns its key. */
export async function setupAccount(url: string, name: string, senderValues: string[]): Promise<{ id: string; key: string; groupId: string }> {
  const created = await gql(url, `mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } apiKey { secret } } }`, { i: { name, homeCountry: 'US' } });
  const key = created.createAccount.apiKey.secret;
  const group = await gql(url, `mutation($i: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $i) { id } }`, { i: { name: `${name} group` } }, key);
  for (const value of senderValues) {
    await gql(url, `mutation($g: ID!, $i: SenderInput!) { addSender(groupId: $g, input: $i) { id } }`, { g: group.createSubscriptionGroup.id, i: { type: 'LONG_CODE', value } }, key);
  }
  return { id: created.createAccount.account.id, key, groupId: group.createSubscriptionGroup.id };
}

export function usNumber(n: number, area = '202'): string {
  return `+1${area}555${String(n % 10000).padStart(4, '0')}`;
}

export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** Posts one signed inbound SMS; resolves with the status code. */
export function postInbound(url: string, params: Record<string, string>): Promise<number> {
  const path = '/webhooks/twilio/inbound';
  const signature = twilio.getExpectedTwilioSignature(SIMULATOR_AUTH_TOKEN, url + path, params);
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A reply from contact `contact` (one phone of the run), to the number of the group that wrote to it. */
function inboundParams(to: string[], contact: number, i: number): Record<string, string> {
  return { AccountSid: 'AC00000000000000000000000000000000', MessageSid: messageSid(), From: usNumber(contact, '415'), To: to[contact % to.length], Body: `reply number ${i}`, NumMedia: '0', NumSegments: '1' };
}

/** `concurrency` senders each posting as fast as answers come back, for `seconds`. */
export async function closedLoop(url: string, to: string[], seconds: number, concurrency: number): Promise<{ ok: number; failed: number; seconds: number }> {
  let ok = 0;
  let failed = 0;
  let i = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  // Each of the concurrent senders is one phone writing again as soon as it is answered.
  await Promise.all(Array.from({ length: concurrency }, async (_, contact) => {
    while (performance.now() < end) {
      const status = await postInbound(url, inboundParams(to, contact, i++)).catch(() => 0);
      if (status === 200) ok++;
      else failed++;
    }
  }));
  return { ok, failed, seconds: (performance.now() - start) / 1000 };
}

/** Requests at fixed times whatever the answers do; latency counts from the scheduled time (no coordinated omission). */
export async function openLoop(url: string, to: string[], rate: number, seconds: number): Promise<{ p50: number; p99: number; max: number; failed: number; sent: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const total = rate * seconds;
  await atFixedRate(rate, total, (n, due) => postInbound(url, inboundParams(to, n % CONCURRENCY, n)).then(
    (status) => {
      if (status === 200) latencies.push(performance.now() - due);
      else failed++;
    },
    () => {
      failed++;
    },
  ));
  latencies.sort((a, b) => a - b);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1]), failed, sent: total };
}

/** The baseline: express, the same urlencoded parser and signature check, one INSERT. */
async function runBaselineServer(databaseUrl: string): Promise<void> {
  const pool = createPool({ uri: databaseUrl, connectionLimit: 20 });
  await pool.query('CREATE TABLE IF NOT EXISTS bare_inbound (id INT AUTO_INCREMENT PRIMARY KEY, sid VARCHAR(64) NOT NULL UNIQUE, from_address VARCHAR(32), to_address VARCHAR(32), body TEXT, created_at DATETIME(3))');
  const app = express();
  const port = Number(process.env.PORT);
  const publicUrl = `http://127.0.0.1:${port}`;
  app.post('/webhooks/twilio/inbound', express.urlencoded({ extended: false }), async (req, res) => {
    const params = req.body as Record<string, string>;
    if (!twilio.validateRequest(SIMULATOR_AUTH_TOKEN, req.header('x-twilio-signature') ?? '', publicUrl + req.originalUrl, params)) {
      res.status(403).end();
      return;
    }
    try {
      await pool.query('INSERT INTO bare_inbound (sid, from_address, to_address, body, created_at) VALUES (?, ?, ?, ?, ?)', [params.MessageSid, params.From, params.To, params.Body, new Date()]);
      res.status(200).type('text/xml').send('<Response/>');
    } catch {
      res.status(503).end();
    }
  });
  app.get('/healthz', (_req, res) => {
    res.send('ok');
  });
  app.listen(port, '127.0.0.1');
}

async function spawnBaseline(databaseUrl: string): Promise<SpawnedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = fork(__filename, ['--baseline-server'], { env: { ...process.env, PORT: String(port), BASELINE_DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await waitHealthy(url, child);
  return { url, pid: child.pid!, memory: () => askMemory(child), stop: () => stopChild(child) };
}

async function countRows(databaseUrl: string, sql: string): Promise<number> {
  const conn = await createConnection({ uri: databaseUrl });
  const [rows] = await conn.query(sql);
  await conn.end();
  return Number((rows as Array<{ n: number }>)[0].n);
}

/** Counts reply events as an inbox would receive them: one operator subscriber over graphql-ws. */
async function countPublished(url: string): Promise<{ count(): number; close(): Promise<void> }> {
  let received = 0;
  const client = createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` }, retryAttempts: 0 });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('closed', reject);
    client.subscribe({ query: 'subscription { replyReceived { message { id } } }' }, { next: () => { received++; }, error: reject, complete: () => {} });
  });
  await new Promise((r) => setTimeout(r, 200));
  return { count: () => received, close: async () => client.dispose() };
}

/** CPU a reply, in microseconds, of the server and the local database (null where unreadable). */
interface CpuPerReply {
  server: number | null;
  database: number | null;
}

/**
 * One server's figures: closed-loop throughput with each process's CPU a reply over it (the
 * server, the benchmark and the database share the machine's cores, so where a reply's CPU goes
 * is what the ratio follows), then open-loop latency at each rate.
 */
async function measure(server: SpawnedServer, to: string[]): Promise<{ requestsPerSecond: number; failed: number; cpuUsPerReply: CpuPerReply; latency: Record<number, Awaited<ReturnType<typeof openLoop>>> }> {
  const { result: throughput, cpu } = await cpuDuring({ server: server.pid, database: localDatabasePid() }, () => closedLoop(server.url, to, THROUGHPUT_SECONDS, CONCURRENCY));
  const perReply = (us: number | null) => (us === null || !throughput.ok ? null : Math.round(us / throughput.ok));
  const latency: Record<number, Awaited<ReturnType<typeof openLoop>>> = {};
  for (const rate of LATENCY_RATES) latency[rate] = await openLoop(server.url, to, rate, LATENCY_SECONDS);
  return { requestsPerSecond: round(throughput.ok / throughput.seconds), failed: throughput.failed, cpuUsPerReply: { server: perReply(cpu.server), database: perReply(cpu.database) }, latency };
}

/** One run: Switchboard, then the bare endpoint, each in a process and a database of its own. */
async function runOnce(run: number) {
  const database = await freshBenchDatabase('sb_bench_inbound');
  const baselineDb = await freshBenchDatabase('sb_bench_bare');
  const to = Array.from({ length: 5 }, (_, i) => usNumber(9000 + i));
  try {
    const server = await spawnSwitchboard(database.url, { SWITCHBOARD_WORKERS: 'off' });
    let switchboard: Awaited<ReturnType<typeof measure>>;
    let stored: number;
    let events: number;
    try {
      await setupAccount(server.url, `Inbound bench ${run}`, to);
      // Warm-up: the senders' first replies make their contacts and conversations.
      await closedLoop(server.url, to, 2, CONCURRENCY);
      const published = await countPublished(server.url);
      const storedBefore = await countRows(database.url, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'INBOUND'");
      const eventsBefore = published.count();
      switchboard = await measure(server, to);
      await new Promise((r) => setTimeout(r, 500));
      stored = (await countRows(database.url, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'INBOUND'")) - storedBefore;
      events = published.count() - eventsBefore;
      await published.close();
    } finally {
      await server.stop();
    }
    const baseline = await spawnBaseline(baselineDb.url);
    let bare: Awaited<ReturnType<typeof measure>>;
    try {
      await closedLoop(baseline.url, to, 2, CONCURRENCY);
      bare = await measure(baseline, to);
    } finally {
      await baseline.stop();
    }
    return { switchboard, bare, stored, published: events };
  } finally {
    await database.drop();
    await baselineDb.drop();
  }
}

export async function runInboundBench(): Promise<Record<string, unknown>> {
  const runs: Array<Awaited<ReturnType<typeof runOnce>>> = [];
  for (let run = 0; run < RUNS; run++) runs.push(await runOnce(run));
  const figures = (pick: (r: (typeof runs)[number]) => number) => spreadOf(runs.map(pick));
  const cpuFigures = (pick: (r: (typeof runs)[number]) => number | null) => (runs.every((r) => pick(r) !== null) ? figures((r) => pick(r)!) : null);
  const latencyTable = LATENCY_RATES.map((rate) => ({
    requestsPerSecond: rate,
    switchboardP99Ms: figures((r) => r.switchboard.latency[rate].p99),
    bareP99Ms: figures((r) => r.bare.latency[rate].p99),
    p99Ratio: figures((r) => r.switchboard.latency[rate].p99 / r.bare.latency[rate].p99),
    switchboardP50Ms: figures((r) => r.switchboard.latency[rate].p50),
    bareP50Ms: figures((r) => r.bare.latency[rate].p50),
    failed: runs.reduce((n, r) => n + r.switchboard.latency[rate].failed + r.bare.latency[rate].failed, 0),
  }));
  return {
    scenario: 'inbound',
    database: 'MariaDB',
    runs: RUNS,
    concurrency: CONCURRENCY,
    throughput: {
      switchboardPerSecond: figures((r) => r.switchboard.requestsPerSecond),
      barePerSecond: figures((r) => r.bare.requestsPerSecond),
      ratio: figures((r) => r.switchboard.requestsPerSecond / r.bare.requestsPerSecond),
      failed: runs.reduce((n, r) => n + r.switchboard.failed + r.bare.failed, 0),
    },
    cpuUsPerReply: {
      switchboardServer: cpuFigures((r) => r.switchboard.cpuUsPerReply.server),
      switchboardDatabase: cpuFigures((r) => r.switchboard.cpuUsPerReply.database),
      bareServer: cpuFigures((r) => r.bare.cpuUsPerReply.server),
      bareDatabase: cpuFigures((r) => r.bare.cpuUsPerReply.database),
    },
    latencyByRate: latencyTable,
    // Replies stored and events published over the throughput and latency phases: equal when each is published once.
    storedVsPublished: runs.map((r) => ({ stored: r.stored, published: r.published })),
    targets: { throughputRatio: 0.7, p99RatioAt300PerSecond: 3 },
    note: 'median (min-max) of the runs; ratios are per run, then their median',
  };
}

function summary(result: Record<string, any>): string {
  const t = result.throughput;
  const lines = [`inbound, ${result.runs} runs, median (min-max): ${show(t.switchboardPerSecond, '/s')} vs bare ${show(t.barePerSecond, '/s')}: ratio ${show(t.ratio)}`];
  const cpu = result.cpuUsPerReply;
  if (cpu.switchboardServer && cpu.switchboardDatabase) lines.push(`  CPU a reply: server ${show(cpu.switchboardServer, ' us')}, database ${show(cpu.switchboardDatabase, ' us')}; bare ${show(cpu.bareServer, ' us')}, ${show(cpu.bareDatabase, ' us')}`);
  for (const row of result.latencyByRate) lines.push(`  p99 at ${row.requestsPerSecond}/s: ${show(row.switchboardP99Ms, ' ms')} vs bare ${show(row.bareP99Ms, ' ms')}: ratio ${show(row.p99Ratio)}`);
  return lines.join('\n');
}

if (require.main === module) {
  if (process.argv.includes('--baseline-server')) {
    runBaselineServer(process.env.BASELINE_DATABASE_URL!).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  } else {
    runBench('inbound', async () => ({ ...(await runInboundBench()), measuredAt: new Date().toISOString() }), summary)
      .then(() => agent.destroy());
  }
}
