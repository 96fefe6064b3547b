import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Contact } from '../contacts/contact.entity';
import type { ContactService } from '../contacts/contact.service';
import type { InboundConsent } from '../contacts/inbound-consent';
import type { EventBus } from '../core/pubsub';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import { parsePhone, type ParsedPhone } from '../core/phone';
import type { Logger } from '../core/logger';
import { KeywordCategory, type KeywordSet } from '../groups/keyword-set.entity';
import type { Sender } from '../groups/sender.entity';
import type { InboundMessagesRepository } from '../messaging/inbound-messages.repository';
import { Message, MessageDirection, MessageStatus } from '../messaging/message.entity';
import type { MessageService } from '../messaging/message.service';
import { segmentsOf } from '../core/segments';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationService } from './conversation.service';
import { InboundLookUps } from './inbound-lookups';
import type { InboundThreadsRepository } from './inbound-threads.repository';
import { InboundWriter } from './inbound-writer';
import { publishReply, replyPayload } from './reply-events';
import { refusalOf, type ReplyService } from './reply.service';

/** An inbound SMS as Twilio describes it, already checked for the required fields. */
export interface InboundSms {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  /** Twilio's NumSegments, when it sent a usable one. */
  numSegments: number | null;
  mediaUrls: string[];
}

export type InboundOutcome =
  | { kind: 'stored'; message: Message; conversation: Conversation; keyword: KeywordCategory | null }
  | { kind: 'duplicate' }
  | { kind: 'unknown-number' };

const PARSED_FROM_CACHE = 10_000;

/** Threads an inbound message into its conversation: the rules of the contract's "Conversations and keywords". */
export class InboundService {
  private readonly writer: InboundWriter;
  private readonly lookUps: InboundLookUps;
  private readonly parsedFrom = new LRUCache<string, ParsedPhone>({ max: PARSED_FROM_CACHE });

  constructor(
    dataSource: DataSource,
    threads: InboundThreadsRepository,
    inboundMessages: InboundMessagesRepository,
    private readonly messages: MessageService,
    private readonly accounts: AccountService,
    private readonly contacts: ContactService,
    private readonly consent: InboundConsent,
    private readonly conversations: ConversationService,
    private readonly replies: ReplyService,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly outbox: EventOutbox = NO_OUTBOX,
  ) {
    this.writer = new InboundWriter(dataSource, threads, inboundMessages, log);
    this.lookUps = new InboundLookUps(threads);
  }

  async threadInbound(sms: InboundSms): Promise<InboundOutcome> {
    // Short codes and alphanumeric IDs write in too: they are kept as given, with no region.
    const phone = this.parseFrom(sms.from);
    const known = await this.lookUps.lookUp(sms.to, phone.e164);
    // Inbound never reaches a one-way (alphanumeric) sender: such a To is a number no group receives on.
    if (!known || !known.sender.twoWay) return { kind: 'unknown-number' };
    const { sender } = known;
    const contact = known.contact ?? (await this.contacts.findOrCreateByPhone(sender.accountId, phone));
    const conversation = known.conversation ?? (await this.conversations.create({ contact, sender }));
    const consent = await this.consent.classify(sender.groupId, sms.body);
    const keywordSet = consent?.set ?? null;
    const keyword = consent?.category ?? null;

    if (consent?.status) {
      // The consent change comes first so that a failure after it is retried whole; a retry of
      // an already stored opt-out must not replay it over a later opt-in, hence the check.
      if (await this.messages.hasSid(sms.messageSid)) return { kind: 'duplicate' };
      await this.consent.apply(sender.groupId, contact.id, consent, sms.messageSid, sms.body);
    }

    const message = this.inboundMessage(sms, sender, contact, conversation, phone.country);
    const parentId = await this.accounts.parentOf(sender.accountId);
    // The message.received webhook event is stored with the message: both or neither.
    const alsoStore = (await this.outbox.wants(sender.accountId, 'message.received'))
      ? (manager: EntityManager) => this.outbox.enqueue(manager, sender.accountId, 'message.received',
        replyPayload({ message, conversation: threaded({ ...conversation }, message), contact, sender, keyword }, parentId))
      : undefined;
    const outcome = await this.writer.store({ message, conversationId: conversation.id, lastCampaignId: known.lastCampaignId, optOut: keyword === KeywordCategory.OPT_OUT, alsoStore });
    if (outcome === 'duplicate') return { kind: 'duplicate' };
    threaded(conversation, message);

    const payload = replyPayload({ message, conversation, contact, sender, keyword }, parentId);
    // Inboxes hear of the reply once its webhook is answered: the answer waits for the store
    // only, not for the subscribers' executions. Immediates run in order, so events keep theirs.
    setImmediate(() => publishReply(this.events, payload));
    if (keywordSet?.reply) await this.sendKeywordReply(keywordSet, conversation, contact, sender);
    return { kind: 'stored', message, conversation, keyword };
  }

  private inboundMessage(sms: InboundSms, sender: Sender, contact: Contact, conversation: Conversation, country: string | null): Message {
    const { encoding, segments } = segmentsOf(sms.body);
    const now = new Date();
    return Object.assign(new Message(), {
      accountId: sender.accountId,
      campaignId: null,
      conversationId: conversation.id,
      contactId: contact.id,
      senderId: sender.id,
      direction: MessageDirection.INBOUND,
      from: contact.phoneNumber,
      to: sender.value,
      body: sms.body,
      status: MessageStatus.RECEIVED,
      errorCode: null,
      providerCode: null,
      errorMessage: null,
      encoding,
      segments: sms.numSegments ?? segments,
      providerSid: sms.messageSid,
      country,
      sendAfter: null,
      numMedia: sms.mediaUrls.length,
      mediaUrls: sms.mediaUrls.length ? sms.mediaUrls : null,
      optOutExempt: false,
      transactional: false,
      attempts: 0,
      lastProviderResponse: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** Parsing with the full metadata is a good part of a reply's CPU, and the same numbers write again and again. */
  private parseFrom(from: string): ParsedPhone {
    let phone = this.parsedFrom.get(from);
    if (!phone) {
      phone = parsePhone(from);
      this.parsedFrom.set(from, phone);
    }
    return phone;
  }

  private async sendKeywordReply(set: KeywordSet, conversation: Conversation, contact: Contact, sender: Sender): Promise<void> {
    try {
      await this.replies.sendKeywordReply(set, conversation, contact, sender);
    } catch (error) {
      // The reply and the consent change are stored either way; only the confirmation is missing.
      const refusal = refusalOf(error);
      if (refusal) this.log.warn({ conversationId: conversation.id, category: set.category, refusal }, 'keyword auto-reply refused by the send checks');
      else this.log.error({ err: error, conversationId: conversation.id, category: set.category }, 'keyword auto-reply could not be queued');
    }
  }
}

/** The conversation as storing `message` into it leaves it: open, one more unread, the message its newest. */
function threaded<T extends Conversation>(conversation: T, message: Message): T {
  conversation.status = ConversationStatus.OPEN;
  conversation.unreadCount += 1;
  conversation.lastMessageId = Math.max(conversation.lastMessageId ?? 0, message.id);
  conversation.lastMessageAt = message.createdAt;
  return conversation;
}
