import type { DataSource, EntityManager } from 'typeorm';
import type { Contact } from '../contacts/contact.entity';
import type { ContactService } from '../contacts/contact.service';
import { SubscriptionStatus } from '../contacts/membership.entity';
import type { MembershipService } from '../contacts/membership.service';
import { isDuplicateKeyError } from '../core/database';
import type { EventBus } from '../core/pubsub';
import { parsePhone } from '../core/phone';
import type { Logger } from '../core/logger';
import { KeywordCategory, type KeywordSet } from '../groups/keyword-set.entity';
import { matchKeyword, type KeywordService } from '../groups/keyword.service';
import type { Sender } from '../groups/sender.entity';
import type { SenderService } from '../groups/sender.service';
import { Message, MessageDirection, MessageStatus } from '../messaging/message.entity';
import { segmentsOf } from '../messaging/segments';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationService } from './conversation.service';
import { publishReply, replyPayload } from './reply-events';
import type { ReplyService } from './reply.service';

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

// Keywords are 1 to 34 characters without spaces: a longer or spaced body cannot be one, and
// the common case (a sentence) needs no look-up of the group's keyword sets.
const KEYWORD_SHAPE = /^\S{1,34}$/;

const KEYWORD_STATUS: Partial<Record<KeywordCategory, SubscriptionStatus>> = {
  [KeywordCategory.OPT_OUT]: SubscriptionStatus.UNSUBSCRIBED,
  [KeywordCategory.OPT_IN]: SubscriptionStatus.SUBSCRIBED,
};

/** Threads an inbound message into its conversation: the rules of the contract's "Conversations and keywords". */
export class InboundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly senders: SenderService,
    private readonly contacts: ContactService,
    private readonly memberships: MembershipService,
    private readonly keywords: KeywordService,
    private readonly conversations: ConversationService,
    private readonly replies: ReplyService,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {}

  async threadInbound(sms: InboundSms): Promise<InboundOutcome> {
    const sender = await this.senders.findActiveByValue(sms.to);
    // Inbound never reaches a one-way (alphanumeric) sender: such a To is a number no group receives on.
    if (!sender || !sender.twoWay) return { kind: 'unknown-number' };
    // Short codes and alphanumeric IDs write in too: they are kept as given, with no region.
    const phone = parsePhone(sms.from);
    const contact = await this.contacts.findOrCreateByPhone(sender.accountId, phone);
    const conversation = await this.conversations.findOrCreate({ contact, sender });
    const keywordSet = KEYWORD_SHAPE.test(sms.body.trim()) ? matchKeyword(await this.keywords.keywordSetsOf(sender.groupId), sms.body) : null;
    const keyword = keywordSet?.category ?? null;

    const status = keyword ? KEYWORD_STATUS[keyword] : undefined;
    if (status) {
      // The consent change comes first so that a failure after it is retried whole; a retry of
      // an already stored opt-out must not replay it over a later opt-in, hence the check.
      if (await this.isStored(sms.messageSid)) return { kind: 'duplicate' };
      await this.memberships.setStatus(sender.groupId, contact.id, status, 'KEYWORD');
    }

    const message = this.inboundMessage(sms, sender, contact, conversation, phone.country);
    try {
      await this.dataSource.transaction((manager) => this.store(manager, message, conversation, keyword));
    } catch (error) {
      if (isDuplicateKeyError(error)) return { kind: 'duplicate' };
      throw error;
    }
    conversation.status = ConversationStatus.OPEN;
    conversation.unreadCount += 1;
    conversation.lastMessageId = Math.max(conversation.lastMessageId ?? 0, message.id);
    conversation.lastMessageAt = message.createdAt;

    await publishReply(this.events, replyPayload({ message, conversation, contact, sender, keyword }, await this.conversations.parentOf(sender.accountId)));
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
      createdAt: now,
      updatedAt: now,
    });
  }

  /** One transaction: the message (unique on its sid), the thread's state, the campaign's reply count. */
  private async store(manager: EntityManager, message: Message, conversation: Conversation, keyword: KeywordCategory | null): Promise<void> {
    await manager.insert(Message, message);
    const greatest = this.conversations.greatest();
    await manager.createQueryBuilder()
      .update(Conversation)
      .set({
        status: ConversationStatus.OPEN,
        unreadCount: () => 'unread_count + 1',
        // Concurrent replies to one thread may commit in any order: the newest stays newest.
        lastMessageId: () => `${greatest}(COALESCE(last_message_id, 0), ${Number(message.id)})`,
        lastMessageAt: () => `${greatest}(COALESCE(last_message_at, :at), :at)`,
      })
      .where('id = :id', { id: conversation.id })
      .setParameter('at', message.createdAt)
      .execute();
    // The reply counts for the campaign whose message the contact saw last from this sender.
    const optOut = keyword === KeywordCategory.OPT_OUT ? ', opt_outs = opt_outs + 1' : '';
    await manager.query(
      `UPDATE campaigns SET replies = replies + 1${optOut} WHERE id = (
         SELECT campaign_id FROM messages
         WHERE contact_id = ? AND sender_id = ? AND direction = 'OUTBOUND' AND status <> 'REJECTED' AND id < ?
         ORDER BY id DESC LIMIT 1)`,
      [message.contactId, message.senderId, message.id],
    );
  }

  private async isStored(messageSid: string): Promise<boolean> {
    return (await this.dataSource.getRepository(Message).count({ where: { providerSid: messageSid } })) > 0;
  }

  private async sendKeywordReply(set: KeywordSet, conversation: Conversation, contact: Contact, sender: Sender): Promise<void> {
    try {
      await this.replies.sendKeywordReply(set, conversation, contact, sender);
    } catch (error) {
      // The reply and the consent change are stored; only the confirmation failed to queue.
      this.log.error({ err: error, conversationId: conversation.id, category: set.category }, 'keyword auto-reply could not be queued');
    }
  }
}
