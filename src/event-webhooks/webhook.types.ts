import { Field, ObjectType } from 'type-graphql';
import { connectionType } from '../core/connection';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const WebhookEndpointConnection = connectionType('WebhookEndpoint', WebhookEndpoint);
export const WebhookDeliveryConnection = connectionType('WebhookDelivery', WebhookDelivery);

@ObjectType({ description: 'An endpoint with its signing secret: the only time the secret is shown.' })
export class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpoint)
  endpoint: WebhookEndpoint;

  @Field({ description: 'whsec_...: verify each delivery\'s Switchboard-Signature with it (see the README). Not shown again.' })
  secret: string;
}
