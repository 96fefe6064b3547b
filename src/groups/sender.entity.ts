import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum SenderType {
  SHORT_CODE = 'SHORT_CODE',
  LONG_CODE = 'LONG_CODE',
  TOLL_FREE = 'TOLL_FREE',
  ALPHANUMERIC = 'ALPHANUMERIC',
}
registerEnumType(SenderType, { name: 'SenderType' });

@ObjectType()
@Entity('senders')
@Index('IDX_senders_group', ['groupId'])
@Index('UQ_senders_active_value', ['activeValue'], { unique: true })
export class Sender {
  @IdField('snd')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  /** The group's account, kept here so that inbound routing and tenant checks need no join. */
  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field(() => SenderType)
  @Column({ type: 'varchar', length: 16 })
  type: SenderType;

  @Field({ description: 'E.164 for LONG_CODE and TOLL_FREE, digits for SHORT_CODE, the sender ID text for ALPHANUMERIC.' })
  @Column({ type: 'varchar', length: 32 })
  value: string;

  /**
   * The value's normalised key (senderValueKey: upper case for alphanumeric IDs) while the sender
   * is in a group, null once removed: its unique index makes a value belong to one group in the
   * whole system on both databases, and frees it when the sender is removed.
   */
  @Column({ type: 'varchar', length: 32, nullable: true })
  activeValue: string | null;

  @Field({ description: 'ISO 3166-1 alpha-2 region the sender belongs to.' })
  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Field({ description: 'False for ALPHANUMERIC: recipients cannot reply to it.' })
  @Column({ type: 'boolean' })
  twoWay: boolean;

  @Field(() => Float, { description: 'Messages per second this sender may send: from 0.01 to 10000.' })
  @Column({ type: 'double' })
  maxPerSecond: number;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  removedAt: Date | null;
}
