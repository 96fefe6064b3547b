import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdField } from '../core/ids';
import { WebhookEventType } from './webhook-event-type';

/** Where an account wants its events pushed. The secret signs each delivery and is shown only when made. */
@ObjectType({ description: 'An HTTPS endpoint an account receives its events on, signed with a secret of its own.' })
@Entity('webhook_endpoints')
@Index('IDX_webhook_endpoints_account', ['accountId', 'id'])
export class WebhookEndpoint {
  @IdField('whk')
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @Field()
  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** The wire names, comma-separated. */
  @Column({ type: 'varchar', length: 500 })
  eventTypes: string;

  @Column({ type: 'varchar', length: 100 })
  secret: string;

  /** The secret before the last roll, still signing until previousSecretExpiresAt. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  previousSecret: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  previousSecretExpiresAt: Date | null;

  @Field()
  @Column({ type: 'boolean' })
  enabled: boolean;

  @Field(() => String, { nullable: true, description: 'Why the endpoint is disabled: by the account, or automatically after failing for days.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Field(() => Date, { nullable: true, description: 'Since when every delivery has failed; null after a success.' })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  failingSince: Date | null;

  /** The instance delivering to this endpoint now, while leaseUntil; without an owner, leaseUntil is when its next retry is due. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  leaseUntil: Date | null;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  get events(): WebhookEventType[] {
    return this.eventTypes.split(',').filter(Boolean) as WebhookEventType[];
  }
}
