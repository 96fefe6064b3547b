import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('contacts')
@Index('UQ_contacts_account_phone', ['accountId', 'phoneNumber'], { unique: true })
export class Contact {
  @IdField('ctc')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field({ description: 'E.164.' })
  @Column({ type: 'varchar', length: 32 })
  phoneNumber: string;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 region of the number; null when it has none.' })
  @Column({ type: 'varchar', length: 2, nullable: true })
  country: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 200, nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 200, nullable: true })
  lastName: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @Column({ type: 'simple-json', nullable: true })
  attributes: Record<string, unknown> | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
