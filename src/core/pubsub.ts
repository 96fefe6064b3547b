import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { SlidingBuffer } from '@repeaterjs/repeater';
import { Redis } from 'ioredis';

/**
 * Live events are published per tenant: the channel id is the master account's id, so a
 * subscriber only ever receives its own tree's events and filters within it.
 * Payloads are plain JSON values, the same in-process and through Redis.
 */
export type Topics = Record<string, [channel: string | number, payload: unknown]>;

export interface EventBus {
  pubsub: PubSub<Topics>;
  close(): Promise<void>;
  ping(): Promise<boolean>;
}

export function createEventBus(redisUrl?: string): EventBus {
  // A slow subscriber loses its oldest events rather than stopping the publisher.
  const repeaterBuffer = new SlidingBuffer(1024);
  if (!redisUrl) {
    return { pubsub: createPubSub<Topics>({ repeaterBuffer }), close: async () => {}, ping: async () => true };
  }
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubsub: createPubSub<Topics>({ eventTarget, repeaterBuffer }),
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
