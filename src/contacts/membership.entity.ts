import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum SubscriptionStatus {
  SUBSCRIBED = 'SUBSCRIBED',
  UNSUBSCRIBED = 'UNSUBSCRIBED',
}
registerEnumType(SubscriptionStatus, { name: 'SubscriptionStatus' });

export type MembershipSource = 'API' | 'IMPORT' | 'KEYWORD' | 'CARRIER';

/** A contact's membership of one subscription group (GraphQL: Member). */
@ObjectType('Member', { description: "A contact's membership of one subscription group." })
@Entity('memberships')
@Index('UQ_memberships_group_contact', ['groupId', 'contactId'], { unique: true })
@Index('IDX_memberships_group_status', ['groupId', 'status', 'id'])
@Index('IDX_memberships_contact', ['contactId'])
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

  @Field({ description: 'Where the last change came from: API, IMPORT, KEYWORD, CARRIER (the carrier refused with 21610).' })
  @Column({ type: 'varchar', length: 16 })
  source: MembershipSource;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
