import 'reflect-metadata';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { agent, messageSid, postInbound, setupAccount, spawnSwitchboard, usNumber } from './inbound';
import { atFixedRate, freshBenchDatabase, percentile, round, runBench } from './support';

// Webhook-to-inbox latency over graphql-ws: 1,000 subscribers over 100 accounts (10 inboxes each)
// while 100 replies a second arrive spread over those accounts; then how long one reply takes to
// reach 1,000 inboxes of a single account. Server in its own process on MariaDB, loopback only.

const ACCOUNTS = 100;
const INBOXES_PER_ACCOUNT = 10;
const RATE = 100;
const SECONDS = 10;
const SINGLE_ACCOUNT_INBOXES = 1000;
const SINGLE_ACCOUNT_REPLIES = 20;

const INBOX_DOCUMENT = `subscription {
  replyReceived {
    keyword
    message { id body from createdAt providerSid }
    conversation { id status unreadCount lastMessageAt contact { id phoneNumber firstName lastName } sender { id value } }
  }
}`;

interface Inbox {
  client: Client;
  /** Called with the MessageSid of every event. */
  onEvent?: (sid: string) => void;
}

async function openInboxes(url: string, key: string, count: number): Promise<Inbox[]> {
  const inboxes: Inbox[] = [];
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0 });
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

/** Posts probe replies until every inbox has received one: all subscriptions are then live. */
async function untilAllLive(url: string, groups: Array<{ to: string; inboxes: Inbox[] }>): Promise<void> {
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

async function spreadLoad(url: string, accounts: Array<{ to: string; inboxes: Inbox[] }>) {
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

async function oneAccountFanOut(url: string, to: string, inboxes: Inbox[]) {
  const toLast: number[] = [];
  const toFirst: number[] = [];
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
    await postInbound(url, { MessageSid: sid, From: usNumber(r, '415'), To: to, Body: `one to many ${r}` });
    toLast.push(await all);
    toFirst.push(first);
    await new Promise((r2) => setTimeout(r2, 200));
  }
  toLast.sort((a, b) => a - b);
  toFirst.sort((a, b) => a - b);
  return {
    inboxes: inboxes.length,
    replies: SINGLE_ACCOUNT_REPLIES,
    firstInboxMedianMs: round(percentile(toFirst, 50)),
    allInboxesMedianMs: round(percentile(toLast, 50)),
    allInboxesMaxMs: round(toLast[toLast.length - 1]),
    perDeliveryMicroseconds: round((percentile(toLast, 50) * 1000) / inboxes.length, 1),
  };
}

export async function runInboxFanoutBench(): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase('sb_bench_fanout');
  const server = await spawnSwitchboard(database.url, { SWITCHBOARD_WORKERS: 'off' });
  const clients: Client[] = [];
  try {
    const accounts: Array<{ to: string; inboxes: Inbox[] }> = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const to = usNumber(5000 + a);
      const account = await setupAccount(server.url, `Fan-out ${a}`, [to]);
      const inboxes = await openInboxes(server.url, account.key, INBOXES_PER_ACCOUNT);
      clients.push(...inboxes.map((i) => i.client));
      accounts.push({ to, inboxes });
    }
    await untilAllLive(server.url, accounts);
    const spread = await spreadLoad(server.url, accounts);
    await Promise.all(clients.splice(0).map((c) => c.dispose()));

    const to = usNumber(7777);
    const single = await setupAccount(server.url, 'One busy account', [to]);
    const inboxes = await openInboxes(server.url, single.key, SINGLE_ACCOUNT_INBOXES);
    clients.push(...inboxes.map((i) => i.client));
    await untilAllLive(server.url, [{ to, inboxes }]);
    const oneAccount = await oneAccountFanOut(server.url, to, inboxes);
    return {
      scenario: 'inbox-fanout',
      database: 'MariaDB',
      spread: { accounts: ACCOUNTS, inboxesPerAccount: INBOXES_PER_ACCOUNT, repliesPerSecond: RATE, seconds: SECONDS, ...spread },
      oneAccount,
      targets: { spreadP99Ms: 25 },
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
    await database.drop();
  }
}

if (require.main === module) {
  runBench('inbox-fanout', async () => ({ ...(await runInboxFanoutBench()), measuredAt: new Date().toISOString() }), (result) => JSON.stringify(result, null, 2))
    .then(() => agent.destroy());
}
