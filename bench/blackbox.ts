import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedWorld } from './campaign-world';
import { forkCarrier } from './carrier';
import { ADMIN_TOKEN, agent, closedLoop, openLoop, postInbound, setupAccount, usNumber, waitHealthy } from './inbound';
import { oneAccountFanOut, openInboxes, spreadLoad, untilAllLive, type Inbox } from './inbox-fanout';
import { show, spreadOf, type Spread } from './stats';
import { freePort, freshBenchDatabase, postGraphQL, runBench } from './support';

// The product as a user runs it: `npm start` in the project's folder (its defaults: workers on,
// the law's hours off only because a benchmark must not depend on the hour in New York), on
// MariaDB, driven from outside over HTTP and graphql-ws only: no import of the server, no SQL
// (the data is made through the API). The carrier is the simulator in a process of its own with
// its status callbacks on, as Twilio would call back. Each scenario runs RUNS times against the
// one started server: median and spread. The server's RSS is read from /proc (its peak, VmHWM,
// for the 1M launch, which gets a server of its own).

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HANDOVER_MESSAGES = Number(process.env.BENCH_BLACKBOX_HANDOVER ?? 20_000);
const LAUNCH_RECIPIENTS = Number(process.env.BENCH_BLACKBOX_LAUNCH ?? 100_000);
const MILLION = process.env.BENCH_BLACKBOX_1M === '1';

interface Product {
  url: string;
  /** The node process that serves (npm's child), for /proc readings. */
  serverPid(): number;
  stop(): Promise<void>;
}

/** `npm start` as a process group of its own (npm, its shell, node), stopped with SIGTERM to the group. */
async function npmStart(databaseUrl: string, carrierUrl: string): Promise<Product> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, PUBLIC_URL: url, ADMIN_TOKEN,
      LOG_LEVEL: 'error', LEGAL_RULES: 'off', TWILIO_API_BASE_URL: carrierUrl,
    },
  });
  await waitHealthy(url, child);
  const serverPid = () => {
    const node = descendants(child.pid!).find((pid) => /node/.test(readFileSync(`/proc/${pid}/comm`, 'utf8')));
    if (!node) throw new Error('no node process under npm start');
    return node;
  };
  return {
    url,
    serverPid,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGTERM');
    }),
  };
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => { out.push(c); walk(c); });
  walk(pid);
  return out;
}

/** VmRSS and VmHWM (the peak) of a process, in MB. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inbound(url: string, run: number) {
  const to = Array.from({ length: 5 }, (_, i) => usNumber(9000 + i + run * 10));
  await setupAccount(url, `Black-box inbound ${run}`, to);
  await closedLoop(url, to, 2, 50);
  const throughput = await closedLoop(url, to, 10, 50);
  const at300 = await openLoop(url, to, 300, 8);
  return { perSecond: throughput.ok / throughput.seconds, failed: throughput.failed + at300.failed, p99At300: at300.p99, p50At300: at300.p50 };
}

async function fanOut(url: string) {
  const accounts: Array<{ to: string; inboxes: Inbox[] }> = [];
  for (let a = 0; a < 100; a++) {
    const to = usNumber(5000 + a);
    const account = await setupAccount(url, `Black-box fan-out ${a}`, [to]);
    accounts.push({ to, inboxes: await openInboxes(url, account.key, 10) });
  }
  await untilAllLive(url, accounts);
  const spreads = [];
  for (let run = 0; run < RUNS; run++) spreads.push(await spreadLoad(url, accounts));
  await Promise.all(accounts.flatMap((a) => a.inboxes.map((i) => i.client.dispose())));
  const to = usNumber(7777);
  const single = await setupAccount(url, 'Black-box busy account', [to]);
  const inboxes = await openInboxes(url, single.key, 1000);
  await untilAllLive(url, [{ to, inboxes }]);
  const one = [];
  for (let run = 0; run < RUNS; run++) {
    one.push(await oneAccountFanOut(inboxes, (sid, r) => postInbound(url, { MessageSid: sid, From: usNumber(r, '415'), To: to, Body: `one to many ${r}` })));
  }
  await Promise.all(inboxes.map((i) => i.client.dispose()));
  return { spreadP99Ms: spreadOf(spreads.map((s) => s.p99Ms)), oneAccountAllInboxesMs: spreadOf(one.map((o) => o.allInboxesMedianMs)) };
}

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

async function waitFor(what: string, limitMs: number, done: () => Promise<boolean>, everyMs = 100): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not after ${limitMs} ms`);
    await sleep(everyMs);
  }
}

const STATS = 'query($id: ID!) { campaign(id: $id) { planningStatus stats { recipients queued rejected failed } } }';

async function campaign(api: Gql, groupId: string, name: string): Promise<string> {
  const { createCampaign } = await api('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { groupId, name, body: 'Hi {{first_name}}, your offer ends tonight.' } });
  return createCampaign.id;
}

/** From launchCampaign until every accepted message is handed over (none queued), through the queue with every guard on. */
export async function handOver(url: string, admin: Gql) {
  const world = await seedWorld(url, admin, { members: HANDOVER_MESSAGES, maxPerSecond: 10_000 });
  const rounds: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const id = await campaign(world.gql, world.groupId, `hand-over ${run}`);
    const start = performance.now();
    await world.gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id });
    let accepted = 0;
    await waitFor('hand-over', 300_000, async () => {
      const { campaign: c } = await world.gql(STATS, { id });
      accepted = c.stats.recipients - c.stats.rejected;
      return c.planningStatus !== 'PLANNING' && c.stats.queued === 0;
    }, 50);
    rounds.push(accepted / ((performance.now() - start) / 1000));
  }
  return { messages: HANDOVER_MESSAGES, perSecond: spreadOf(rounds, 0) };
}

/** launchCampaign's answer, the planning's end, then a cancel right after a second launch. */
async function launch(product: Product, admin: Gql, recipients: number, runs: number) {
  // Senders at their default rates: the queue drains slowly beside the planning, as in use.
  const world = await seedWorld(product.url, admin, { members: recipients, variant: 1 });
  const rounds: Array<{ answerMs: number; planningMs: number; cancelAnswerMs: number; cancelSettledMs: number; rssPeakMb: number }> = [];
  for (let run = 0; run < runs; run++) {
    const id = await campaign(world.gql, world.groupId, `launch ${run}`);
    const start = performance.now();
    await world.gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id });
    const answerMs = performance.now() - start;
    let peakMb = 0;
    await waitFor('planning', 1_800_000, async () => {
      peakMb = Math.max(peakMb, memoryOf(product.serverPid()).rssMb);
      const { campaign: c } = await world.gql(STATS, { id });
      return c.planningStatus !== 'PLANNING';
    });
    const planningMs = performance.now() - start;
    await world.gql('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id });

    const second = await campaign(world.gql, world.groupId, `cancelled ${run}`);
    await world.gql('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: second });
    const cancelStart = performance.now();
    await world.gql('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id: second });
    const cancelAnswerMs = performance.now() - cancelStart;
    await waitFor('cancel', 120_000, async () => {
      const { campaign: c } = await world.gql(STATS, { id: second });
      return c.planningStatus !== 'PLANNING' && c.stats.queued === 0;
    }, 20);
    rounds.push({ answerMs, planningMs, cancelAnswerMs, cancelSettledMs: performance.now() - cancelStart, rssPeakMb: peakMb });
  }
  const fig = (pick: (r: (typeof rounds)[number]) => number) => spreadOf(rounds.map(pick), 0);
  return {
    recipients,
    answerMs: fig((r) => r.answerMs), planningMs: fig((r) => r.planningMs),
    cancelAnswerMs: fig((r) => r.cancelAnswerMs), cancelSettledMs: fig((r) => r.cancelSettledMs),
    rssPeakMb: fig((r) => r.rssPeakMb),
  };
}

export async function withProduct<T>(work: (product: Product, admin: Gql) => Promise<T>): Promise<T> {
  const database = await freshBenchDatabase('sb_bench_blackbox');
  // Status callbacks go to the URL each message names, so the carrier needs no address of ours.
  const carrier = await forkCarrier({ statusCallbacks: true });
  let product: Product | undefined;
  try {
    product = await npmStart(database.url, carrier.url);
    const url = product.url;
    const admin: Gql = (query, variables = {}) => postGraphQL(url, query, variables, ADMIN_TOKEN);
    return await work(product, admin);
  } finally {
    await product?.stop();
    await carrier.stop();
    await database.drop();
  }
}

export async function runBlackboxBench(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { scenario: 'blackbox', database: 'MariaDB', runs: RUNS, started: 'npm start', carrier: 'simulator in a process of its own, status callbacks on' };
  await withProduct(async (product, admin) => {
    const inboundRuns = [];
    for (let run = 0; run < RUNS; run++) inboundRuns.push(await inbound(product.url, run));
    result.inbound = {
      concurrency: 50,
      perSecond: spreadOf(inboundRuns.map((r) => r.perSecond), 0),
      p99At300PerSecondMs: spreadOf(inboundRuns.map((r) => r.p99At300)),
      p50At300PerSecondMs: spreadOf(inboundRuns.map((r) => r.p50At300)),
      failed: inboundRuns.reduce((n, r) => n + r.failed, 0),
    };
    result.fanOut = await fanOut(product.url);
    result.handOver = await handOver(product.url, admin);
    result.launch = await launch(product, admin, LAUNCH_RECIPIENTS, RUNS);
    result.serverRssAfterMb = memoryOf(product.serverPid()).rssMb;
  });
  // A million recipients on a server of its own, so that its peak RSS is the launch's.
  if (MILLION) result.launchMillion = await withProduct((product, admin) => launch(product, admin, 1_000_000, 1));
  return { ...result, measuredAt: new Date().toISOString() };
}

function summary(result: Record<string, any>): string {
  const lines = [`black-box (npm start, MariaDB), ${result.runs} runs, median (min-max):`];
  lines.push(`  inbound, 50 concurrent: ${show(result.inbound.perSecond, '/s')}; p99 at 300/s ${show(result.inbound.p99At300PerSecondMs, ' ms')}`);
  lines.push(`  fan-out 1,000 inboxes / 100 accounts, p99 ${show(result.fanOut.spreadP99Ms, ' ms')}; one reply to 1,000 inboxes ${show(result.fanOut.oneAccountAllInboxesMs, ' ms')}`);
  lines.push(`  hand-over of ${result.handOver.messages} from launch: ${show(result.handOver.perSecond, '/s')}`);
  const launchLine = (l: Record<string, Spread> & { recipients: number }) =>
    `  launch ${l.recipients}: answer ${show(l.answerMs, ' ms')}, planning ${show(l.planningMs, ' ms')}, RSS peak ${show(l.rssPeakMb, ' MB')}; cancel right after a launch answers in ${show(l.cancelAnswerMs, ' ms')}, nothing queued after ${show(l.cancelSettledMs, ' ms')}`;
  lines.push(launchLine(result.launch));
  if (result.launchMillion) lines.push(launchLine(result.launchMillion));
  return lines.join('\n');
}

if (require.main === module) {
  runBench('blackbox', runBlackboxBench, summary).then(() => agent.destroy());
}
