import type { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../core/database';
import { GroupedWriter } from '../core/grouped-writer';
import type { InboundMessagesRepository } from '../messaging/inbound-messages.repository';
import type { Message } from '../messaging/message.entity';
import type { InboundThreadsRepository, ThreadTouch } from './inbound-threads.repository';
import type { Logger } from '../core/logger';
import { addReplyCounts, type ReplyCounts } from '../campaigns/campaign-counters.repository';

/** An inbound message ready to store, with what it changes besides itself. */
export interface PendingInbound {
  message: Message;
  conversationId: number;
  /** The campaign of the latest outbound message of the thread: it gets the reply. */
  lastCampaignId: number | null;
  optOut: boolean;
  /** More to store in the message's own transaction (its webhook event), once the message has its id. */
  alsoStore?: (manager: EntityManager) => Promise<void>;
}

export type StoreOutcome = 'stored' | 'duplicate';

// Messages that arrive while these are in flight share the next transaction.
const STORES_IN_FLIGHT = 2;
const STORE_BATCH = 200;

/**
 * Stores inbound messages in as few transactions as the load allows. Alone, a message gets a
 * transaction of its own at once; under load, those that arrive while transactions are in
 * flight share the next one: one multi-row INSERT, one UPDATE of their conversations, one of
 * their campaigns. Each webhook still answers only after its message is committed.
 *
 * Idempotency stays with the unique provider_sid key: when a batch meets a duplicate it
 * rolls back and its messages are stored one by one, where the key tells each its outcome.
 */
export class InboundWriter {
  private readonly grouped = new GroupedWriter<PendingInbound, StoreOutcome>({
    together: (items) => this.dataSource.transaction((manager) => this.storeMany(manager, items)),
    alone: (item) => this.storeOne(item),
  }, {
    maxInFlight: STORES_IN_FLIGHT,
    maxBatch: STORE_BATCH,
    onSharedFailure: (error, batch) => this.log.debug({ err: error, batch }, 'inbound: a shared transaction failed; storing its messages one by one'),
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly threads: InboundThreadsRepository,
    private readonly messages: InboundMessagesRepository,
    private readonly log: Logger,
  ) {}

  store(item: PendingInbound): Promise<StoreOutcome> {
    return this.grouped.add(item);
  }

  private async storeOne(item: PendingInbound): Promise<StoreOutcome> {
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.messages.insertMessages(manager, [item.message]);
        await this.applyEffects(manager, [item]);
      });
      return 'stored';
    } catch (error) {
      if (isDuplicateKeyError(error)) return 'duplicate';
      throw error;
    }
  }

  private async storeMany(manager: EntityManager, items: PendingInbound[]): Promise<StoreOutcome[]> {
    const taken: Set<string> = await this.messages.storedSids(manager, items.map((i) => i.message.providerSid!));
    const outcomes = items.map((item): StoreOutcome => {
      const sid = item.message.providerSid!;
      if (taken.has(sid)) return 'duplicate';
      taken.add(sid);
      return 'stored';
    });
    const fresh = items.filter((_, i) => outcomes[i] === 'stored');
    if (fresh.length) {
      await this.messages.insertMessages(manager, fresh.map((i) => i.message));
      await this.applyEffects(manager, fresh);
    }
    return outcomes;
  }

  /** Each conversation's unread count and newest message, each campaign's replies and opt-outs: one statement each. */
  private async applyEffects(manager: EntityManager, items: PendingInbound[]): Promise<void> {
    const threads = new Map<number, ThreadTouch>();
    for (const { conversationId, message } of items) {
      const t = threads.get(conversationId) ?? { count: 0, lastId: 0, lastAt: message.createdAt };
      t.count += 1;
      t.lastId = Math.max(t.lastId, message.id);
      if (message.createdAt > t.lastAt) t.lastAt = message.createdAt;
      threads.set(conversationId, t);
    }
    await this.threads.touchConversations(manager, threads);

    const campaigns = new Map<number, ReplyCounts>();
    for (const { lastCampaignId, optOut } of items) {
      if (lastCampaignId === null) continue;
      const c = campaigns.get(lastCampaignId) ?? { replies: 0, optOuts: 0 };
      c.replies += 1;
      if (optOut) c.optOuts += 1;
      campaigns.set(lastCampaignId, c);
    }
    await addReplyCounts(manager, campaigns);
    for (const item of items) if (item.alsoStore) await item.alsoStore(manager);
  }
}
