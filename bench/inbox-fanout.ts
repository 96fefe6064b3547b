import 'reflect-metadata';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { forkBareGraphqlWs, type MemoryProbe } from './bare-graphql-ws';
import { agent, messageSid, postInbound, setupAccount, spawnSwitchboard, usNumber } from './inbound';
import { freshDatabase } from '../test/helpers/databases';
import { startCommitProbe, type CommitFigures } from './commit-probe';
import { socketFloor } from './socket-floor';
import { show, spreadOf } from './stats';
import { atFixedRate, freshBenchDatabase, percentile, round, runBench } from './support';

// Webhook-to-inbox latency over graphql-ws: 1,000 subscribers over 100 accounts (10 inboxes each)
// while 100 replies a second arrive spread over those accounts; then how long one reply takes to
// reach 1,000 inboxes of a single account, beside a bare graphql-ws server (bare-graphql-ws.ts)
// sending one event of the same shape to 1,000 subscribers; and the memory an idle subscriber
// costs each server. Servers in processes of their own, Switchboard on MariaDB, loopback only.
// Each scenario runs RUNS times on the same servers: median and spread.

const ACCOUNTS = 100;
const INBOXES_PER_ACCOUNT = 10;
const RATE = 100;
const SECONDS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SINGLE_ACCOUNT_INBOXES = 1000;
const SINGLE_ACCOUNT_REPLIES = 20;

const INBOX_DOCUMENT = `subscription {
  replyReceived {
    keyword
    message { id body from createdAt providerSid }
    conversation { id status unreadCount lastMessageAt contact { id phoneNumber firstName lastName } sender { id value } }
  }
}`;

type Disposable = Pick<Client, 'dispose'>;

export interface Inbox {
  client: Disposable;
  /** Called with the MessageSid of every event. */
  onEvent?: (sid: string) => void;
}

export async function openInboxes(url: string, key: string | null, count: number): Promise<Inbox[]> {
  const inboxes: Inbox[] = [];
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: key ? { authorization: `Bearer ${key}` } : {}, retryAttempts: 0 });
    const inbox: Inbox = { client };
    client.subscribe<{ replyReceived: { message: { providerSid: string } } }>({ query: INBOX_DOCUMENT }, {
      next: (value) => inbox.onEvent?.(value.data!.replyReceived.message.providerSid),
      error: (error) => console.error('inbox subscription failed', error),
      complete: () => {},
    });
    inboxes.push(inbox);
  }
  return inboxes;
}

const SID_FIELD = Buffer.from('"providerSid":"');

/**
 * Inboxes that speak graphql-transport-ws over bare `ws` sockets and read only the sid out of each
 * frame (no JSON parse, no graphql-ws client): the receiving end costs the benchmark process as
 * little as it can, so that "one reply to 1,000 inboxes" measures the server's fan-out more than
 * 1,000 clients parsing in the same process. Used for Switchboard and the bare server alike.
 */
export async function openLightInboxes(url: string, key: string | null, count: number): Promise<Inbox[]> {
  const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
  const open = (): Promise<Inbox> => new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { agent: undefined, skipUTF8Validation: true });
    const inbox: Inbox = { client: { dispose: () => socket.close() } };
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: key ? { authorization: `Bearer ${key}` } : {} })));
    let acked = false;
    socket.on('message', (data: Buffer) => {
      if (!acked) {
        acked = true;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: INBOX_DOCUMENT } }));
        resolve(inbox);
        return;
      }
      const at = data.indexOf(SID_FIELD);
      if (at >= 0 && inbox.onEvent) inbox.onEvent(data.toString('latin1', at + SID_FIELD.length, at + SID_FIELD.length + 34));
    });
  });
  const inboxes: Inbox[] = [];
  for (let i = 0; i < count; i++) inboxes.push(await open());
  return inboxes;
}

/** Posts probe replies until every inbox has received one: all subscriptions are then live. */
export async function untilAllLive(url: string, groups: Array<{ to: string; inboxes: Inbox[] }>): Promise<void> {
  const deadline = Date.now() + 60_000;
  const live = new Set<Inbox>();
  for (const { inboxes } of groups) for (const inbox of inboxes) inbox.onEvent = () => live.add(inbox);
  const total = groups.reduce((n, g) => n + g.inboxes.length, 0);
  while (live.size < total) {
    if (Date.now() > deadline) throw new Error(`only ${live.size} of ${total} inboxes went live`);
    for (const { to, inboxes } of groups) {
      if (inboxes.every((i) => live.has(i))) continue;
      await postInbound(url, { MessageSid: messageSid(), From: usNumber(9999, '415'), To: to, Body: 'probe' });
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const { inboxes } of groups) for (const inbox of inboxes) inbox.onEvent = undefined;
}

export async function spreadLoad(url: string, accounts: Array<{ to: string; inboxes: Inbox[] }>) {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  for (const { inboxes } of accounts) {
    for (const inbox of inboxes) {
      inbox.onEvent = (sid) => {
        const t0 = sentAt.get(sid);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      };
    }
  }
  const total = RATE * SECONDS;
  const statuses = await atFixedRate(RATE, total, (n) => {
    const account = accounts[n % accounts.length];
    const sid = messageSid();
    sentAt.set(sid, performance.now());
    return postInbound(url, { MessageSid: sid, From: usNumber(n % 500, '415'), To: account.to, Body: `reply ${n}` });
  });
  await new Promise((r) => setTimeout(r, 1000));
  latencies.sort((a, b) => a - b);
  return {
    replies: total,
    failedRequests: statuses.filter((s) => s !== 200).length,
    deliveriesExpected: total * INBOXES_PER_ACCOUNT,
    deliveries: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1]),
  };
}

/** 100 accounts of 10 inboxes each, every inbox live; their clients are added to `clients`. */
async function spreadAccounts(url: string, clients: Disposable[]): Promise<Array<{ to: string; inboxes: Inbox[] }>> {
  const accounts: Array<{ to: string; inboxes: Inbox[] }> = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const to = usNumber(5000 + a);
    const account = await setupAccount(url, `Fan-out ${a}`, [to]);
    const inboxes = await openInboxes(url, account.key, INBOXES_PER_ACCOUNT);
    clients.push(...inboxes.map((i) => i.client));
    accounts.push({ to, inboxes });
  }
  await untilAllLive(url, accounts);
  return accounts;
}

/** A figure over runs: median (min-max) of what `pick` takes from each. */
const fig = <T>(list: T[], pick: (r: T) => number) => spreadOf(list.map(pick));

/** The spread scenario's runs as the results file shows them: latencies as median (min-max), deliveries per run. */
function spreadFigures(runs: Array<Awaited<ReturnType<typeof spreadLoad>>>) {
  return {
    p50Ms: fig(runs, (r) => r.p50Ms), p99Ms: fig(runs, (r) => r.p99Ms), maxMs: fig(runs, (r) => r.maxMs),
    deliveries: runs.map((r) => `${r.deliveries}/${r.deliveriesExpected}`), failedRequests: runs.reduce((n, r) => n + r.failedRequests, 0),
  };
}

/** How long each of the replies takes to reach every inbox; `send` posts one with the given sid. */
export async function oneAccountFanOut(inboxes: Inbox[], send: (sid: string, r: number) => Promise<unknown>) {
  const toLast: number[] = [];
  const toFirst: number[] = [];
  // When the webhook was answered (the reply stored): inboxes hear of a reply only after that.
  const toAnswer: number[] = [];
  for (let r = 0; r < SINGLE_ACCOUNT_REPLIES; r++) {
    const sid = messageSid();
    let received = 0;
    let first = 0;
    const t0 = performance.now();
    const all = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received} of ${inboxes.length} inboxes received reply ${r}`)), 30_000);
      for (const inbox of inboxes) {
        inbox.onEvent = (got) => {
          if (got !== sid) return;
          received += 1;
          if (received === 1) first = performance.now() - t0;
          if (received === inboxes.length) {
            clearTimeout(timer);
            resolve(performance.now() - t0);
          }
        };
      }
    });
    await send(sid, r);
    toAnswer.push(performance.now() - t0);
    toLast.push(await all);
    toFirst.push(first);
    await new Promise((r2) => setTimeout(r2, 200));
  }
  toLast.sort((a, b) => a - b);
  toFirst.sort((a, b) => a - b);
  toAnswer.sort((a, b) => a - b);
  return {
    inboxes: inboxes.length,
    replies: SINGLE_ACCOUNT_REPLIES,
    answeredMedianMs: round(percentile(toAnswer, 50)),
    firstInboxMedianMs: round(percentile(toFirst, 50)),
    allInboxesMedianMs: round(percentile(toLast, 50)),
    allInboxesMaxMs: round(toLast[toLast.length - 1]),
    perDeliveryMicroseconds: round((percentile(toLast, 50) * 1000) / inboxes.length, 1),
  };
}

async function untilBareLive(bare: { publish(sid: string): Promise<void> }, inboxes: Inbox[]): Promise<void> {
  const live = new Set<Inbox>();
  for (const inbox of inboxes) inbox.onEvent = () => live.add(inbox);
  for (let attempt = 0; live.size < inboxes.length; attempt++) {
    if (attempt > 200) throw new Error(`only ${live.size} of ${inboxes.length} bare inboxes went live`);
    await bare.publish('probe');
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const inbox of inboxes) inbox.onEvent = undefined;
}

/** Memory a server holds per idle subscriber: after a full GC, before and after `count` subscribe. */
async function perSubscriber(memory: () => Promise<MemoryProbe>, open: () => Promise<Disposable[]>): Promise<{ heapBytes: number; rssBytes: number; clients: Disposable[] }> {
  const before = await memory();
  const clients = await open();
  await new Promise((r) => setTimeout(r, 500));
  const after = await memory();
  const n = clients.length;
  return { heapBytes: Math.round((after.heapUsed + after.external - before.heapUsed - before.external) / n), rssBytes: Math.round((after.rss - before.rss) / n), clients };
}

export async function runInboxFanoutBench(): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase('sb_bench_fanout');
  const server = await spawnSwitchboard(database.url, { SWITCHBOARD_WORKERS: 'off' }, { memoryProbe: true });
  const bare = await forkBareGraphqlWs();
  const clients: Disposable[] = [];
  try {
    const accounts = await spreadAccounts(server.url, clients);
    const spreads: Array<Awaited<ReturnType<typeof spreadLoad>>> = [];
    const commits: CommitFigures[] = [];
    for (let run = 0; run < RUNS; run++) {
      const probe = await startCommitProbe(database.url);
      spreads.push(await spreadLoad(server.url, accounts));
      commits.push(await probe.stop());
    }
    await Promise.all(clients.splice(0).map((c) => c.dispose()));

    // The same on SQLite (the embedded default): no network round trip and no redo log flush per commit.
    const sqlite = await freshDatabase('sqlite');
    const sqliteServer = await spawnSwitchboard(sqlite.url, { SWITCHBOARD_WORKERS: 'off' });
    const sqliteSpreads: Array<Awaited<ReturnType<typeof spreadLoad>>> = [];
    try {
      const sqliteAccounts = await spreadAccounts(sqliteServer.url, clients);
      for (let run = 0; run < RUNS; run++) sqliteSpreads.push(await spreadLoad(sqliteServer.url, sqliteAccounts));
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
    } finally {
      await sqliteServer.stop();
      await sqlite.drop();
    }

    // One account's 1,000 inboxes; the memory they hold idle is measured as they open.
    const to = usNumber(7777);
    const single = await setupAccount(server.url, 'One busy account', [to]);
    let inboxes: Inbox[] = [];
    const ours = await perSubscriber(() => server.memory(), async () => {
      inboxes = await openInboxes(server.url, single.key, SINGLE_ACCOUNT_INBOXES);
      await untilAllLive(server.url, [{ to, inboxes }]);
      return inboxes.map((i) => i.client);
    });
    clients.push(...ours.clients);
    const oneAccount: Array<Awaited<ReturnType<typeof oneAccountFanOut>>> = [];
    for (let run = 0; run < RUNS; run++) {
      oneAccount.push(await oneAccountFanOut(inboxes, (sid, r) => postInbound(server.url, { MessageSid: sid, From: usNumber(r, '415'), To: to, Body: `one to many ${r}` })));
    }
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    const light = await openLightInboxes(server.url, single.key, SINGLE_ACCOUNT_INBOXES);
    clients.push(...light.map((i) => i.client));
    await untilAllLive(server.url, [{ to, inboxes: light }]);
    const oneAccountLight: Array<Awaited<ReturnType<typeof oneAccountFanOut>>> = [];
    for (let run = 0; run < RUNS; run++) {
      oneAccountLight.push(await oneAccountFanOut(light, (sid, r) => postInbound(server.url, { MessageSid: sid, From: usNumber(r, '415'), To: to, Body: `one to many ${r}` })));
    }
    await Promise.all(clients.splice(0).map((c) => c.dispose()));

    let bareInboxes: Inbox[] = [];
    const theirs = await perSubscriber(() => bare.memory(), async () => {
      bareInboxes = await openInboxes(bare.url, null, SINGLE_ACCOUNT_INBOXES);
      await untilBareLive(bare, bareInboxes);
      return bareInboxes.map((i) => i.client);
    });
    clients.push(...theirs.clients);
    const bareOneAccount: Array<Awaited<ReturnType<typeof oneAccountFanOut>>> = [];
    for (let run = 0; run < RUNS; run++) bareOneAccount.push(await oneAccountFanOut(bareInboxes, (sid) => bare.publish(sid)));
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    const bareLight = await openLightInboxes(bare.url, null, SINGLE_ACCOUNT_INBOXES);
    clients.push(...bareLight.map((i) => i.client));
    await untilBareLive(bare, bareLight);
    const bareOneAccountLight: Array<Awaited<ReturnType<typeof oneAccountFanOut>>> = [];
    for (let run = 0; run < RUNS; run++) bareOneAccountLight.push(await oneAccountFanOut(bareLight, (sid) => bare.publish(sid)));

    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    // The floor: the same number of plain socket writes of an event's size, in the same run.
    const floors: Array<Awaited<ReturnType<typeof socketFloor>>> = [];
    for (let run = 0; run < RUNS; run++) floors.push(await socketFloor(SINGLE_ACCOUNT_INBOXES, 600));

    return {
      scenario: 'inbox-fanout',
      database: 'MariaDB',
      runs: RUNS,
      spread: {
        accounts: ACCOUNTS, inboxesPerAccount: INBOXES_PER_ACCOUNT, repliesPerSecond: RATE, seconds: SECONDS,
        ...spreadFigures(spreads),
        // A bare autocommitted INSERT every 10 ms on the same MariaDB during each run (commit-probe.ts).
        bareCommitP99Ms: fig(commits, (r) => r.p99Ms), bareCommitMaxMs: fig(commits, (r) => r.maxMs),
      },
      spreadOnSqlite: spreadFigures(sqliteSpreads),
      oneAccount: {
        inboxes: SINGLE_ACCOUNT_INBOXES, repliesPerRun: SINGLE_ACCOUNT_REPLIES,
        // From the webhook's POST to the last inbox (Switchboard) or from the publish's POST (bare).
        switchboardAllInboxesMs: fig(oneAccount, (r) => r.allInboxesMedianMs),
        bareAllInboxesMs: fig(bareOneAccount, (r) => r.allInboxesMedianMs),
        ratio: spreadOf(oneAccount.map((r, i) => r.allInboxesMedianMs / bareOneAccount[i].allInboxesMedianMs)),
        switchboardPerDeliveryMicroseconds: fig(oneAccount, (r) => r.perDeliveryMicroseconds),
        barePerDeliveryMicroseconds: fig(bareOneAccount, (r) => r.perDeliveryMicroseconds),
        switchboardAnsweredMs: fig(oneAccount, (r) => r.answeredMedianMs),
        switchboardFirstInboxMs: fig(oneAccount, (r) => r.firstInboxMedianMs),
      },
      // 1,000 plain loopback socket writes of 600 bytes until all are read (socket-floor.ts): what no server can beat here.
      socketWriteFloor: {
        receivedMs: fig(floors, (r) => r.receivedMs),
        writeMs: fig(floors, (r) => r.writeMs),
        switchboardVsFloor: spreadOf(oneAccount.map((r, i) => r.allInboxesMedianMs / floors[i].receivedMs)),
      },
      // The same with light receiving clients (openLightInboxes): less of the clients' own cost in the figure.
      oneAccountLightClients: {
        inboxes: SINGLE_ACCOUNT_INBOXES, repliesPerRun: SINGLE_ACCOUNT_REPLIES,
        switchboardAllInboxesMs: fig(oneAccountLight, (r) => r.allInboxesMedianMs),
        bareAllInboxesMs: fig(bareOneAccountLight, (r) => r.allInboxesMedianMs),
        ratio: spreadOf(oneAccountLight.map((r, i) => r.allInboxesMedianMs / bareOneAccountLight[i].allInboxesMedianMs)),
        switchboardPerDeliveryMicroseconds: fig(oneAccountLight, (r) => r.perDeliveryMicroseconds),
        switchboardAnsweredMs: fig(oneAccountLight, (r) => r.answeredMedianMs),
        switchboardFirstInboxMs: fig(oneAccountLight, (r) => r.firstInboxMedianMs),
      },
      idleSubscriberMemory: {
        subscribers: SINGLE_ACCOUNT_INBOXES,
        switchboardHeapBytes: ours.heapBytes, bareHeapBytes: theirs.heapBytes, heapRatio: round(ours.heapBytes / theirs.heapBytes),
        switchboardRssBytes: ours.rssBytes, bareRssBytes: theirs.rssBytes,
      },
      targets: { spreadP99Ms: 25, oneAccountAllInboxesMs: 20, idleSubscriberMemoryRatio: 2 },
      note: 'median (min-max) of the runs; the 1,000 clients live in the bench process, so their own receiving is in every figure, the bare one too',
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
    await bare.stop();
    await database.drop();
  }
}

function summary(result: Record<string, any>): string {
  const { spread, oneAccount: one, idleSubscriberMemory: mem } = result;
  return [
    `inbox fan-out, ${result.runs} runs, median (min-max):`,
    `  1,000 inboxes over 100 accounts at 100 replies/s: p99 ${show(spread.p99Ms, ' ms')}, p50 ${show(spread.p50Ms, ' ms')}; a bare commit's p99 meanwhile ${show(spread.bareCommitP99Ms, ' ms')} (max ${show(spread.bareCommitMaxMs, ' ms')})`,
    `  the same on SQLite: p99 ${show(result.spreadOnSqlite.p99Ms, ' ms')}, p50 ${show(result.spreadOnSqlite.p50Ms, ' ms')}`,
    `  one reply to 1,000 inboxes of one account: ${show(one.switchboardAllInboxesMs, ' ms')} vs bare graphql-ws ${show(one.bareAllInboxesMs, ' ms')}: ratio ${show(one.ratio)}`,
    `    (webhook answered ${show(one.switchboardAnsweredMs, ' ms')}, first inbox ${show(one.switchboardFirstInboxMs, ' ms')})`,
    `  the same with light clients: ${show(result.oneAccountLightClients.switchboardAllInboxesMs, ' ms')} vs bare ${show(result.oneAccountLightClients.bareAllInboxesMs, ' ms')}: ratio ${show(result.oneAccountLightClients.ratio)}`,
    `    (webhook answered ${show(result.oneAccountLightClients.switchboardAnsweredMs, ' ms')}, first inbox ${show(result.oneAccountLightClients.switchboardFirstInboxMs, ' ms')})`,
    `  floor: 1,000 plain socket writes read in ${show(result.socketWriteFloor.receivedMs, ' ms')}; Switchboard ${show(result.socketWriteFloor.switchboardVsFloor)}x of it`,
    `  idle subscriber: ${mem.switchboardHeapBytes} B heap vs bare ${mem.bareHeapBytes} B: ratio ${mem.heapRatio}`,
  ].join('\n');
}

if (require.main === module) {
  runBench('inbox-fanout', async () => ({ ...(await runInboxFanoutBench()), measuredAt: new Date().toISOString() }), summary)
    .then(() => agent.destroy());
}
