import { Field, ObjectType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('blocked_prefixes')
@Index('UQ_blocked_prefixes_account_prefix', ['accountId', 'prefix'], { unique: true })
export class BlockedPrefix {
  @IdField('blk')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field({ description: 'An E.164 prefix, e.g. "+4478" or "+882".' })
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field({ description: 'True when the pumping guard set the block on its own; its reason names the figures.' })
  @Column({ type: 'boolean', default: false })
  automatic: boolean;
}
