import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveSubscription<T> {
  /** Every event received so far. */
  events: T[];
  /** Resolves with the next event not yet taken, or rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves once at least n events have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  error: Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Opens clients for the tests of a describe block and closes every one after each test: call it
 * in the block, with the app's URL as the tests will have it.
 */
export function clientsClosedAfterEach(httpUrl: () => string): (token: string) => Client {
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  return (token) => {
    const client = wsClient(httpUrl(), token);
    clients.push(client);
    return client;
  };
}

/** A real graphql-ws client over a real WebSocket, authorised like an inbox app. */
export function wsClient(httpUrl: string, token: string | null, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? (token ? { authorization: `Bearer ${token}` } : {}),
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): LiveSubscription<T> {
  const events: T[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  let fail: (e: unknown) => void = () => {};
  const error = new Promise<unknown>((_, reject) => {
    fail = reject;
  });
  error.catch(() => {});
  const dispose = client.subscribe<T>({ query, variables }, {
    next: (value) => {
      if (value.errors?.length) fail(value.errors);
      else events.push(value.data as T);
      waiters.splice(0).forEach((w) => w());
    },
    error: (e) => {
      fail(e);
      waiters.splice(0).forEach((w) => w());
    },
    complete: () => {},
  });
  const waitUntil = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${events.length})`)), timeoutMs);
      const poll = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(poll);
      };
      error.catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
      poll();
    });
  return {
    events,
    error,
    async next(timeoutMs = 5000) {
      await waitUntil(() => events.length > taken, timeoutMs, 'the next event');
      return events[taken++];
    },
    async waitFor(n, timeoutMs = 5000) {
      await waitUntil(() => events.length >= n, timeoutMs, `${n} events`);
      return events;
    },
    async close() {
      dispose();
    },
  };
}

/** Waits until the server has acknowledged the connection (or closed it). */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      resolve();
    });
    client.on('closed', (event) => reject(event));
  });
}

/** How many subscriptions the server at httpUrl has started listening for, from GET /metrics. */
export async function subscriptionsStarted(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = /^switchboard_graphql_subscriptions_started_total (\d+)$/m.exec(text);
  if (!line) throw new Error('GET /metrics has no switchboard_graphql_subscriptions_started_total');
  return Number(line[1]);
}

/**
 * Opens subscriptions and resolves once the server listens for every one of them: its count of
 * started subscriptions grew by as many. An event published after that reaches them (in-process;
 * through Redis the channel may still be subscribing, see untilDelivered). Tests of one file run
 * one at a time against their own server, so nothing else starts a subscription meanwhile.
 */
export async function subscribed<T extends Array<LiveSubscription<any>>>(httpUrl: string, open: () => [...T], timeoutMs = 10000): Promise<T> {
  const before = await subscriptionsStarted(httpUrl);
  const subs = open();
  const deadline = Date.now() + timeoutMs;
  const refused = Promise.race(subs.map((s) => s.error));
  refused.catch(() => {});
  for (;;) {
    if ((await subscriptionsStarted(httpUrl)) >= before + subs.length) return subs as T;
    if (Date.now() > deadline) throw new Error(`the server never listened for ${subs.length} new subscriptions`);
    await Promise.race([new Promise((r) => setTimeout(r, 20)), refused]);
  }
}
