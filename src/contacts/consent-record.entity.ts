import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdField } from '../core/ids';
import { SubscriptionStatus, type MembershipSource } from './membership.entity';

/**
 * One change of one membership, as the consent ledger keeps it: written in the transaction of the
 * change itself, never updated or deleted (no code path and no mutation touches a stored row).
 */
@ObjectType({ description: 'One change of a membership in the consent ledger: written once, never edited or deleted.' })
@Entity('consent_records')
@Index('IDX_consent_records_member', ['groupId', 'contactId', 'id'])
@Index('IDX_consent_records_group_time', ['groupId', 'createdAt', 'id'])
export class ConsentRecord {
  @IdField('cns')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  @Column({ type: 'int' })
  @ForeignKey('contacts')
  contactId: number;

  @Field(() => SubscriptionStatus, { nullable: true, description: 'Null when the change made the membership.' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  oldStatus: SubscriptionStatus | null;

  @Field(() => SubscriptionStatus)
  @Column({ type: 'varchar', length: 16 })
  newStatus: SubscriptionStatus;

  @Field(() => String, { description: 'API, IMPORT, KEYWORD, CARRIER or DOUBLE_OPT_IN.' })
  @Column({ type: 'varchar', length: 16 })
  source: MembershipSource;

  @Field({
    description: 'What caused it: `api` (setSubscription), `import:<call id>`, `inbound:<MessageSid>` (a keyword or confirmation reply), '
      + '`carrier:<error code>:<message id>`, `expired` (an unanswered double opt-in request).',
  })
  @Column({ type: 'varchar', length: 200 })
  cause: string;

  @IdField('key', { nullable: true, description: 'The API key of the call (API, IMPORT); null for the operator, the contact, the carrier and expiry.' })
  @Column({ type: 'int', nullable: true })
  apiKeyId: number | null;

  @Field(() => String, { nullable: true, description: "The wording the contact agreed to: the caller's consentText, or the keyword message's body." })
  @Column({ type: 'text', nullable: true })
  consentText: string | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
