import { createTwilioClient } from '../src/carrier/twilio-client';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';
import { decode } from '../src/core/ids';
import { buildWorld } from './campaign-world';
import { forkCarrier } from './carrier';
import { durableHandOver, queuedRows } from './durable-client';
import { cpuDuring, localDatabasePid } from './process-cpu';
import { statementCounts, type StatementCounts } from './database-statements';
import { profiledPhase } from './phase-profile';
import { runBench } from './support';

// Hand-over to the carrier simulator with rate limits lifted (every sender at 10,000/s), on
// MariaDB: from launchCampaign until every message is SENDING with its provider sid. The
// simulator runs in a process of its own (server and carrier a core each, as in production) and
// its status callbacks are off, so that the figure is the hand-over alone (they cost as much
// again). Every hand-over guard is on: each batch re-reads the rules before it leaves. Compared
// in the same run with the bare twilio client sending as many messages to the same carrier
// process at the same concurrency, and with that client plus the two writes at-most-once needs
// and nothing else (bench/durable-client.ts): the share of the gap that is those writes.

const MESSAGES = Number(process.env.BENCH_HANDOVER_MESSAGES ?? 20_000);
// The queue's own concurrency: as many hand-overs in flight as the client has sockets.
const CONCURRENCY = 128;
const TARGET_PER_SECOND = 1500;


const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const spread = (values: number[]) => [Math.min(...values), Math.max(...values)];
/** Which phase goes first turns with the rounds. */
const ORDERS = [['queue', 'bare', 'durable'], ['bare', 'durable', 'queue'], ['durable', 'queue', 'bare']] as const;

interface Round {
  handoverMs: number;
  messagesPerSecond: number;
  bareClientMessagesPerSecond: number;
  queueVsBareClient: number;
  /** The bare client in the queue's rhythm with its claim and sid writes and nothing else (bench/durable-client.ts). */
  durableClientMessagesPerSecond: number;
  durableVsBareClient: number;
  queueVsDurableClient: number;
  /** CPU of this process (server and bare client) per message, in microseconds: steadier than rates on a shared machine. */
  queueCpuUsPerMessage: number;
  bareCpuUsPerMessage: number;
  /**
   * CPU a message of every process that took part, in microseconds: this one (the server, or the
   * bare client), the carrier's and the database server's (null when it is not on this machine).
   * Where they share the cores, the throughput ratio follows the ratio of the totals.
   */
  processCpuUsPerMessage: { queue: ProcessCpu; bare: ProcessCpu; durable: ProcessCpu };
  /** The database server's reads and writes a message (its own counters), the queue's and the durable floor's; the bare client makes none. */
  statementsPerMessage: { queue: StatementCounts | null; durable: StatementCounts | null };
  /** Bare client's total CPU a message over the queue's: the ratio the machine's CPU allows. */
  cpuRatio: number | null;
}

interface ProcessCpu { server: number; carrier: number | null; database: number | null; total: number | null }


/** The median of each count over the rounds; null when a round was not counted. */
function medianCounts(counts: Array<StatementCounts | null>): StatementCounts | null {
  if (counts.some((c) => c === null)) return null;
  return { reads: median(counts.map((c) => c!.reads)), writes: median(counts.map((c) => c!.writes)) };
}

/**
 * Statements a message between two readings of the counters, leaving out `polls` reads of the
 * bench's own (its look every 50 ms for whether the hand-over is done).
 */
function perMessageSince(before: StatementCounts | null, after: StatementCounts | null, polls: number, messages: number): StatementCounts | null {
  if (!before || !after) return null;
  const each = (n: number) => Math.round((n / messages) * 1000) / 1000;
  return { reads: each(after.reads - before.reads - polls), writes: each(after.writes - before.writes) };
}

export async function runHandoverBench(): Promise<Record<string, unknown>> {
  const carrier = await forkCarrier({ statusCallbacks: false });
  let world: Awaited<ReturnType<typeof buildWorld>> | undefined;
  try {
    world = await buildWorld({ members: MESSAGES, workers: true, maxPerSecond: 10_000, env: { TWILIO_API_BASE_URL: carrier.url } });
    const ds = world.server.services.dataSource;
    const client = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: carrier.url }, CONCURRENCY);
    const statusCallback = `${world.server.services.config.publicUrl}/webhooks/twilio/status`;
    const rounds: Round[] = [];
    // The other processes' CPU, read from /proc; this one's (the server in the queue's phase, the
    // bare client in the other) is each phase's own process.cpuUsage.
    const pids = { carrier: carrier.pid, database: localDatabasePid() };
    let launchMs = 0;
    let toSend = 0;
    // A campaign of its own for each phase that hands over from the table, to the same members;
    // planned before its clock starts, with the queue stopped.
    const launch = async (name: string) => {
      const { createCampaign } = await world!.gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        { input: { groupId: world!.groupId, name, body: 'Hi {{first_name}}, your offer ends tonight.' } });
      const campaignId = decode('cmp', createCampaign.id)!;
      await world!.server.services.dispatcher.stop();
      const start = performance.now();
      await world!.gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: createCampaign.id });
      for (;;) {
        const { campaign } = await world!.gql('query($id: ID!) { campaign(id: $id) { planningStatus } }', { id: createCampaign.id });
        if (campaign.planningStatus !== 'PLANNING') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const ms = performance.now() - start;
      const [{ queued }] = await ds.query("SELECT COUNT(*) AS queued FROM messages WHERE campaign_id = ? AND status <> 'REJECTED'", [campaignId]);
      return { campaignId, queued: Number(queued), ms };
    };
    // Round -1 warms up and is not counted: whichever phase ran first in a process paid for the
    // JIT of the client, the carrier and the database's first reads (the carrier's CPU a message
    // 330-350 us in the first phase against 254-317 us later), and it was always the queue's.
    for (let round = -1; round < ROUNDS; round++) {
      // The hand-over alone: the queue waits while the launch plans in the background, and its
      // clock starts once every message is stored.
      const { campaignId, queued, ms } = await launch(`bench ${round}`);
      toSend = queued;
      launchMs = ms;
      const queue = () => cpuDuring(pids, () => profiledPhase(`handover-queue-${round}`, async () => {
        const cpuStart = process.cpuUsage();
        const counted = await statementCounts(ds);
        let polls = 0;
        await world!.server.services.dispatcher.start();
        const queueStart = performance.now();
        // Done when no message waits or lacks its sid. Asked every 50 ms, this must cost the database
        // next to nothing: it stops at the first QUEUED row (a COUNT of the stored sids read every
        // row of the campaign each time, 15% of the database's time in the run).
        for (;;) {
          const waiting = await ds.query(
            "SELECT 1 AS one FROM messages WHERE campaign_id = ? AND (status = 'QUEUED' OR (status = 'SENDING' AND provider_sid IS NULL)) LIMIT 1", [campaignId]);
          polls += 1;
          if (!waiting.length) break;
          if (performance.now() - queueStart > 180_000) throw new Error(`not every message handed over after 180 s`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const ms = performance.now() - queueStart;
        const cpu = process.cpuUsage(cpuStart);
        const statements = perMessageSince(counted, await statementCounts(ds), polls, toSend);
        const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ? AND provider_sid IS NOT NULL', [campaignId]);
        if (Number(n) !== toSend) throw new Error(`${n} of ${toSend} messages handed over: the others failed`);
        return { ms, cpu, statements };
      }));
      const bare = () => cpuDuring(pids, () => profiledPhase(`handover-bare-${round}`, async () => {
        let next = 0;
        const cpuStart = process.cpuUsage();
        const bareStart = performance.now();
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (next < toSend) {
            const i = next++;
            await client.messages.create({ to: `+1415${String(5_000_000 + i).padStart(7, '0')}`, from: '+12025550100', body: 'Hi there, your offer ends tonight.', statusCallback });
          }
        }));
        return { ms: performance.now() - bareStart, cpu: process.cpuUsage(cpuStart), statements: null };
      }));
      const durable = async () => {
        const { campaignId: floorCampaign } = await launch(`bench ${round} durable floor`);
        const rows = await queuedRows(ds, floorCampaign);
        if (rows.length !== toSend) throw new Error(`${rows.length} messages to hand over in the floor's campaign, ${toSend} in the queue's`);
        return cpuDuring(pids, () => profiledPhase(`handover-durable-${round}`, async () => {
          const cpuStart = process.cpuUsage();
          const counted = await statementCounts(ds);
          const start = performance.now();
          await durableHandOver(ds, client, rows, statusCallback, CONCURRENCY);
          const ms = performance.now() - start;
          return { ms, cpu: process.cpuUsage(cpuStart), statements: perMessageSince(counted, await statementCounts(ds), 0, toSend) };
        }));
      };
      // Turn about which goes first, so that what drifts over a run (the carrier's heap, the
      // machine) does not always fall on one side: the carrier simulator's slowing past 100,000
      // kept messages (mended) fell on the bare client's last phase every time.
      const phases = { queue, bare, durable };
      const order = ORDERS[(round + ORDERS.length) % ORDERS.length];
      const done: Partial<Record<keyof typeof phases, Awaited<ReturnType<typeof queue>>>> = {};
      for (const name of order) done[name] = await phases[name]();
      const [queuePhase, barePhase, durablePhase] = [done.queue!, done.bare!, done.durable!];
      const { ms: handoverMs, cpu: queueCpu } = queuePhase.result;
      const { ms: bareMs, cpu: bareCpu } = barePhase.result;
      const { ms: durableMs, cpu: durableCpu } = durablePhase.result;
      const perMessage = (own: NodeJS.CpuUsage, others: Record<keyof typeof pids, number | null>): ProcessCpu => {
        const each = (us: number | null) => (us === null ? null : Math.round(us / toSend));
        const server = Math.round((own.user + own.system) / toSend);
        const carrierUs = each(others.carrier);
        const database = each(others.database);
        return { server, carrier: carrierUs, database, total: carrierUs === null || database === null ? null : server + carrierUs + database };
      };
      const processCpu = { queue: perMessage(queueCpu, queuePhase.cpu), bare: perMessage(bareCpu, barePhase.cpu), durable: perMessage(durableCpu, durablePhase.cpu) };
      if (round < 0) continue;
      rounds.push({
        handoverMs: Math.round(handoverMs),
        messagesPerSecond: Math.round(toSend / (handoverMs / 1000)),
        bareClientMessagesPerSecond: Math.round(toSend / (bareMs / 1000)),
        queueVsBareClient: Number((bareMs / handoverMs).toFixed(2)),
        durableClientMessagesPerSecond: Math.round(toSend / (durableMs / 1000)),
        durableVsBareClient: Number((bareMs / durableMs).toFixed(2)),
        queueVsDurableClient: Number((durableMs / handoverMs).toFixed(2)),
        queueCpuUsPerMessage: processCpu.queue.server,
        bareCpuUsPerMessage: processCpu.bare.server,
        processCpuUsPerMessage: processCpu,
        statementsPerMessage: { queue: queuePhase.result.statements, durable: durablePhase.result.statements },
        cpuRatio: processCpu.queue.total && processCpu.bare.total ? Number((processCpu.bare.total / processCpu.queue.total).toFixed(2)) : null,
      });
    }
    const ratios = rounds.map((r) => r.queueVsBareClient);
    return {
      scenario: 'handover',
      database: 'mariadb',
      messages: toSend,
      rounds: rounds.length,
      launchMs: Math.round(launchMs),
      messagesPerSecond: median(rounds.map((r) => r.messagesPerSecond)),
      bareClientMessagesPerSecond: median(rounds.map((r) => r.bareClientMessagesPerSecond)),
      queueVsBareClient: median(ratios),
      queueVsBareClientSpread: spread(ratios),
      durableClientMessagesPerSecond: median(rounds.map((r) => r.durableClientMessagesPerSecond)),
      durableVsBareClient: median(rounds.map((r) => r.durableVsBareClient)),
      durableVsBareClientSpread: spread(rounds.map((r) => r.durableVsBareClient)),
      queueVsDurableClient: median(rounds.map((r) => r.queueVsDurableClient)),
      queueVsDurableClientSpread: spread(rounds.map((r) => r.queueVsDurableClient)),
      statementsPerMessage: {
        queue: medianCounts(rounds.map((r) => r.statementsPerMessage.queue)),
        durable: medianCounts(rounds.map((r) => r.statementsPerMessage.durable)),
      },
      queueCpuUsPerMessage: median(rounds.map((r) => r.queueCpuUsPerMessage)),
      bareCpuUsPerMessage: median(rounds.map((r) => r.bareCpuUsPerMessage)),
      cpuRatio: rounds.every((r) => r.cpuRatio !== null) ? median(rounds.map((r) => r.cpuRatio!)) : null,
      perRound: rounds,
      concurrency: CONCURRENCY,
      carrier: 'simulator in a process of its own',
      targets: { messagesPerSecond: TARGET_PER_SECOND, queueVsBareClient: 0.9 },
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await world?.close();
    await carrier.stop();
  }
}

if (require.main === module) {
  runBench('handover', runHandoverBench, (result) =>
    `handover: ${result.messages} messages a round, ${result.rounds} rounds: median ${result.messagesPerSecond}/s through the queue, bare twilio client ${result.bareClientMessagesPerSecond}/s; queue = ${result.queueVsBareClient}x the bare client (spread ${(result.queueVsBareClientSpread as number[]).join(' to ')}); bare client with the claim and sid writes alone ${result.durableClientMessagesPerSecond}/s = ${result.durableVsBareClient}x the bare client, the queue ${result.queueVsDurableClient}x it; database statements a message: ${JSON.stringify(result.statementsPerMessage)}; CPU per message ${result.queueCpuUsPerMessage} us (queue) vs ${result.bareCpuUsPerMessage} us (bare); the machine's CPU a message, bare over queue: ${result.cpuRatio ?? 'not measured'}`);
}
