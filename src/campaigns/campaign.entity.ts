import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  SENDING = 'SENDING',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(CampaignStatus, { name: 'CampaignStatus' });

@ObjectType()
@Entity('campaigns')
@Index('IDX_campaigns_account', ['accountId', 'id'])
@Index('IDX_campaigns_status_scheduled', ['status', 'scheduledAt'])
export class Campaign {
  @IdField('cmp')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  @Field()
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field({ description: 'Template: {{first_name}}, {{last_name}}, {{phone_number}} and {{attributes.KEY}} are filled per recipient.' })
  @Column({ type: 'text' })
  body: string;

  @Field(() => CampaignStatus)
  @Column({ type: 'varchar', length: 16 })
  status: CampaignStatus;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  scheduledAt: Date | null;

  /** HH:MM, the send window's opening in the recipient's local time; null without a window. */
  @Column({ type: 'varchar', length: 5, nullable: true })
  sendWindowStart: string | null;

  @Column({ type: 'varchar', length: 5, nullable: true })
  sendWindowEnd: string | null;

  @Field(() => Int, { nullable: true, description: "Seconds a message may wait in the queue before it is given up as FAILED (EXPIRED), counted from the launch (Twilio's ValidityPeriod); null: no limit." })
  @Column({ type: 'int', nullable: true })
  validitySeconds: number | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  launchedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  completedAt: Date | null;

  /** The group's SUBSCRIBED members at launch. */
  @Column({ type: 'int', default: 0 })
  recipients: number;

  /** Inbound replies attributed to this campaign (its message was the latest outbound one in the conversation). */
  @Column({ type: 'int', default: 0 })
  replies: number;

  @Column({ type: 'int', default: 0 })
  optOuts: number;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
