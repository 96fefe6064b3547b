import type { PubSub } from '@graphql-yoga/subscription';
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';

/**
 * The event bus's publish/subscribe, with yoga's API (type-graphql takes it as its pubSub), but a
 * subscription is a plain queue rather than a Repeater on an EventTarget listener of its own: an
 * event goes to a thousand inboxes of one tenant through one Set, not a thousand listeners and
 * Repeater pushes (a third of the server's time per delivery in the fan-out profile).
 * Across instances, each topic has one listener on the shared event target (Redis), however
 * many subscribers it has here; without one, publishing delivers in-process directly.
 */

// A slow subscriber loses its oldest events rather than holding the publisher or the memory.
const BUFFER = 1024;

class Subscription implements AsyncIterableIterator<unknown> {
  private queue: unknown[] = [];
  private waiting: ((result: IteratorResult<unknown>) => void) | undefined;
  private done = false;

  constructor(private readonly detach: (self: Subscription) => void) {}

  push(value: unknown): void {
    if (this.done) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > BUFFER) this.queue.shift();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift(), done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.done) {
      this.done = true;
      this.queue = [];
      this.detach(this);
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }
}

/** Every topic carries (channel, payload), as the event bus publishes them. */
export type ChannelTopics = Record<string, [channel: string | number, payload: unknown]>;

export type LocalPubSub = PubSub<ChannelTopics> & {
  /** True while this process has a subscriber to the topic on that channel. */
  listened(routingKey: string, id: unknown): boolean;
};

export function createLocalPubSub(shared?: TypedEventTarget<CustomEvent>): LocalPubSub {
  const topics = new Map<string, { subscribers: Set<Subscription>; listener: (event: CustomEvent) => void }>();

  const deliver = (topic: string, payload: unknown) => {
    const entry = topics.get(topic);
    if (!entry) return;
    // A copy: a subscriber that returns while being delivered to leaves the others untouched.
    for (const subscriber of [...entry.subscribers]) subscriber.push(payload);
  };

  const topicOf = (routingKey: string, id: unknown) => (id === undefined ? routingKey : `${routingKey}:${String(id)}`);

  return {
    publish(routingKey: string, ...args: unknown[]) {
      const payload = args[1] ?? args[0] ?? null;
      const topic = args[1] === undefined ? routingKey : topicOf(routingKey, args[0]);
      if (shared) shared.dispatchEvent(new CustomEvent(topic, { detail: payload }));
      else deliver(topic, payload);
    },
    subscribe(routingKey: string, id?: unknown) {
      const topic = topicOf(routingKey, id);
      let entry = topics.get(topic);
      if (!entry) {
        const created = { subscribers: new Set<Subscription>(), listener: (event: CustomEvent) => deliver(topic, event.detail) };
        topics.set(topic, created);
        shared?.addEventListener(topic, created.listener);
        entry = created;
      }
      const { subscribers, listener } = entry;
      const subscription = new Subscription((self) => {
        subscribers.delete(self);
        if (subscribers.size || topics.get(topic)?.subscribers !== subscribers) return;
        topics.delete(topic);
        shared?.removeEventListener(topic, listener);
      });
      subscribers.add(subscription);
      return subscription;
    },
    listened(routingKey: string, id: unknown) {
      return topics.has(topicOf(routingKey, id));
    },
  } as unknown as LocalPubSub;
}
