import type { DataSource } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { WebhookConfig } from '../config';
import type { Logger } from '../core/logger';
import type { EventBus } from '../core/pubsub';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookOutbox } from './webhook-outbox';

/** The event-webhooks domain, built once: the outbox causes write to, the endpoints' rules, and the deliverer. */
export function createEventWebhooks(dataSource: DataSource, config: WebhookConfig, accounts: AccountService, events: EventBus, log: Logger) {
  const outbox = new WebhookOutbox(dataSource, accounts, events, config.retryForMs, log);
  const repository = new WebhookDeliveryRepository(dataSource);
  const endpoints = new WebhookEndpointService(dataSource, accounts, outbox, repository, config);
  const deliverer = new WebhookDeliverer(dataSource, repository, config, log);
  return { outbox, endpoints, deliverer };
}

export type EventWebhooks = ReturnType<typeof createEventWebhooks>;
