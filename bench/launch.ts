import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/core/database';
import { PLANNED_COLUMNS as LAUNCH_COLUMNS } from '../src/messaging/campaign-messages.repository';
import { ADMIN_TOKEN, seedWorld } from './campaign-world';
import { localDatabasePid, processCpuMicros } from './process-cpu';
import { freePort, freshBenchDatabase, postGraphQL, round, runBench, serverNodeFlags, stopChild } from './support';

// launchCampaign to groups of 10,000, 100,000 and 1,000,000 members over ten
// countries on MariaDB, the server a process of its own (run as `npm start` runs it, workers off, so
// only the launch runs) whose RSS is sampled from /proc. Each launch is timed to its answer and
// to its planning's end, and compared in the same run with a plain multi-row INSERT of the very
// same rows into an empty copy of the messages table (the floor), streamed as the launch does.

const MAIN = join(__dirname, '..', 'src', 'main.js');
// The million is one of the speed targets, so it is measured by default (about 10 minutes for its
// three runs); BENCH_LAUNCH_1M=0 leaves it out.
const SIZES = (process.env.BENCH_LAUNCH_SIZES ?? '10000,100000').split(',').map(Number).concat(process.env.BENCH_LAUNCH_1M === '0' ? [] : [1_000_000]);
const RUNS = Number(process.env.BENCH_LAUNCH_RUNS ?? 3);
const RUNS_1M = Number(process.env.BENCH_LAUNCH_1M_RUNS ?? 3);
const BODY = 'Hi {{first_name}}, your {{attributes.tier}} offer ends tonight. Reply STOP to opt out.';

interface Server {
  url: string;
  child: ChildProcess;
  admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

async function startServer(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...serverNodeFlags(), ...profile, MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, ADMIN_TOKEN, PUBLIC_URL: url, LOG_LEVEL: 'error', CARRIER_SIMULATOR: 'on', SWITCHBOARD_WORKERS: 'off',
      // As the other benchmarks: the law's hours off (BENCH_LEGAL_RULES=on to measure the launch with them).
      LEGAL_RULES: process.env.BENCH_LEGAL_RULES ?? 'off', ...(process.env.BENCH_LAUNCH_CHUNK ? { LAUNCH_CHUNK_SIZE: process.env.BENCH_LAUNCH_CHUNK } : {}),
      ...(process.env.BENCH_LAUNCH_WRITERS ? { LAUNCH_WRITERS: process.env.BENCH_LAUNCH_WRITERS } : {}) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300 || child.exitCode !== null) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, admin: (query, variables = {}) => postGraphQL(url, query, variables, ADMIN_TOKEN) };
}

/** kB of a /proc/<pid>/status field (VmRSS, VmHWM). */
function procKb(pid: number, field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

const mb = (kb: number) => Math.round(kb / 1024);

function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}

/** The bench's own process holds no id secret: campaigns are found by their (unique) names. */
async function idOf(ds: DataSource, name: string): Promise<number> {
  const [row] = await ds.query('SELECT id FROM campaigns WHERE name = ?', [name]);
  return Number(row.id);
}

async function launchOnce(server: Server, ds: DataSource, gql: (q: string, v?: Record<string, unknown>) => Promise<any>, groupId: string, name: string) {
  const { createCampaign } = await gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { groupId, name, body: BODY } });
  const campaignId = await idOf(ds, name);
  const pid = server.child.pid!;
  let peakKb = procKb(pid, 'VmRSS');
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, procKb(pid, 'VmRSS'))), 20);
  const start = performance.now();
  const { launchCampaign } = await gql('mutation($id: ID!) { launchCampaign(id: $id) { id status planningStatus planned audience } }', { id: createCampaign.id });
  const answerMs = performance.now() - start;
  for (;;) {
    const [plan] = await ds.query('SELECT status FROM campaign_plans WHERE campaign_id = ?', [campaignId]);
    if (plan?.status !== 'PLANNING') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const planMs = performance.now() - start;
  clearInterval(sampler);
  return { id: createCampaign.id as string, campaignId, answer: launchCampaign, answerMs, planMs, peakKb };
}

/**
 * The floors: the campaign's rows, read back chunk by chunk, written with multi-row INSERTs in one
 * transaction a connection; only the writes are timed (the time at least one INSERT or COMMIT is
 * in flight). `copy`: into an empty copy of the table (CREATE TABLE LIKE, which has the indexes
 * but not the foreign keys), as this benchmark always measured; with `connections` 2, the INSERTs
 * alternate between two connections, each with a transaction of its own, as the launch writes
 * with LAUNCH_WRITERS=2. `table`: into the messages table itself, as another campaign's rows, so
 * with the four foreign keys the launch's rows are checked against too; removed afterwards.
 */
async function plainInsert(ds: DataSource, campaignId: number, into: 'copy' | 'table', floorCampaignId: number, connections = 1): Promise<number> {
  if (into === 'copy') {
    await ds.query('DROP TABLE IF EXISTS messages_copy');
    await ds.query('CREATE TABLE messages_copy LIKE messages');
  }
  const table = into === 'copy' ? 'messages_copy' : 'messages';
  const campaignColumn = LAUNCH_COLUMNS.indexOf('campaign_id');
  const perStatement = Math.floor(65_535 / LAUNCH_COLUMNS.length);
  const tuple = `(${LAUNCH_COLUMNS.map(() => '?').join(', ')})`;
  const runners = Array.from({ length: connections }, () => ds.createQueryRunner());
  let ms = 0;
  let inFlight = 0;
  let since = 0;
  const timed = <T>(work: () => Promise<T>): Promise<T> => {
    if (inFlight++ === 0) since = performance.now();
    return work().finally(() => {
      if (--inFlight === 0) ms += performance.now() - since;
    });
  };
  try {
    for (const runner of runners) await runner.startTransaction();
    const writing: Array<Promise<unknown>> = runners.map(() => Promise.resolve());
    let after = 0;
    for (let statement = 0; ; statement++) {
      const rows: Array<Record<string, unknown>> = await ds.query(`SELECT id, ${LAUNCH_COLUMNS.join(', ')} FROM messages WHERE campaign_id = ? AND id > ? ORDER BY id LIMIT ${perStatement}`, [campaignId, after]);
      if (!rows.length) break;
      after = Number(rows[rows.length - 1].id);
      const params = rows.flatMap((r) => LAUNCH_COLUMNS.map((c, i) => (i === campaignColumn && into === 'table' ? floorCampaignId : r[c])));
      const slot = statement % runners.length;
      await writing[slot];
      writing[slot] = timed(() => runners[slot].query(`INSERT INTO ${table} (${LAUNCH_COLUMNS.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, params));
    }
    await Promise.all(writing);
    await timed(() => Promise.all(runners.map((runner) => runner.commitTransaction())));
  } finally {
    for (const runner of runners) await runner.release();
  }
  if (into === 'copy') await ds.query('DROP TABLE messages_copy');
  else await ds.query('DELETE FROM messages WHERE campaign_id = ?', [floorCampaignId]);
  return ms;
}

/**
 * Waits until the local database is idle (under 5% of a core over half a second, at most two
 * minutes), so that each timed step starts from a settled database. Each run deletes what the one
 * before it wrote (100,000 rows of the messages table and all its indexes), and InnoDB purges
 * them in the background for seconds after the DELETE has answered: a launch timed during that
 * purge took 6.7-9.8 s against 4.1-5.1 s (its database CPU 11-13 s against 3), which is what
 * earlier medians of this benchmark measured in every run but the first.
 */
async function settled(): Promise<void> {
  const pid = localDatabasePid();
  const deadline = Date.now() + 120_000;
  while (pid !== null && Date.now() < deadline) {
    const before = processCpuMicros(pid);
    await new Promise((r) => setTimeout(r, 500));
    const after = processCpuMicros(pid);
    if (before === null || after === null || after - before < 25_000) return;
  }
}

async function benchSize(members: number, runs: number): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase();
  let server = await startServer(database.url);
  const ds = createDataSource({ type: 'mysql', url: database.url }, [], []);
  try {
    const world = await seedWorld(server.url, server.admin, { members });
    // A fresh process for the launches: its RSS owes nothing to the import that filled the group.
    await stopChild(server.child);
    server = await startServer(database.url);
    await ds.initialize();
    const gql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(server.url, query, variables, world.key);
    // The same-table floor writes its rows as this (never launched) campaign's.
    await gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { groupId: world.groupId, name: 'bench floor', body: BODY } });
    const floor = await idOf(ds, 'bench floor');
    const results = [];
    for (let run = 0; run < runs; run++) {
      await settled();
      const launch = await launchOnce(server, ds, gql, world.groupId, `bench ${run}`);
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ?', [launch.campaignId]);
      await settled();
      const insertMs = await plainInsert(ds, launch.campaignId, 'copy', 0);
      await settled();
      const twoMs = await plainInsert(ds, launch.campaignId, 'copy', 0, 2);
      await settled();
      const tableMs = await plainInsert(ds, launch.campaignId, 'table', floor);
      results.push({
        answerMs: round(launch.answerMs, 0), planMs: round(launch.planMs, 0), plainInsertMs: round(insertMs, 0), ratio: round(launch.planMs / insertMs),
        plainInsertTwoConnectionsMs: round(twoMs, 0), ratioTwoConnections: round(launch.planMs / twoMs),
        plainInsertSameTableMs: round(tableMs, 0), ratioSameTable: round(launch.planMs / tableMs), rssPeakMB: mb(launch.peakKb), messages: Number(n), answered: launch.answer,
      });
      // The next run starts from the same table.
      if (run < runs - 1) await ds.query('DELETE FROM messages WHERE campaign_id = ?', [launch.campaignId]);
    }
    // Cancel right after a launch: the answer, and how much the planning still stored after it.
    const cancelled = await gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { groupId: world.groupId, name: 'bench cancel', body: BODY } });
    const cancelId = await idOf(ds, 'bench cancel');
    await gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: cancelled.createCampaign.id });
    const cancelStart = performance.now();
    await gql('mutation($id: ID!) { cancelCampaign(id: $id) { status } }', { id: cancelled.createCampaign.id });
    const cancelMs = performance.now() - cancelStart;
    const [{ planned: plannedAtCancel }] = await ds.query('SELECT planned FROM campaign_plans WHERE campaign_id = ?', [cancelId]);
    let allFailedMs = NaN;
    for (;;) {
      const [{ n }] = await ds.query("SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ? AND status = 'QUEUED'", [cancelId]);
      if (Number(n) === 0) {
        allFailedMs = performance.now() - cancelStart;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const [{ n: storedAfterCancel }] = await ds.query('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ?', [cancelId]);
    return {
      members: world.members,
      runs: results.length,
      answerMs: summary(results.map((r) => r.answerMs)),
      planMs: summary(results.map((r) => r.planMs)),
      plainInsertMs: summary(results.map((r) => r.plainInsertMs)),
      planVsPlainInsert: summary(results.map((r) => r.ratio)),
      plainInsertTwoConnectionsMs: summary(results.map((r) => r.plainInsertTwoConnectionsMs)),
      planVsPlainInsertTwoConnections: summary(results.map((r) => r.ratioTwoConnections)),
      plainInsertSameTableMs: summary(results.map((r) => r.plainInsertSameTableMs)),
      planVsPlainInsertSameTable: summary(results.map((r) => r.ratioSameTable)),
      rssPeakMB: summary(results.map((r) => r.rssPeakMB)),
      rssHighWaterMB: mb(procKb(server.child.pid!, 'VmHWM')),
      cancel: { answerMs: round(cancelMs, 0), plannedAtCancel: Number(plannedAtCancel), storedInAll: Number(storedAfterCancel), everyQueuedFailedMs: round(allFailedMs, 0) },
      each: results,
    };
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await stopChild(server.child);
    await database.drop();
  }
}

export async function runLaunchBench(): Promise<Record<string, unknown>> {
  const sizes = [];
  for (const members of SIZES) sizes.push(await benchSize(members, members >= 1_000_000 ? RUNS_1M : RUNS));
  return { scenario: 'launch', database: 'mariadb', countries: 10, sizes, node: process.version, at: new Date().toISOString() };
}

if (require.main === module) {
  runBench('launch', runLaunchBench, (result) => (result.sizes as Array<any>).map((s) =>
    `launch of ${s.members} (${s.runs} runs, median [min-max]): answered in ${s.answerMs.median} ms [${s.answerMs.min}-${s.answerMs.max}], planned in ${s.planMs.median} ms [${s.planMs.min}-${s.planMs.max}]; ` +
    `plain INSERT ${s.plainInsertMs.median} ms [${s.plainInsertMs.min}-${s.plainInsertMs.max}]; ratio ${s.planVsPlainInsert.median}x [${s.planVsPlainInsert.min}-${s.planVsPlainInsert.max}]; ` +
    `over two connections ${s.plainInsertTwoConnectionsMs.median} ms [${s.plainInsertTwoConnectionsMs.min}-${s.plainInsertTwoConnectionsMs.max}]; ratio ${s.planVsPlainInsertTwoConnections.median}x [${s.planVsPlainInsertTwoConnections.min}-${s.planVsPlainInsertTwoConnections.max}]; ` +
    `plain INSERT into messages itself (foreign keys checked) ${s.plainInsertSameTableMs.median} ms [${s.plainInsertSameTableMs.min}-${s.plainInsertSameTableMs.max}]; ratio ${s.planVsPlainInsertSameTable.median}x [${s.planVsPlainInsertSameTable.min}-${s.planVsPlainInsertSameTable.max}]; ` +
    `server RSS peak ${s.rssPeakMB.median} MB [${s.rssPeakMB.min}-${s.rssPeakMB.max}], high-water ${s.rssHighWaterMB} MB; ` +
    `cancel answered in ${s.cancel.answerMs} ms with ${s.cancel.plannedAtCancel} planned, ${s.cancel.storedInAll} stored in all, every queued FAILED after ${s.cancel.everyQueuedFailedMs} ms`).join('\n'));
}
