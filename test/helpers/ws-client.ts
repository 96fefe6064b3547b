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
