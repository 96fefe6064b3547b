import type { DataSource } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { WebhookConfig } from '../config';
import type { Logger } from '../core/logger';
import type { EventBus } from '../core/pubsub';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookOutbox } from './webhook-outbox';

/** The event-webhooks domain, built once: the outbox causes write to, the endpoints' rules, and the deliverer. */
export function createEventWebhooks(dataSource: DataSource, config: WebhookConfig, accounts: AccountService, events: EventBus, log: Logger) {
  const endpointRows = new WebhookEndpointRepository(dataSource);
  const deliveries = new WebhookDeliveryRepository(dataSource);
  const outbox = new WebhookOutbox(dataSource, endpointRows, deliveries, accounts, events, config.retryForMs, log);
  const endpoints = new WebhookEndpointService(endpointRows, accounts, outbox, deliveries, config);
  const deliverer = new WebhookDeliverer(deliveries, config, log);
  return { outbox, endpoints, deliverer };
}

export type EventWebhooks = ReturnType<typeof createEventWebhooks>;
