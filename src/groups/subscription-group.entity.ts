import { Field, ObjectType } from 'type-graphql';
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

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
