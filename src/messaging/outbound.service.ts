import type { EntityManager } from 'typeorm';
import type { Dispatcher } from './dispatcher';
import { Message, MessageDirection, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';
import { segmentsOf } from '../core/segments';

export interface SingleMessageInput {
  accountId: number;
  senderId: number;
  from: string;
  to: string;
  body: string;
  contactId: number | null;
  conversationId: number | null;
  country: string | null;
  campaignId?: number | null;
  /** A keyword's automatic answer: the opt-out check is skipped, here and at hand-over. */
  optOutExempt?: boolean;
  /** A one-off transactional send, not held by the law's quiet hours. */
  transactional?: boolean;
}

/**
 * One-off outbound messages (replies, keyword auto-replies): queued like campaign messages, so
 * that they leave through the same path, at the sender's pace, with status callbacks and events.
 * The caller has already routed the message (decideRoute).
 */
export class OutboundService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Inside a caller's transaction (`manager`), the caller wakes the queue once it commits. */
  async enqueueSingle(input: SingleMessageInput, manager?: EntityManager): Promise<Message> {
    const now = new Date();
    const { encoding, segments } = segmentsOf(input.body);
    const message = Object.assign(new Message(), {
      accountId: input.accountId,
      campaignId: input.campaignId ?? null,
      conversationId: input.conversationId,
      contactId: input.contactId,
      senderId: input.senderId,
      direction: MessageDirection.OUTBOUND,
      from: input.from,
      to: input.to,
      body: input.body,
      status: MessageStatus.QUEUED,
      errorCode: null,
      providerCode: null,
      errorMessage: null,
      encoding,
      segments,
      providerSid: null,
      country: input.country,
      sendAfter: now,
      numMedia: 0,
      mediaUrls: null,
      optOutExempt: input.optOutExempt ?? false,
      transactional: input.transactional ?? false,
      attempts: 0,
      lastProviderResponse: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.messages.insert(message, manager);
    if (!manager) this.dispatcher.wake();
    return message;
  }

  wake(): void {
    this.dispatcher.wake();
  }
}
