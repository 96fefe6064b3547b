import type { EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { mayReceive, OPERATOR_CHANNEL } from '../core/tenancy';
import type { EventBus } from '../core/pubsub';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import type { Logger } from '../core/logger';
import { sendError } from '../core/send-error';
import { Message, type MessageStatus } from './message.entity';
import { DeliveryEvent } from './message.types';

export const DELIVERY_TOPIC = 'delivery';

type MessageJson = Omit<Message, 'error' | 'sendAfter' | 'createdAt' | 'updatedAt'> & {
  sendAfter: string | null;
  createdAt: string;
  updatedAt: string;
};

/**
 * What goes over the bus (through Redis when set): plain JSON carrying the whole message, so
 * that each subscriber filters and answers without a database query.
 */
export interface DeliveryEventPayload {
  rootAccountId: number;
  message: MessageJson;
  status: MessageStatus;
  previousStatus: MessageStatus | null;
  occurredAt: string;
}

export function toPayload(message: Message, rootAccountId: number, previousStatus: MessageStatus | null, occurredAt: Date): DeliveryEventPayload {
  const { error: _error, ...columns } = message;
  return {
    rootAccountId,
    message: {
      ...columns,
      sendAfter: message.sendAfter ? new Date(message.sendAfter).toISOString() : null,
      createdAt: new Date(message.createdAt).toISOString(),
      updatedAt: new Date(message.updatedAt).toISOString(),
    },
    status: message.status,
    previousStatus,
    occurredAt: occurredAt.toISOString(),
  };
}

export function messageFromJson(json: MessageJson): Message {
  return Object.assign(new Message(), {
    ...json,
    sendAfter: json.sendAfter ? new Date(json.sendAfter) : null,
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
  });
}

export function toDeliveryEvent(payload: DeliveryEventPayload): DeliveryEvent {
  const message = messageFromJson(payload.message);
  const event = new DeliveryEvent();
  event.message = message;
  event.status = payload.status;
  event.previousStatus = payload.previousStatus;
  event.error = message.errorCode ? sendError(message.errorCode, message.errorMessage ?? message.errorCode, message.providerCode) : null;
  event.occurredAt = new Date(payload.occurredAt);
  return event;
}

export function mayReceiveDelivery(principal: Principal, payload: DeliveryEventPayload): boolean {
  return mayReceive(principal, { accountId: payload.message.accountId, rootAccountId: payload.rootAccountId });
}

export type Change = { message: Message; previousStatus: MessageStatus | null };

export type ChangeListener = (changes: Array<{ campaignId: number | null; status: MessageStatus }>) => void;

/** Publishes exactly one DeliveryEvent per status change, on the tenant's and the operator's channels. */
export class DeliveryEvents {
  private readonly listeners: ChangeListener[] = [];

  constructor(
    private readonly accounts: AccountService,
    private readonly events: EventBus,
    private readonly outbox: EventOutbox = NO_OUTBOX,
    private readonly log?: Logger,
  ) {}

  /** True when a change of this account's messages is to be stored for its webhooks (then `record` it in the change's transaction). */
  wantsRecord(accountId: number): Promise<boolean> {
    return this.outbox.wants(accountId, 'message.status');
  }

  /** Stores the changes' `message.status` webhook events with `manager` (null: a statement of its own). */
  async record(manager: EntityManager | null, changes: Change[], occurredAt: Date): Promise<void> {
    const wanted: Change[] = [];
    for (const change of changes) if (await this.outbox.wants(change.message.accountId, 'message.status')) wanted.push(change);
    if (!wanted.length) return;
    const roots = await this.accounts.rootsOf(wanted.map((c) => c.message.accountId));
    await this.outbox.enqueueAll(manager, wanted.map(({ message, previousStatus }) => ({
      accountId: message.accountId, type: 'message.status' as const, payload: toPayload(message, roots.get(message.accountId)!, previousStatus, occurredAt),
    })));
  }

  /** In-process hook for what must react to changes (campaign completion). */
  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * `recorded`: the caller stored the webhook events in the changes' own transaction (every caller
   * that has a transaction does). Otherwise they are stored now, just after.
   */
  async publish(changes: Change[], occurredAt = new Date(), recorded = false): Promise<void> {
    if (!changes.length) return;
    if (!recorded) {
      await this.record(null, changes, occurredAt).catch((error) => this.log?.error({ err: error }, 'webhooks: could not store message.status events'));
    }
    const roots = await this.accounts.rootsOf(changes.map((c) => c.message.accountId));
    // An event is built and published only on the channels someone listens to: a campaign's
    // hand-over announces every message, and most of them to no one.
    const channels = [OPERATOR_CHANNEL, ...new Set(roots.values())];
    const listened = await Promise.all(channels.map((channel) => this.events.listened(DELIVERY_TOPIC, channel)));
    const heard = new Set(channels.filter((_, i) => listened[i]));
    for (const { message, previousStatus } of changes) {
      const root = roots.get(message.accountId)!;
      if (!heard.has(root) && !heard.has(OPERATOR_CHANNEL)) continue;
      const payload = toPayload(message, root, previousStatus, occurredAt);
      if (heard.has(root)) this.events.pubsub.publish(DELIVERY_TOPIC, root, payload);
      if (heard.has(OPERATOR_CHANNEL)) this.events.pubsub.publish(DELIVERY_TOPIC, OPERATOR_CHANNEL, payload);
    }
    const summary = changes.map((c) => ({ campaignId: c.message.campaignId, status: c.message.status }));
    for (const listener of this.listeners) listener(summary);
  }

}
