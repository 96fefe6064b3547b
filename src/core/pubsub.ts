import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSub } from '@graphql-yoga/subscription';
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import { Redis } from 'ioredis';
import { createLocalPubSub } from './local-pubsub';

/**
 * Live events are published per tenant: the channel id is the master account's id, so a
 * subscriber only ever receives its own tree's events and filters within it.
 * Payloads are plain JSON values, the same in-process and through Redis.
 */
export type Topics = Record<string, [channel: string | number, payload: unknown]>;

export interface EventBus {
  pubsub: PubSub<Topics>;
  /** The shared Redis connection when REDIS_URL is set (for state instances share, e.g. send pacing). */
  redis?: Redis;
  /** Prefix of every Redis key and channel of this deployment. */
  prefix: string;
  /**
   * Whether anyone, on any instance, subscribes to the topic on that channel now: for events
   * that cost work to build (a count over a campaign's messages), built only when listened to.
   * True when it cannot be told (Redis not answering): the event is built as before.
   */
  listened(routingKey: string, channel: string | number): Promise<boolean>;
  close(): Promise<void>;
  ping(): Promise<boolean>;
}

/** Longest wait for Redis to say whether a channel is listened to; past it, it is taken as listened. */
const LISTENED_WAIT_MS = 200;

export function createEventBus(redisUrl?: string, prefix = 'switchboard'): EventBus {
  if (!redisUrl) {
    const pubsub = createLocalPubSub();
    return { pubsub, prefix, listened: async (routingKey, channel) => pubsub.listened(routingKey, channel), close: async () => {}, ping: async () => true };
  }
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  const eventTarget = prefixed(createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient }), `${prefix}:`);
  /** Channels someone listened to when last asked, until when that answer is kept. */
  const heard = new Map<string, number>();
  return {
    pubsub: createLocalPubSub(eventTarget),
    redis: publishClient,
    prefix,
    listened: async (routingKey, channel) => {
      // The Redis channel a topic's listener subscribes to (createLocalPubSub's topic, prefixed).
      const name = `${prefix}:${routingKey}:${String(channel)}`;
      // A yes is kept for a second (publishing to no one is only waste); a no is asked afresh,
      // so that a subscriber is heard from its first event on.
      if ((heard.get(name) ?? 0) > Date.now()) return true;
      // Redis away: no wait (callers ask in a message's turn, e.g. the sid recorder's), build as before.
      if (publishClient.status !== 'ready') return true;
      let timer: NodeJS.Timeout | undefined;
      try {
        const asked = publishClient.pubsub('NUMSUB', name) as Promise<[string, number]>;
        const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LISTENED_WAIT_MS)));
        // The race holds a handler on `asked`, so a late failure of it is not left unhandled.
        const answer = await Promise.race([asked, late]);
        // No answer in time: taken as heard, and not remembered.
        if (!answer) return true;
        if (Number(answer[1]) === 0) return false;
      } catch {
        return true;
      } finally {
        clearTimeout(timer);
      }
      if (heard.size >= 10_000) heard.clear();
      heard.set(name, Date.now() + 1000);
      return true;
    },
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
    ping: async () => {
      try {
        return (await publishClient.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
  };
}

/** Namespaces the Redis channels, so that deployments (or test runs) sharing a Redis never cross. */
function prefixed(target: TypedEventTarget<CustomEvent>, prefix: string): TypedEventTarget<CustomEvent> {
  return {
    addEventListener: (type, listener) => target.addEventListener(prefix + type, listener),
    removeEventListener: (type, listener) => target.removeEventListener(prefix + type, listener),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: event.detail })),
  };
}
