import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An account's pumping-guard thresholds; an account without a row has the defaults (pumping-settings.ts). */
@ObjectType('PumpingGuardSettings', { description: "The automatic pumping guard's thresholds for one account." })
@Entity('pumping_guard_settings')
@Index('UQ_pumping_guard_settings_account', ['accountId'], { unique: true })
export class PumpingSettings {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  accountId: number;

  @Field({ description: 'False: the guard never blocks for this account.' })
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Field(() => Int, { description: 'The sliding window, in minutes.' })
  @Column({ type: 'int' })
  windowMinutes: number;

  @Field(() => Int, { description: 'Distinct numbers of one prefix, in one-off sends within the window, that make a burst.' })
  @Column({ type: 'int' })
  burstDistinctNumbers: number;

  @Field(() => Int, { description: 'A prefix is rarely reached when the account sent it fewer messages than this in the baseline days before the window.' })
  @Column({ type: 'int' })
  rareBelow: number;

  @Field(() => Int)
  @Column({ type: 'int' })
  baselineDays: number;

  @Field(() => Int, { description: 'Final statuses (delivered or not) of one-off sends to a prefix within the window before its delivery rate is judged.' })
  @Column({ type: 'int' })
  minFinalStatuses: number;

  @Field(() => Int, { description: 'A delivery rate below this percentage, over at least minFinalStatuses, blocks the prefix.' })
  @Column({ type: 'int' })
  deliveryFloorPercent: number;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
