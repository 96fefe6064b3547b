import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLBoolean, GraphQLError, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import type { Client } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { filteredStream } from '../src/core/filtered-stream';
import { LiveFanOut } from '../src/core/live-fan-out';
import { createLocalPubSub } from '../src/core/local-pubsub';
import { subscribe, wsClient, type LiveSubscription } from './helpers/ws-client';

// The live fan-out (core/live-fan-out.ts) on a schema of its own, behind a real graphql-ws server
// and real sockets: which subscribers share a group, what one event costs however many share it,
// how groups begin and end, and a socket that stops reading. The product's own subscriptions go
// through it in inbox-live, inbox-fanout, websocket and scale-out.

type Event = { n: number; text?: string; end?: boolean; fail?: boolean };
type Context = { tenant: string };

function world(maxBufferedBytes = 4 * 1024 * 1024) {
  const pubsub = createLocalPubSub();
  const counts = { sourcesOpened: 0, sourcesClosed: 0, executions: 0 };
  const refused = new Set<string>();

  const EventType = new GraphQLObjectType<Event>({
    name: 'Event',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      text: {
        type: GraphQLString,
        resolve: (event) => {
          counts.executions += 1;
          if (event.text === 'boom') throw new Error('boom');
          return event.text ?? null;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType<unknown, Context>({
      name: 'Subscription',
      fields: {
        events: {
          type: new GraphQLNonNull(EventType),
          args: { odd: { type: GraphQLBoolean } },
          resolve: (event: unknown) => event,
          subscribe: (_root, args: { odd?: boolean }, context: Context) => {
            if (refused.has(context.tenant)) throw new GraphQLError(`tenant ${context.tenant} refused`, { extensions: { code: 'FORBIDDEN' } });
            if (context.tenant === 'boom') throw new Error('boom');
            counts.sourcesOpened += 1;
            const source = pubsub.subscribe('events', context.tenant)[Symbol.asyncIterator]() as AsyncIterator<Event>;
            const ending: AsyncIterator<Event> = {
              async next() {
                const result = await source.next();
                if (!result.done && result.value.fail) throw new Error('the source failed');
                return !result.done && result.value.end ? { value: undefined, done: true } : result;
              },
              async return() {
                counts.sourcesClosed += 1;
                return (await source.return?.()) ?? { value: undefined, done: true };
              },
            };
            return filteredStream(ending, (event) => !args.odd || event.n % 2 === 1);
          },
        },
      },
    }),
  });

  // As the server maps domain errors: here an Error('boom') gets a code, anything else passes.
  const formatError = (error: GraphQLError) => (error.originalError?.message === 'boom' ? new GraphQLError('boom', { path: error.path, extensions: { code: 'MAPPED' } }) : error);
  const fanOut = new LiveFanOut({ visibilityOf: (context) => (context as Context).tenant, formatError, maxBufferedBytes });
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const cleanup = useServer<{ tenant?: string }>(
    {
      schema,
      context: (ctx, id) => fanOut.bind({ tenant: String(ctx.connectionParams?.tenant) }, ctx.extra.socket, id),
      onNext: fanOut.onNext,
      subscribe: fanOut.subscribe,
    },
    wsServer,
  );
  const clients: Client[] = [];
  const raws: WebSocket[] = [];
  return {
    pubsub,
    counts,
    refused,
    fanOut,
    wsServer,
    url: '',
    publish(tenant: string, event: Event) {
      pubsub.publish('events', tenant, event);
    },
    async start() {
      await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      this.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
      return this;
    },
    client(tenant: string): Client {
      const client = wsClient(this.url, null, { tenant });
      clients.push(client);
      return client;
    },
    /** A graphql-transport-ws socket of its own, subscribed once, every frame kept. */
    async raw(tenant: string, query: string) {
      const socket = new WebSocket(this.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
      raws.push(socket);
      const frames: string[] = [];
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { tenant } })));
        socket.on('message', (data) => {
          const text = String(data);
          if (JSON.parse(text).type === 'connection_ack') {
            socket.send(JSON.stringify({ id: 'raw', type: 'subscribe', payload: { query } }));
            resolve();
          } else frames.push(text);
        });
        socket.once('error', reject);
      });
      return { socket, frames };
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      for (const raw of raws) raw.terminate();
      await cleanup.dispose();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

type World = Awaited<ReturnType<ReturnType<typeof world>['start']>>;
type Data = { events: { n: number; text: string | null } };

const ALL = 'subscription { events { n text } }';
const ODD = 'subscription { events(odd: true) { n text } }';

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ns = (sub: LiveSubscription<Data>) => sub.events.map((e) => e.events.n);

describe('live fan-out', () => {
  let w: World;
  beforeEach(async () => {
    w = await world().start();
  });
  afterEach(async () => {
    await w.close();
  });

  it('gives subscribers with one document, variables and visibility one source stream, and executes each event once for them', async () => {
    const a = Array.from({ length: 5 }, () => subscribe<Data>(w.client('a'), ALL));
    const aOdd = Array.from({ length: 2 }, () => subscribe<Data>(w.client('a'), ODD));
    const b = Array.from({ length: 3 }, () => subscribe<Data>(w.client('b'), ALL));
    await until(() => w.fanOut.size.members === 10, 'ten members');

    // Each subscriber's own subscribe ran; three streams stay open, one a group.
    expect(w.counts.sourcesOpened).toBe(10);
    expect(w.counts.sourcesOpened - w.counts.sourcesClosed).toBe(3);
    expect(w.fanOut.size).toEqual({ groups: 3, members: 10 });

    for (let n = 1; n <= 4; n++) {
      w.publish('a', { n, text: `a${n}` });
      w.publish('b', { n: n * 10, text: `b${n}` });
    }
    await Promise.all([...a.map((s) => s.waitFor(4)), ...aOdd.map((s) => s.waitFor(2)), ...b.map((s) => s.waitFor(4))]);
    await new Promise((r) => setTimeout(r, 50));
    for (const sub of a) expect(sub.events).toEqual([1, 2, 3, 4].map((n) => ({ events: { n, text: `a${n}` } })));
    for (const sub of aOdd) expect(ns(sub)).toEqual([1, 3]);
    for (const sub of b) expect(ns(sub)).toEqual([10, 20, 30, 40]);
    // One execution an event a group: 4 (a) + 2 (a, odd) + 4 (b), however many members.
    expect(w.counts.executions).toBe(10);
  });

  it('keeps a group for its other members when its first leaves, and ends it with its last', async () => {
    const first = subscribe<Data>(w.client('a'), ALL);
    await until(() => w.fanOut.size.members === 1, 'the first member');
    const second = subscribe<Data>(w.client('a'), ALL);
    await until(() => w.fanOut.size.members === 2, 'the second member');

    w.publish('a', { n: 1 });
    await Promise.all([first.waitFor(1), second.waitFor(1)]);
    await first.close();
    await until(() => w.fanOut.size.members === 1, 'the first to leave');
    w.publish('a', { n: 2 });
    await second.waitFor(2);
    expect(ns(second)).toEqual([1, 2]);
    expect(ns(first)).toEqual([1]);

    await second.close();
    await until(() => w.fanOut.size.groups === 0, 'the group to end');
    await until(() => w.counts.sourcesOpened === w.counts.sourcesClosed, 'every source stream to close');

    // A newcomer starts a group of its own and gets only what comes after.
    const third = subscribe<Data>(w.client('a'), ALL);
    await until(() => w.fanOut.size.members === 1, 'the newcomer');
    w.publish('a', { n: 3 });
    await third.waitFor(1);
    expect(ns(third)).toEqual([3]);
  });

  it('completes every member when the group\'s stream ends, and fails every member when it fails', async () => {
    const completions: string[] = [];
    const failures: string[] = [];
    const open = (tenant: string, label: string) =>
      w.client(tenant).subscribe({ query: ALL }, {
        next: () => {},
        error: (error) => failures.push(`${label}: ${JSON.stringify(error)}`),
        complete: () => completions.push(label),
      });
    open('a', 'a1');
    open('a', 'a2');
    open('b', 'b1');
    open('b', 'b2');
    await until(() => w.fanOut.size.members === 4, 'four members');

    w.publish('a', { n: 0, end: true });
    await until(() => completions.length === 2, 'both of a to complete');
    expect(completions.sort()).toEqual(['a1', 'a2']);
    expect(w.fanOut.size).toEqual({ groups: 1, members: 2 });

    w.publish('b', { n: 0, fail: true });
    await until(() => failures.length === 2, 'both of b to fail');
    expect(failures.every((f) => f.includes('the source failed'))).toBe(true);
    expect(w.fanOut.size).toEqual({ groups: 0, members: 0 });
  });

  it("refuses a subscriber its own subscribe refuses, even while a group it would join is live", async () => {
    const member = subscribe<Data>(w.client('a'), ALL);
    await until(() => w.fanOut.size.members === 1, 'the member');
    w.refused.add('a');
    const refused = subscribe<Data>(w.client('a'), ALL);
    await expect(refused.error).rejects.toEqual([expect.objectContaining({ message: 'tenant a refused', extensions: { code: 'FORBIDDEN' } })]);
    expect(w.fanOut.size).toEqual({ groups: 1, members: 1 });
    w.publish('a', { n: 7 });
    await member.waitFor(1);
    expect(ns(member)).toEqual([7]);
  });

  it('formats errors as the server maps them, in what a group writes and in what graphql-ws sends itself', async () => {
    const raw = await w.raw('a', ALL);
    await until(() => w.fanOut.size.members === 1, 'the raw member');
    w.publish('a', { n: 9, text: 'boom' });
    await until(() => raw.frames.length === 1, 'the frame');
    expect(JSON.parse(raw.frames[0])).toEqual({
      id: 'raw', type: 'next',
      payload: { data: { events: { n: 9, text: null } }, errors: [{ message: 'boom', path: ['events', 'text'], extensions: { code: 'MAPPED' } }] },
    });
    // A subscribe that throws: graphql-ws sends the error itself, through onNext.
    const refused = subscribe<Data>(w.client('boom'), ALL);
    await expect(refused.error).rejects.toEqual([expect.objectContaining({ message: 'boom', extensions: { code: 'MAPPED' } })]);
  });

  it('writes each member its shared result under its own id, as a text frame', async () => {
    const one = await w.raw('a', ALL);
    const two = await w.raw('a', ALL);
    await until(() => w.fanOut.size.members === 2, 'two raw members');
    w.publish('a', { n: 5, text: 'héllo "quoted" ✓' });
    await until(() => one.frames.length === 1 && two.frames.length === 1, 'both frames');
    for (const raw of [one, two]) {
      expect(JSON.parse(raw.frames[0])).toEqual({ id: 'raw', type: 'next', payload: { data: { events: { n: 5, text: 'héllo "quoted" ✓' } } } });
    }
    expect(one.frames[0]).toBe(two.frames[0]);
  });
});

describe('live fan-out with a socket that stops reading', () => {
  it('closes that socket with 1013 once its unsent bytes pass the limit, and keeps writing to the rest', async () => {
    const w = await world(256 * 1024).start();
    try {
      const reader = subscribe<Data>(w.client('a'), ALL);
      const stalled = await w.raw('a', ALL);
      await until(() => w.fanOut.size.members === 2, 'both members');
      const closed = new Promise<number>((resolve) => stalled.socket.once('close', (code) => resolve(code)));
      // The stalled client reads nothing more: the kernel's buffers fill, then the server's.
      (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();

      const text = 'x'.repeat(4000);
      let n = 0;
      const serverSideClosing = () => [...w.wsServer.clients].some((s) => s.readyState === WebSocket.CLOSING);
      while (!serverSideClosing()) {
        if (n > 20_000) throw new Error('the stalled socket was never closed');
        // Small batches: the reading client keeps up, as an inbox does.
        for (let i = 0; i < 16; i++) w.publish('a', { n: ++n, text });
        await new Promise((r) => setImmediate(r));
      }
      const published = n;
      (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toBe(1013);
      expect(stalled.frames.length).toBeLessThan(published);

      await reader.waitFor(published, 20_000);
      expect(ns(reader)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
      await until(() => w.fanOut.size.members === 1, 'the stalled member to leave');
    } finally {
      await w.close();
    }
  }, 60_000);
});
