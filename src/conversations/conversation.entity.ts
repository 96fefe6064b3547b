import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum ConversationStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(ConversationStatus, { name: 'ConversationStatus' });

@ObjectType({ description: 'The thread between one contact and one two-way sender.' })
@Entity('conversations')
export class Conversation {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  accountId: number;

  @Column({ type: 'int' })
  groupId: number;

  @Column({ type: 'int' })
  contactId: number;

  @Column({ type: 'int' })
  senderId: number;

  @Field(() => ConversationStatus)
  @Column({ type: 'varchar', length: 8 })
  status: ConversationStatus;

  @Field(() => Int)
  @Column({ type: 'int' })
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
