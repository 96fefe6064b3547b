import { registerEnumType } from 'type-graphql';
import type { OutboxEventType } from '../core/event-outbox';

/** The event types an endpoint subscribes to; each is sent under its wire name (`message.status`). */
export enum WebhookEventType {
  MESSAGE_STATUS = 'message.status',
  MESSAGE_RECEIVED = 'message.received',
  CONTACT_OPTED_OUT = 'contact.opted_out',
  CONTACT_OPTED_IN = 'contact.opted_in',
  CAMPAIGN_COMPLETED = 'campaign.completed',
  PREFIX_BLOCKED = 'prefix.blocked',
}

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'An event an endpoint receives; the delivery names it by its wire name, e.g. `message.status`.',
  valuesConfig: {
    MESSAGE_STATUS: { description: '`message.status`: every status change of an outbound message (the deliveryEvents subscription\'s DeliveryEvent).' },
    MESSAGE_RECEIVED: { description: '`message.received`: every inbound reply (the replyReceived subscription\'s ReplyEvent).' },
    CONTACT_OPTED_OUT: { description: '`contact.opted_out`: a contact left a subscription group (keyword, API or carrier).' },
    CONTACT_OPTED_IN: { description: '`contact.opted_in`: a contact joined a subscription group again (keyword or API).' },
    CAMPAIGN_COMPLETED: { description: '`campaign.completed`: none of a campaign\'s messages waits or is being handed over any more.' },
    PREFIX_BLOCKED: { description: '`prefix.blocked`: a number prefix was blocked for the account (e.g. by the automatic pumping guard).' },
  },
});

const WIRE_NAMES = new Set<string>(Object.values(WebhookEventType));

export function isEventType(value: string): value is OutboxEventType {
  return WIRE_NAMES.has(value);
}
