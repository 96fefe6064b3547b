import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { builtInboxDir } from '../src/inbox/inbox.router';
import { launchChromium, openInbox } from '../test/helpers/browser';
import { agent, messageSid, postInbound, setupAccount, spawnSwitchboard, usNumber } from './inbound';
import { freshBenchDatabase, percentile, round, runBench } from './support';

// Webhook to reply on screen: an agent's inbox open in Debian's Chromium (headless) while 100
// replies arrive one after another from 25 contacts (new threads first, then threads moving to
// the top). Each reply is timed from the start of its webhook request to the moment the page
// shows its text in the conversation list, and to the next animation frame after that (painted).
// Server in its own process on MariaDB, as `npm start` runs it; loopback only. Also the page's
// size as served: its JS and CSS, gzipped. A bare graphql-ws client in this process, subscribed
// to the same replies, gives the share of the time the page itself adds.

const CONTACTS = 25;
const REPLIES = 100;
const WARM_UP = 5;

// Runs in the page: notes when each "bench <n>" body first appears in the list.
const WATCH_LIST = `(() => {
  window.__seen = {};
  const list = document.querySelector('[aria-label="Conversations"]');
  const note = () => {
    const now = performance.timeOrigin + performance.now();
    for (const el of list.querySelectorAll('.last')) {
      const m = /bench (\\d+)/.exec(el.textContent);
      if (m && !window.__seen[m[1]]) {
        window.__seen[m[1]] = { dom: now };
        requestAnimationFrame(() => { window.__seen[m[1]].painted = performance.timeOrigin + performance.now(); });
      }
    }
  };
  new MutationObserver(note).observe(list, { childList: true, subtree: true, characterData: true });
})()`;

interface Seen {
  dom: number;
  painted?: number;
}

function pageSize(): Record<string, number> {
  const assets = join(builtInboxDir(), 'assets');
  const sizes = { jsBytes: 0, jsGzipBytes: 0, cssBytes: 0, cssGzipBytes: 0 };
  for (const file of readdirSync(assets)) {
    const content = readFileSync(join(assets, file));
    const kind = file.endsWith('.js') ? 'js' : file.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    sizes[`${kind}Bytes`] += content.length;
    sizes[`${kind}GzipBytes`] += gzipSync(content).length;
  }
  return { ...sizes, totalGzipKB: round((sizes.jsGzipBytes + sizes.cssGzipBytes) / 1024) };
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1]) };
};

export async function runInboxPageBench(): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase('sb_bench_inbox_page');
  const server = await spawnSwitchboard(database.url);
  const browser = await launchChromium();
  try {
    const to = usNumber(9100);
    const account = await setupAccount(server.url, 'Inbox page bench', [to]);
    const page = await openInbox(browser, server.url, account.key);
    await page.evaluate(WATCH_LIST);
    const bareArrivals = new Map<number, number>();
    const bare = createClient({ url: server.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${account.key}` }, retryAttempts: 0 });
    bare.subscribe<{ replyReceived: { message: { body: string } } }>({ query: 'subscription { replyReceived { message { body } } }' }, {
      next: (value) => bareArrivals.set(Number(/bench (\d+)/.exec(value.data!.replyReceived.message.body)![1]), performance.timeOrigin + performance.now()),
      error: (error) => console.error('bare subscription failed', error),
      complete: () => {},
    });
    const toScreen: number[] = [];
    const toPaint: number[] = [];
    const toBareClient: number[] = [];
    for (let n = 0; n < WARM_UP + REPLIES; n++) {
      const from = usNumber(9200 + (n % CONTACTS), '415');
      const started = performance.timeOrigin + performance.now();
      const status = await postInbound(server.url, { MessageSid: messageSid(), AccountSid: 'AC00000000000000000000000000000000', From: from, To: to, Body: `bench ${n}`, NumMedia: '0' });
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      await page.waitForFunction((i: number) => (globalThis as { __seen?: Record<number, Seen> }).__seen?.[i]?.painted, n, { polling: 'raf', timeout: 10_000 });
      const seen = (await page.evaluate(`window.__seen[${n}]`)) as Seen;
      if (n < WARM_UP) continue;
      toScreen.push(seen.dom - started);
      toPaint.push(seen.painted! - started);
      toBareClient.push(bareArrivals.get(n)! - started);
    }
    await bare.dispose();
    return {
      scenario: 'inbox-page',
      database: 'MariaDB',
      browser: `Chromium ${browser.version()} (headless)`,
      replies: REPLIES,
      contacts: CONTACTS,
      webhookToListMs: summary(toScreen),
      webhookToPaintedMs: summary(toPaint),
      webhookToBareGraphqlWsClientMs: summary(toBareClient),
      pageSize: pageSize(),
      targets: { visibleWithinMs: 1000, pageGzipKB: 100 },
    };
  } finally {
    await browser.close();
    await server.stop();
    await database.drop();
  }
}

if (require.main === module) {
  runBench('inbox-page', async () => ({ ...(await runInboxPageBench()), measuredAt: new Date().toISOString() }), (result) => JSON.stringify(result, null, 2))
    .then(() => agent.destroy());
}
