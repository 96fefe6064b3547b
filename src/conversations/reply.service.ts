import type { Contact } from '../contacts/contact.entity';
import type { ContactService } from '../contacts/contact.service';
import type { MembershipService } from '../contacts/membership.service';
import type { Principal } from '../core/auth';
import { DomainError } from '../core/errors';
import { parsePhone } from '../core/phone';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import type { KeywordSet } from '../groups/keyword-set.entity';
import { decideRoute } from '../routing/routing';
import type { RoutingService } from '../routing/routing.service';
import type { Sender } from '../groups/sender.entity';
import type { SenderService } from '../groups/sender.service';
import type { Message } from '../messaging/message.entity';
import type { Conversation } from './conversation.entity';
import type { ConversationService } from './conversation.service';

/** The one-message entry of the send path (messaging's OutboundService): queued, sent, tracked by status callbacks. */
export interface SingleMessageQueue {
  enqueueSingle(input: {
    accountId: number;
    senderId: number;
    from: string;
    to: string;
    body: string;
    contactId: number;
    conversationId: number;
    country: string | null;
    campaignId?: number | null;
    optOutExempt?: boolean;
  }): Promise<Message>;
}

/**
 * A send refusal: the caller may see the conversation but this message may not go. FORBIDDEN,
 * with the routing error of the contract (code, providerCode, message) in the extensions;
 * a bad body is BAD_USER_INPUT on `body`, like any bad input.
 */
export class SendRefusedError extends DomainError {
  readonly code: string;

  constructor(readonly sendError: SendError) {
    super(sendError.code === SendErrorCode.INVALID_BODY ? `body: ${sendError.message}` : `${sendError.code}: ${sendError.message}`);
    this.code = sendError.code === SendErrorCode.INVALID_BODY ? 'BAD_USER_INPUT' : 'FORBIDDEN';
  }

  override details(): Record<string, unknown> {
    return { ...(this.sendError.code === SendErrorCode.INVALID_BODY ? { field: 'body' } : {}), sendError: { ...this.sendError } };
  }
}

export function sendRefused(error: SendError): SendRefusedError {
  return new SendRefusedError(error);
}

/** The SendError of a refusal, or null for any other error. */
export function refusalOf(error: unknown): SendError | null {
  return error instanceof SendRefusedError ? error.sendError : null;
}

/** Outbound messages inside a conversation: an agent's reply and a keyword's automatic answer. */
export class ReplyService {
  constructor(
    private readonly conversations: ConversationService,
    private readonly senders: SenderService,
    private readonly contacts: ContactService,
    private readonly memberships: MembershipService,
    private readonly routing: RoutingService,
    private readonly outbound: SingleMessageQueue,
  ) {}

  /** Sticky: from the conversation's own sender, refused with the same checks as any message. */
  async sendReply(principal: Principal, rawConversationId: string, body: string): Promise<Message> {
    const conversation = await this.conversations.requireVisible(principal, rawConversationId, 'conversationId');
    const [sender, contact] = await Promise.all([this.senders.findById(conversation.senderId), this.contacts.findById(conversation.contactId)]);
    if (!sender || !contact) throw new Error(`conversation ${conversation.id} lost its sender or contact`);
    if (sender.removedAt || !sender.twoWay) {
      throw sendRefused(sendError(
        SendErrorCode.NO_ELIGIBLE_SENDER,
        sender.removedAt ? `the conversation's sender ${sender.value} was removed from its group` : `the conversation's sender ${sender.value} is one-way and cannot send replies`,
      ));
    }
    return this.sendFrom(conversation, contact, sender, body, false);
  }

  /** The keyword set's reply, from the sender the keyword came to; it skips the opt-out check and no other. */
  sendKeywordReply(set: KeywordSet, conversation: Conversation, contact: Contact, sender: Sender): Promise<Message> {
    return this.sendFrom(conversation, contact, sender, set.reply!, true);
  }

  /** A double opt-in request (confirmation-requests.ts): exempt from the consent check as keyword answers are. */
  sendConsentRequest(conversation: Conversation, contact: Contact, sender: Sender, body: string): Promise<Message> {
    return this.sendFrom(conversation, contact, sender, body, true);
  }

  private async sendFrom(conversation: Conversation, contact: Contact, sender: Sender, body: string, skipOptOutCheck: boolean): Promise<Message> {
    const [ctx, membership] = await Promise.all([
      this.routing.loadRoutingContext(conversation.groupId),
      this.memberships.statusOf(conversation.groupId, contact.id),
    ]);
    const phone = parsePhone(contact.phoneNumber);
    const decision = decideRoute(ctx, { phone, membership, stickySenderIds: [sender.id] }, { body, skipOptOutCheck });
    if (!decision.allowed) throw sendRefused(decision.error);
    if (decision.sender.id !== sender.id) {
      throw sendRefused(sendError(SendErrorCode.NO_ELIGIBLE_SENDER, `the conversation's sender ${sender.value} may no longer send to ${phone.country ?? phone.e164}`));
    }
    const message = await this.outbound.enqueueSingle({
      accountId: conversation.accountId,
      senderId: sender.id,
      from: sender.value,
      to: phone.e164,
      body,
      contactId: contact.id,
      conversationId: conversation.id,
      country: phone.country,
      optOutExempt: skipOptOutCheck,
    });
    await this.conversations.recordOutbound(conversation.id, message);
    return message;
  }
}
