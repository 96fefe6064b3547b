import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { principalOf, type Context } from '../core/auth';
import type { Page } from '../core/connection';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import type { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookEventType } from './webhook-event-type';
import { CreateWebhookEndpointInput, RollWebhookSecretInput, UpdateWebhookEndpointInput } from './webhook.inputs';
import { WebhookDeliveryConnection, WebhookEndpointConnection, WebhookEndpointWithSecret } from './webhook.types';

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Query(() => WebhookEndpointConnection, { description: "The endpoints of the account named, else of every account the caller sees." })
  webhookEndpoints(
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Page<WebhookEndpoint>> {
    return this.endpoints.list(principalOf(ctx), accountId, { first, after });
  }

  @Query(() => WebhookEndpoint, { nullable: true })
  webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint | null> {
    return this.endpoints.getVisible(principalOf(ctx), id);
  }

  @Mutation(() => WebhookEndpointWithSecret, { description: 'Registers an endpoint; the answer holds its signing secret, shown this once.' })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: Context): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(principalOf(ctx), input);
  }

  @Mutation(() => WebhookEndpoint)
  updateWebhookEndpoint(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return this.endpoints.update(principalOf(ctx), id, input);
  }

  @Mutation(() => WebhookEndpoint, { description: 'Stops deliveries; pending ones wait until the endpoint is enabled again.' })
  disableWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return this.endpoints.setEnabled(principalOf(ctx), id, false);
  }

  @Mutation(() => WebhookEndpoint, { description: 'Resumes deliveries (also of an endpoint disabled automatically after failing).' })
  enableWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return this.endpoints.setEnabled(principalOf(ctx), id, true);
  }

  @Mutation(() => WebhookEndpoint, { description: 'Deletes the endpoint and its deliveries; pending ones are not sent.' })
  deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return this.endpoints.delete(principalOf(ctx), id);
  }

  @Mutation(() => WebhookEndpointWithSecret, { description: 'A new signing secret, shown this once; the old one may keep signing for a grace period.' })
  rollWebhookSecret(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => RollWebhookSecretInput, { nullable: true }) input: RollWebhookSecretInput | null,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.rollSecret(principalOf(ctx), id, input?.graceSeconds ?? 0);
  }

  @Mutation(() => WebhookDelivery, { description: 'Sends a delivery again with the same event id and body, whatever became of it.' })
  replayWebhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookDelivery> {
    return this.endpoints.replay(principalOf(ctx), id);
  }

  @FieldResolver(() => [WebhookEventType])
  events(@Root() endpoint: WebhookEndpoint): WebhookEventType[] {
    return endpoint.events;
  }

  @FieldResolver(() => Account)
  account(@Root() endpoint: WebhookEndpoint, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.accountById.load(endpoint.accountId);
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(
    @Root() endpoint: WebhookEndpoint,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<WebhookDelivery>> {
    return this.endpoints.deliveriesOf(endpoint, status, { first, after });
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => Date, { nullable: true, description: 'When the next attempt is due, while PENDING.' })
  nextAttemptAt(@Root() delivery: WebhookDelivery): Date | null {
    return delivery.status === WebhookDeliveryStatus.PENDING ? delivery.nextAttemptAt : null;
  }
}
