import type { Campaign } from '../campaigns/campaign.entity';
import type { MembershipChangePayload } from '../contacts/membership-change';
import type { OutboxEventType } from '../core/event-outbox';
import { encode, type IdType } from '../core/ids';
import type { ReplyPayload } from '../conversations/reply-events';
import type { DeliveryEventPayload } from '../messaging/delivery-events';

// The `data` of each event type: the fields the matching GraphQL type has, under the same names,
// with opaque ids and related objects as `{ id }` (what a subscription selecting `campaign { id }`
// would get). Rendered once, when the event is stored.

type Json = Record<string, unknown>;

const ref = (type: IdType, key: number | null | undefined): { id: string } | null => (key ? { id: encode(type, key) } : null);
const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

interface MessageLike {
  id: number;
  accountId: number;
  campaignId: number | null;
  conversationId: number | null;
  contactId: number | null;
  senderId: number | null;
  direction: string;
  from: string;
  to: string;
  body: string;
  status: string;
  encoding: string;
  segments: number;
  providerSid: string | null;
  sendAfter: Date | string | null;
  attempts: number;
  lastProviderResponse: string | null;
  numMedia: number;
  mediaUrls: string[] | null;
  errorCode: string | null;
  errorMessage: string | null;
  providerCode: number | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

function message(m: MessageLike): Json {
  return {
    id: encode('msg', m.id),
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    encoding: m.encoding,
    segments: m.segments,
    providerSid: m.providerSid,
    sendAfter: iso(m.sendAfter),
    attempts: m.attempts,
    lastProviderResponse: m.lastProviderResponse,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    error: sendError(m),
    numMedia: m.numMedia,
    mediaUrls: m.mediaUrls ?? [],
    account: ref('acc', m.accountId),
    sender: ref('snd', m.senderId),
    contact: ref('ctc', m.contactId),
    campaign: ref('cmp', m.campaignId),
    conversation: ref('cnv', m.conversationId),
  };
}

function sendError(m: MessageLike): Json | null {
  return m.errorCode ? { code: m.errorCode, providerCode: m.providerCode, message: m.errorMessage ?? m.errorCode } : null;
}

/** message.status: the deliveryEvents subscription's DeliveryEvent. */
function deliveryEvent(p: DeliveryEventPayload): Json {
  const m = p.message as unknown as MessageLike;
  return { message: message(m), status: p.status, previousStatus: p.previousStatus, error: sendError(m), occurredAt: p.occurredAt };
}

/** message.received: the replyReceived subscription's ReplyEvent. */
function replyEvent(p: ReplyPayload): Json {
  const c = p.conversation;
  return {
    message: message(p.message as unknown as MessageLike),
    conversation: {
      id: encode('cnv', c.id),
      status: c.status,
      unreadCount: c.unreadCount,
      lastMessageAt: iso(c.lastMessageAt),
      createdAt: iso(c.createdAt),
      account: ref('acc', c.accountId),
      contact: { id: encode('ctc', p.contact.id), phoneNumber: p.contact.phoneNumber },
      sender: { id: encode('snd', p.sender.id), value: p.sender.value },
      group: ref('grp', c.groupId),
    },
    keyword: p.keyword,
  };
}

/** contact.opted_out / contact.opted_in: the Member as it is now, and what it was. */
function membershipChange(p: MembershipChangePayload): Json {
  return {
    member: { status: p.status, source: p.source, updatedAt: p.occurredAt, contact: ref('ctc', p.contactId), group: ref('grp', p.groupId) },
    previousStatus: p.previousStatus,
    occurredAt: p.occurredAt,
  };
}

/** campaign.completed: the Campaign, with its stats when the cause counted them. */
function campaignCompleted(p: { campaign: Campaign; stats?: unknown }): Json {
  const c = p.campaign;
  return {
    campaign: {
      id: encode('cmp', c.id),
      name: c.name,
      status: c.status,
      scheduledAt: iso(c.scheduledAt),
      launchedAt: iso(c.launchedAt),
      completedAt: iso(c.completedAt),
      createdAt: iso(c.createdAt),
      account: ref('acc', c.accountId),
      group: ref('grp', c.groupId),
      ...(p.stats === undefined ? {} : { stats: p.stats }),
    },
  };
}

/** The delivery's `data` for an event of `type`. Types raised elsewhere (prefix.blocked) come rendered already. */
export function renderEventData(type: OutboxEventType, payload: unknown): unknown {
  switch (type) {
    case 'message.status':
      return deliveryEvent(payload as DeliveryEventPayload);
    case 'message.received':
      return replyEvent(payload as ReplyPayload);
    case 'contact.opted_out':
    case 'contact.opted_in':
      return membershipChange(payload as MembershipChangePayload);
    case 'campaign.completed':
      return campaignCompleted(payload as { campaign: Campaign; stats?: unknown });
    default:
      return payload;
  }
}
