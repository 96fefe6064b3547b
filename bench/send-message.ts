import { buildWorld } from './campaign-world';
import { percentile, postGraphQL, round, runBench } from './support';

// sendMessage over HTTP on MariaDB, with the send queue running (the simulator in the same
// process takes the messages): REQUESTS one-off sends, each with its own idempotency key, at
// CONCURRENCY requests in flight; throughput and latency percentiles. The baseline in the same
// run and process is as many bare GraphQL operations (`{ __typename }`: authentication, parse,
// limits, execution) at the same concurrency. Three rounds each; the median round is reported
// with the spread of the three.

const REQUESTS = Number(process.env.BENCH_SEND_MESSAGES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_SEND_CONCURRENCY ?? 16);
const ROUNDS = 3;

interface Round {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function round_(send: (i: number) => Promise<unknown>): Promise<Round> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      const i = next++;
      const t = performance.now();
      await send(i);
      latencies.push(performance.now() - t);
    }
  }));
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(REQUESTS / (ms / 1000)), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
}

function summary(rounds: Round[]) {
  const sorted = [...rounds].sort((a, b) => a.perSecond - b.perSecond);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { median, spread: { perSecond: [sorted[0].perSecond, sorted[sorted.length - 1].perSecond], p99Ms: [Math.min(...rounds.map((r) => r.p99Ms)), Math.max(...rounds.map((r) => r.p99Ms))] }, rounds };
}

export async function runSendMessageBench(): Promise<Record<string, unknown>> {
  const world = await buildWorld({ members: 0, workers: true, maxPerSecond: 10_000 });
  try {
    const send = (r: number) => (i: number) => postGraphQL(world.server.url,
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } error { code } } }',
      { input: { groupId: world.groupId, to: `+1415${String(2_000_000 + r * REQUESTS + i * 37).padStart(7, '0')}`, body: 'Your code is {{attributes.code}}', variables: { code: String(i) }, idempotencyKey: `bench-${r}-${i}` } },
      world.key);
    const bare = () => postGraphQL(world.server.url, '{ __typename }', {}, world.key);
    await round_(bare);
    const sendRounds: Round[] = [];
    const bareRounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await round_(bare));
      sendRounds.push(await round_(send(r)));
    }
    await world.server.services.dispatcher.settle(30_000);
    const sendMessage = summary(sendRounds);
    const bareGraphQL = summary(bareRounds);
    return {
      scenario: 'send-message',
      database: 'mariadb',
      requestsPerRound: REQUESTS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      sendMessage,
      bareGraphQL,
      sendVsBare: Number((sendMessage.median.perSecond / bareGraphQL.median.perSecond).toFixed(2)),
      note: 'one machine of 2 cores shared with other work: figures are noisy',
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await world.close();
  }
}

if (require.main === module) {
  runBench('send-message', runSendMessageBench, (result: any) =>
    `send-message: ${result.sendMessage.median.perSecond}/s, p99 ${result.sendMessage.median.p99Ms} ms (spread ${result.sendMessage.spread.perSecond.join('-')}/s); bare GraphQL ${result.bareGraphQL.median.perSecond}/s, p99 ${result.bareGraphQL.median.p99Ms} ms`);
}
