import { Field, Int, ObjectType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('subscription_groups')
@Index('IDX_groups_account', ['accountId'])
export class SubscriptionGroup {
  @IdField('grp')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field()
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field({ description: "When no sender of the recipient's region exists, send from a long code or toll-free number of another region instead of refusing." })
  @Column({ type: 'boolean' })
  internationalFallback: boolean;

  @Field({ description: 'Imports and setSubscription make PENDING members, who are sent confirmationRequest and become SUBSCRIBED on YES.' })
  @Column({ type: 'boolean', default: false })
  doubleOptIn: boolean;

  @Field(() => String, { nullable: true, description: 'The double opt-in request; null sends the default one, naming the group.' })
  @Column({ type: 'text', nullable: true })
  confirmationRequest: string | null;

  @Field(() => Int, { nullable: true, description: "Seconds an unanswered confirmation request stays PENDING; null: the server's DOUBLE_OPT_IN_EXPIRY_SECONDS." })
  @Column({ type: 'int', nullable: true })
  confirmationExpirySeconds: number | null;

  @Field({ description: 'A short reply that plainly asks to stop ("please stop", "remove me from this list") opts out, as a keyword does.' })
  @Column({ type: 'boolean', default: true })
  plainWordsOptOut: boolean;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
