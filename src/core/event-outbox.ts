import type { EntityManager } from 'typeorm';

/** The events partners may receive by webhook, by their wire name. */
export type OutboxEventType = 'message.status' | 'message.received' | 'contact.opted_out' | 'contact.opted_in' | 'campaign.completed' | 'prefix.blocked';

/**
 * Where a domain records an event for the account's webhooks, so that domains that cause events
 * need not know the webhooks domain (it implements this; see src/event-webhooks/webhook-outbox.ts).
 *
 * `enqueue` writes with `manager`, inside the transaction of the event's cause, so that the event
 * is stored exactly when its cause is. It writes nothing for an account without an enabled
 * endpoint for the type; `wants` answers that from memory, so that a cause can skip the
 * transaction it would otherwise open for nothing. `payload` is the event as the domain's live
 * subscription carries it over the bus (e.g. DeliveryEventPayload).
 */
export interface EventOutbox {
  wants(accountId: number, type: OutboxEventType): Promise<boolean>;
  /**
   * With `manager` null the event is written by a statement of its own: for causes committed
   * already, where a crash in between loses the event (say so where it is used).
   */
  enqueue(manager: EntityManager | null, accountId: number, type: OutboxEventType, payload: unknown): Promise<void>;
  /** Many events, in this order, in as few statements as their size allows. */
  enqueueAll(manager: EntityManager | null, items: OutboxItem[]): Promise<void>;
}

export interface OutboxItem {
  accountId: number;
  type: OutboxEventType;
  payload: unknown;
}

/** For services built without webhooks (benchmarks, tools): wants nothing. */
export const NO_OUTBOX: EventOutbox = {
  wants: async () => false,
  enqueue: async () => {},
  enqueueAll: async () => {},
};
