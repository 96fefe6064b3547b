import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One rule of an account's or a group's frequency caps: at most maxMessages campaign messages
 * to one recipient in any rolling windowSeconds. A group's rules name its account too, so that
 * one look by account finds every rule a message meets.
 */
@Entity('frequency_caps')
@Index('IDX_frequency_caps_account', ['accountId'])
@Index('IDX_frequency_caps_group', ['groupId'])
export class FrequencyCap {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Column({ type: 'int', nullable: true })
  @ForeignKey('subscription_groups')
  /** Null: the account's own rule, over all its campaigns. */
  groupId: number | null;

  @Column({ type: 'int' })
  maxMessages: number;

  @Column({ type: 'int' })
  windowSeconds: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
