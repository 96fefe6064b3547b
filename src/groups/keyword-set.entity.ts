import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum KeywordCategory {
  OPT_OUT = 'OPT_OUT',
  OPT_IN = 'OPT_IN',
  HELP = 'HELP',
}
registerEnumType(KeywordCategory, { name: 'KeywordCategory' });

@ObjectType()
@Entity('keyword_sets')
@Index('UQ_keyword_sets_group_category', ['groupId', 'category'], { unique: true })
export class KeywordSet {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('subscription_groups')
  groupId: number;

  @Field(() => KeywordCategory)
  @Column({ type: 'varchar', length: 16 })
  category: KeywordCategory;

  @Field(() => [String], { description: 'Matched case-insensitively against the whole trimmed message body.' })
  @Column({ type: 'simple-json' })
  keywords: string[];

  @Field(() => String, { nullable: true, description: 'The automatic answer; null sends none.' })
  @Column({ type: 'text', nullable: true })
  reply: string | null;
}
