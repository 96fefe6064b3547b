import { Field, ObjectType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('api_keys')
@Index('IDX_api_keys_account', ['accountId'])
@Index('UQ_api_keys_secret_hash', ['secretHash'], { unique: true })
export class ApiKey {
  @IdField('key')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field()
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field({ description: 'The first characters of the secret, to recognise it; never the secret.' })
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  @Column({ type: 'varchar', length: 64 })
  secretHash: string;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;

  /** Comma-separated scopes (see scopes.ts); null for a key with full access, as every key made before scopes. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  scopes: string | null;
}
