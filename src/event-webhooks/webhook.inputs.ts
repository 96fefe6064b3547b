import { Field, ID, InputType, Int } from 'type-graphql';
import { WebhookEventType } from './webhook-event-type';

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => ID, { nullable: true, description: "Defaults to the caller's account. A master's endpoint also receives its subaccounts' events." })
  accountId: string | null;

  @Field({ description: 'https only (http and private addresses only with WEBHOOKS_DEVELOPMENT=on).' })
  url: string;

  @Field(() => [WebhookEventType])
  events: WebhookEventType[];

  @Field(() => String, { nullable: true })
  description: string | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  url: string | null;

  @Field(() => [WebhookEventType], { nullable: true })
  events: WebhookEventType[] | null;

  @Field(() => String, { nullable: true })
  description: string | null;
}

@InputType()
export class RollWebhookSecretInput {
  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Seconds the old secret keeps signing too (each delivery then carries two v1 signatures); at most 7 days.' })
  graceSeconds: number | null;
}
