import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { IdField } from '../core/ids';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum AccountStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(AccountStatus, {
  name: 'AccountStatus',
  valuesConfig: { SUSPENDED: { description: 'No message is sent for this account or any of its subaccounts.' } },
});

@ObjectType()
@Entity('accounts')
@Index('IDX_accounts_parent', ['parentId'])
export class Account {
  @IdField('acc')
  @PrimaryGeneratedColumn()
  id: number;

  @Field()
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field({ description: 'ISO 3166-1 alpha-2 region of the account\'s home country, e.g. "US".' })
  @Column({ type: 'varchar', length: 2 })
  homeCountry: string;

  @Field(() => AccountStatus)
  @Column({ type: 'varchar', length: 16 })
  status: AccountStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 500, nullable: true })
  suspensionReason: string | null;

  @Column({ type: 'int', nullable: true })
  @ForeignKey('accounts')
  parentId: number | null;

  @Field({ description: 'True when this subaccount uses its parent\'s geo permissions.' })
  @Column({ type: 'boolean' })
  inheritsGeoPermissions: boolean;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  get isMaster(): boolean {
    return this.parentId === null;
  }

  /** The master account at the top of this account's tree. */
  get rootId(): number {
    return this.parentId ?? this.id;
  }
}
