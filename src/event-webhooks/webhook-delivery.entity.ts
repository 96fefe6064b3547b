import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdField } from '../core/ids';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its turn or for its next attempt.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt within the retry period failed; replayWebhookDelivery sends it again.' },
  },
});

/** One event for one endpoint: its attempts and the endpoint's last answer. */
@ObjectType({ description: 'One event sent (or to be sent) to one endpoint.' })
@Entity('webhook_deliveries')
@Index('UQ_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'], { unique: true })
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_endpoint_status', ['endpointId', 'status', 'id'])
export class WebhookDelivery {
  @IdField('whd')
  @PrimaryGeneratedColumn()
  id: number;

  // The outbox row itself, one per event and endpoint. No foreign key: deleting an endpoint
  // deletes its deliveries, and one written that moment by a cause that still saw the
  // endpoint is never claimed.
  @Column({ type: 'int' })
  endpointId: number;

  /** The account the event is about (a subaccount's events also go to its master's endpoints). */
  @Column({ type: 'int' })
  accountId: number;

  /** `evt_...`: the same for every endpoint that gets the event, and on every attempt. */
  @Field(() => String, { description: 'The event\'s id (`evt_...`), the same on every attempt and replay: receivers deduplicate on it.' })
  @Column({ type: 'varchar', length: 40 })
  eventId: string;

  @Field(() => String, { description: 'The event\'s wire type, e.g. `message.status`.' })
  @Column({ type: 'varchar', length: 40 })
  eventType: string;

  /** The exact JSON body posted (and signed), rendered once when the event was stored. */
  @Column({ type: 'text' })
  payload: string;

  @Field(() => WebhookDeliveryStatus)
  @Column({ type: 'varchar', length: 16 })
  status: WebhookDeliveryStatus;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Field(() => Int, { nullable: true, description: "The endpoint's last HTTP status; null when it gave none (timeout, refused connection)." })
  @Column({ type: 'int', nullable: true })
  lastResponseCode: number | null;

  @Field(() => String, { nullable: true, description: 'What went wrong with the last attempt, in words.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  /** When the next attempt is due (shown only while PENDING). */
  @Column({ type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  /** Attempts stop after this: the delivery is FAILED. */
  @Column({ type: 'datetime', precision: 3 })
  retryUntil: Date;

  @Field()
  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'datetime', precision: 3, nullable: true })
  deliveredAt: Date | null;
}
