import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SendError, sendError, type SendErrorCode } from '../core/send-error';
import { MessageEncoding } from '../core/segments';

export enum MessageDirection {
  OUTBOUND = 'OUTBOUND',
  INBOUND = 'INBOUND',
}
registerEnumType(MessageDirection, { name: 'MessageDirection' });

export enum MessageStatus {
  QUEUED = 'QUEUED',
  SENDING = 'SENDING',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  UNDELIVERED = 'UNDELIVERED',
  FAILED = 'FAILED',
  REJECTED = 'REJECTED',
  RECEIVED = 'RECEIVED',
}
registerEnumType(MessageStatus, {
  name: 'MessageStatus',
  valuesConfig: {
    QUEUED: { description: 'Accepted by the gateway, waiting for its turn (rate limit or send window).' },
    SENDING: { description: 'Handed to the provider, no answer yet.' },
    REJECTED: { description: 'Refused by the gateway before sending; error says why.' },
    RECEIVED: { description: 'An inbound message.' },
  },
});

registerEnumType(MessageEncoding, { name: 'MessageEncoding' });
export { MessageEncoding };

/** The index the inbound look-up's last-campaign subquery names (see InboundMessagesRepository). */
export const REPLY_CAMPAIGN_INDEX = 'IDX_messages_contact_sender_direction';

@ObjectType()
@Entity('messages')
@Index('UQ_messages_campaign_contact', ['campaignId', 'contactId'], { unique: true })
@Index('UQ_messages_provider_sid', ['providerSid'], { unique: true })
@Index('IDX_messages_queue', ['status', 'sendAfter', 'id'])
// Not a duplicate of the stats index's leading part: it holds a campaign's QUEUED rows in id order,
// which a cancel's or an expiry's batches read (ORDER BY id LIMIT) without sorting the whole campaign.
@Index('IDX_messages_campaign_status', ['campaignId', 'status'])
@Index('IDX_messages_conversation', ['conversationId', 'id'])
@Index('IDX_messages_contact_sender', ['contactId', 'senderId', 'id'])
@Index(REPLY_CAMPAIGN_INDEX, ['contactId', 'senderId', 'direction', 'id'])
@Index('IDX_messages_account', ['accountId', 'id'])
@Index('IDX_messages_campaign_stats', ['campaignId', 'status', 'country', 'errorCode'])
export class Message {
  @IdField('msg')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Column({ type: 'int', nullable: true })
  @ForeignKey('campaigns')
  campaignId: number | null;

  @Column({ type: 'int', nullable: true })
  conversationId: number | null;

  @Column({ type: 'int', nullable: true })
  @ForeignKey('contacts')
  contactId: number | null;

  @Column({ type: 'int', nullable: true })
  @ForeignKey('senders')
  senderId: number | null;

  @Field(() => MessageDirection)
  @Column({ type: 'varchar', length: 8 })
  direction: MessageDirection;

  @Field()
  @Column({ type: 'varchar', length: 32, name: 'from_address' })
  from: string;

  @Field()
  @Column({ type: 'varchar', length: 32, name: 'to_address' })
  to: string;

  @Field()
  @Column({ type: 'text' })
  body: string;

  @Field(() => MessageStatus)
  @Column({ type: 'varchar', length: 16 })
  status: MessageStatus;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorCode: SendErrorCode | null;

  @Column({ type: 'int', nullable: true })
  providerCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  errorMessage: string | null;

  @Field(() => MessageEncoding)
  @Column({ type: 'varchar', length: 8 })
  encoding: MessageEncoding;

  @Field(() => Int)
  @Column({ type: 'int' })
  segments: number;

  @Field(() => String, { nullable: true, description: "The provider's id, e.g. a Twilio MessageSid." })
  @Column({ type: 'varchar', length: 64, nullable: true })
  providerSid: string | null;

  /** The recipient's (outbound) or sender's (inbound) region, for per-country stats. */
  @Column({ type: 'varchar', length: 2, nullable: true })
  country: string | null;

  @Field(() => Date, { nullable: true, description: 'When a queued message may go out (send window, rate limit).' })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  sendAfter: Date | null;

  @Column({ type: 'int', default: 0 })
  numMedia: number;

  /** The claim of the instance handing the message over (the send queue's own, read by raw SQL). */
  @Column({ type: 'varchar', length: 40, nullable: true, select: false })
  sendClaim?: string | null;

  /** A keyword's automatic answer: it must reach the number that just opted out. */
  @Column({ type: 'boolean', default: false })
  optOutExempt: boolean;

  /**
   * A one-off transactional send (sendMessage: a code, a receipt): the law's quiet hours bind
   * solicitations, so they do not hold it. Every other check does.
   */
  @Column({ type: 'boolean', default: false })
  transactional: boolean;

  @Field(() => Int, { description: 'Requests made to the provider to hand this message over (0 until it is handed over).' })
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Field(() => String, { nullable: true, description: "The provider's last answer to a hand-over, in words (e.g. 'HTTP 201: SM... queued', 'ECONNRESET: socket hang up')." })
  @Column({ type: 'varchar', length: 500, nullable: true })
  lastProviderResponse: string | null;

  @Column({ type: 'simple-json', nullable: true })
  mediaUrls: string[] | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  @Field(() => SendError, { nullable: true })
  get error(): SendError | null {
    return this.errorCode ? sendError(this.errorCode, this.errorMessage ?? this.errorCode, this.providerCode) : null;
  }
}
