import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum ConversationStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(ConversationStatus, { name: 'ConversationStatus' });

@ObjectType({ description: 'The thread between one contact and one two-way sender.' })
@Entity('conversations')
@Index('UQ_conversations_contact_sender', ['contactId', 'senderId'], { unique: true })
@Index('IDX_conversations_inbox', ['accountId', 'lastMessageAt', 'id'])
export class Conversation {
  @IdField('cnv')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  @Column({ type: 'int' })
  @ForeignKey('contacts')
  contactId: number;

  @Column({ type: 'int' })
  @ForeignKey('senders')
  senderId: number;

  @Field(() => ConversationStatus)
  @Column({ type: 'varchar', length: 8 })
  status: ConversationStatus;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  unreadCount: number;

  @Column({ type: 'int', nullable: true })
  lastMessageId: number | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastMessageAt: Date | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
