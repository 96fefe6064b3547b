import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import { createLocalPubSub } from '../src/core/local-pubsub';

// The event bus's subscriptions are plain queues on one Set per topic (core/local-pubsub.ts).
// Through the server, inbox-live, inbox-fanout and scale-out test them end to end; here the
// edges no client can time: returning mid-delivery, a subscriber that never reads, listeners
// on the shared (Redis) target coming and going with a topic's subscribers.

async function take(iterator: AsyncIterator<unknown>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push((await iterator.next()).value);
  return out;
}

describe('local pub/sub', () => {
  it('delivers each channel its own events, in order, to every subscriber of it', async () => {
    const pubsub = createLocalPubSub();
    const a1 = pubsub.subscribe('reply', 1);
    const a2 = pubsub.subscribe('reply', 1);
    const b = pubsub.subscribe('reply', 2);
    const other = pubsub.subscribe('delivery', 1);
    for (let i = 0; i < 3; i++) {
      pubsub.publish('reply', 1, { n: i });
      pubsub.publish('reply', 2, { m: i });
    }
    pubsub.publish('delivery', 1, 'd');
    expect(await take(a1, 3)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(await take(a2, 3)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(await take(b, 3)).toEqual([{ m: 0 }, { m: 1 }, { m: 2 }]);
    expect(await take(other, 1)).toEqual(['d']);
  });

  it('gives every subscriber the same payload object (results are shared per event)', async () => {
    const pubsub = createLocalPubSub();
    const [x, y] = [pubsub.subscribe('reply', 1), pubsub.subscribe('reply', 1)];
    const payload = { n: 1 };
    pubsub.publish('reply', 1, payload);
    expect((await x.next()).value).toBe(payload);
    expect((await y.next()).value).toBe(payload);
  });

  it('ends a subscription that returns, also one waiting for its next event, and leaves the others', async () => {
    const pubsub = createLocalPubSub();
    const leaving = pubsub.subscribe('reply', 1);
    const staying = pubsub.subscribe('reply', 1);
    const pending = leaving.next();
    await leaving.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    pubsub.publish('reply', 1, 'after');
    expect(await leaving.next()).toEqual({ value: undefined, done: true });
    expect((await staying.next()).value).toBe('after');
  });

  it('keeps the newest 1,024 events of a subscriber that does not read', async () => {
    const pubsub = createLocalPubSub();
    const slow = pubsub.subscribe('reply', 1);
    for (let i = 0; i < 1500; i++) pubsub.publish('reply', 1, i);
    const kept = await take(slow, 1024);
    expect(kept[0]).toBe(1500 - 1024);
    expect(kept[1023]).toBe(1499);
  });

  it('listens on the shared target once per topic, and stops when its last subscriber leaves', async () => {
    const target = new EventTarget();
    const listening = new Map<string, number>();
    const shared: TypedEventTarget<CustomEvent> = {
      addEventListener: (type, listener) => {
        listening.set(type, (listening.get(type) ?? 0) + 1);
        target.addEventListener(type, listener as (event: Event) => void);
      },
      removeEventListener: (type, listener) => {
        listening.set(type, (listening.get(type) ?? 0) - 1);
        target.removeEventListener(type, listener as (event: Event) => void);
      },
      dispatchEvent: (event) => target.dispatchEvent(event),
    };
    const pubsub = createLocalPubSub(shared);
    const subs = Array.from({ length: 5 }, () => pubsub.subscribe('reply', 7));
    expect(listening.get('reply:7')).toBe(1);
    pubsub.publish('reply', 7, 'through the target');
    for (const sub of subs) expect((await sub.next()).value).toBe('through the target');
    for (const sub of subs.slice(0, 4)) await sub.return!();
    expect(listening.get('reply:7')).toBe(1);
    await subs[4].return!();
    expect(listening.get('reply:7')).toBe(0);
    // A topic subscribed again after it emptied listens again.
    const again = pubsub.subscribe('reply', 7);
    expect(listening.get('reply:7')).toBe(1);
    pubsub.publish('reply', 7, 'again');
    expect((await again.next()).value).toBe('again');
  });
});
