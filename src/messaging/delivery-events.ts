import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { mayReceive, OPERATOR_CHANNEL } from '../core/tenancy';
import type { EventBus } from '../core/pubsub';
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

export type ChangeListener = (changes: Array<{ campaignId: number | null; status: MessageStatus }>) => void;

/** Publishes exactly one DeliveryEvent per status change, on the tenant's and the operator's channels. */
export class DeliveryEvents {
  private readonly listeners: ChangeListener[] = [];

  constructor(
    private readonly accounts: AccountService,
    private readonly events: EventBus,
  ) {}

  /** In-process hook for what must react to changes (campaign completion). */
  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  async publish(changes: Array<{ message: Message; previousStatus: MessageStatus | null }>, occurredAt = new Date()): Promise<void> {
    if (!changes.length) return;
    const roots = await this.accounts.rootsOf(changes.map((c) => c.message.accountId));
    for (const { message, previousStatus } of changes) {
      const root = roots.get(message.accountId)!;
      const payload = toPayload(message, root, previousStatus, occurredAt);
      this.events.pubsub.publish(DELIVERY_TOPIC, root, payload);
      this.events.pubsub.publish(DELIVERY_TOPIC, OPERATOR_CHANNEL, payload);
    }
    const summary = changes.map((c) => ({ campaignId: c.message.campaignId, status: c.message.status }));
    for (const listener of this.listeners) listener(summary);
  }

}
