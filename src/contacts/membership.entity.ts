import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum SubscriptionStatus {
  SUBSCRIBED = 'SUBSCRIBED',
  UNSUBSCRIBED = 'UNSUBSCRIBED',
  PENDING = 'PENDING',
}
registerEnumType(SubscriptionStatus, {
  name: 'SubscriptionStatus',
  valuesConfig: { PENDING: { description: "Asked to confirm (the group's double opt-in): receives nothing but the confirmation request until it answers YES." } },
});

export type MembershipSource = 'API' | 'IMPORT' | 'KEYWORD' | 'CARRIER' | 'DOUBLE_OPT_IN';

/** A contact's membership of one subscription group (GraphQL: Member). */
@ObjectType('Member', { description: "A contact's membership of one subscription group." })
@Entity('memberships')
@Index('UQ_memberships_group_contact', ['groupId', 'contactId'], { unique: true })
@Index('IDX_memberships_group_status', ['groupId', 'status', 'id'])
@Index('IDX_memberships_contact', ['contactId'])
@Index('IDX_memberships_pending', ['status', 'pendingUntil'])
export class Membership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  @Column({ type: 'int' })
  @ForeignKey('contacts')
  contactId: number;

  @Field(() => SubscriptionStatus)
  @Column({ type: 'varchar', length: 16 })
  status: SubscriptionStatus;

  @Field({ description: 'Where the last change came from: API, IMPORT, KEYWORD, CARRIER (the carrier refused with 21610), DOUBLE_OPT_IN (confirmed or expired).' })
  @Column({ type: 'varchar', length: 16 })
  source: MembershipSource;

  @Field(() => Date, { nullable: true, description: 'While PENDING: when the unanswered confirmation request expires (the membership then becomes UNSUBSCRIBED).' })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  pendingUntil: Date | null;

  /** Confirmation requests sent in the membership's life: at most two (the first and one re-send). */
  @Column({ type: 'int', default: 0 })
  confirmationsSent: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
