import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import type { Page } from '../core/connection';
import { badInput, notFound } from '../core/errors';
import { decode } from '../core/ids';
import type { PageArgs } from '../core/pagination';
import type { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';
import type { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import type { WebhookEndpointRepository } from './webhook-endpoint.repository';
import type { WebhookEventType } from './webhook-event-type';
import type { WebhookOutbox } from './webhook-outbox';
import { newSecret } from './webhook-signature';
import { checkEndpointUrl } from './url-guard';

export const MAX_ENDPOINTS_PER_ACCOUNT = 20;
const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** The rules of an account's webhook endpoints: who may manage them, which URLs, and secrets. */
export class WebhookEndpointService {
  constructor(
    private readonly repo: WebhookEndpointRepository,
    private readonly accounts: AccountService,
    private readonly outbox: WebhookOutbox,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly settings: { development: boolean; retryForMs: number },
  ) {}

  async create(principal: Principal, input: { accountId: string | null; url: string; events: WebhookEventType[]; description: string | null }): Promise<EndpointWithSecret> {
    const account = await this.accounts.resolveTarget(principal, input.accountId);
    const url = await checkEndpointUrl(input.url, this.settings.development);
    const events = checkEvents(input.events);
    if ((await this.repo.countOfAccount(account.id)) >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw badInput('accountId', `an account has at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints`);
    }
    const now = new Date();
    const secret = newSecret();
    const endpoint = await this.repo.add(Object.assign(new WebhookEndpoint(), {
      accountId: account.id, url, description: checkDescription(input.description), eventTypes: events.join(','), secret,
      previousSecret: null, previousSecretExpiresAt: null, enabled: true, disabledReason: null, failingSince: null,
      leaseOwner: null, leaseUntil: null, createdAt: now, updatedAt: now,
    }));
    this.outbox.endpointsChanged();
    return { endpoint, secret };
  }

  async list(principal: Principal, rawAccountId: string | null | undefined, page: PageArgs): Promise<Page<WebhookEndpoint>> {
    const scope = await this.accounts.listScope(principal, rawAccountId);
    return this.repo.page(scope, page);
  }

  async getVisible(principal: Principal, rawId: string): Promise<WebhookEndpoint | null> {
    const id = decode('whk', rawId);
    return id === null ? null : this.accounts.visibleOwned(principal, await this.repo.byId(id));
  }

  async requireVisible(principal: Principal, rawId: string, field = 'id'): Promise<WebhookEndpoint> {
    const endpoint = await this.getVisible(principal, rawId);
    if (!endpoint) throw notFound('webhook endpoint', `${rawId} (${field})`);
    return endpoint;
  }

  async update(principal: Principal, rawId: string, input: { url: string | null; events: WebhookEventType[] | null; description: string | null }): Promise<WebhookEndpoint> {
    const endpoint = await this.requireVisible(principal, rawId);
    const changes: Partial<WebhookEndpoint> = { updatedAt: new Date() };
    if (input.url != null) changes.url = await checkEndpointUrl(input.url, this.settings.development);
    if (input.events != null) changes.eventTypes = checkEvents(input.events).join(',');
    if (input.description !== undefined && input.description !== null) changes.description = checkDescription(input.description);
    await this.repo.change(endpoint.id, changes);
    this.outbox.endpointsChanged();
    return this.repo.byIdOrFail(endpoint.id);
  }

  async setEnabled(principal: Principal, rawId: string, enabled: boolean): Promise<WebhookEndpoint> {
    const endpoint = await this.requireVisible(principal, rawId);
    await this.repo.change(endpoint.id, enabled
      ? { enabled: true, disabledReason: null, failingSince: null, updatedAt: new Date() }
      : { enabled: false, disabledReason: 'disabled by the account', updatedAt: new Date() });
    if (enabled) await this.deliveries.wake(endpoint.id);
    this.outbox.endpointsChanged();
    return this.repo.byIdOrFail(endpoint.id);
  }

  /** Deletes the endpoint and its deliveries, pending ones too: they are not sent. */
  async delete(principal: Principal, rawId: string): Promise<WebhookEndpoint> {
    const endpoint = await this.requireVisible(principal, rawId);
    await this.deliveries.deleteEndpoint(endpoint.id);
    this.outbox.endpointsChanged();
    return endpoint;
  }

  /** A new secret; with a grace period the old one keeps signing alongside until it ends. */
  async rollSecret(principal: Principal, rawId: string, graceSeconds: number | null): Promise<EndpointWithSecret> {
    const endpoint = await this.requireVisible(principal, rawId);
    const grace = graceSeconds ?? 0;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) throw badInput('graceSeconds', `must be a whole number from 0 to ${MAX_GRACE_SECONDS}`);
    const secret = newSecret();
    const now = new Date();
    await this.repo.change(endpoint.id, {
      secret,
      previousSecret: grace ? endpoint.secret : null,
      previousSecretExpiresAt: grace ? new Date(now.getTime() + grace * 1000) : null,
      updatedAt: now,
    });
    return { endpoint: await this.repo.byIdOrFail(endpoint.id), secret };
  }

  /** The endpoint's deliveries, newest first. */
  deliveriesOf(endpoint: WebhookEndpoint, status: WebhookDeliveryStatus | null | undefined, page: PageArgs): Promise<Page<WebhookDelivery>> {
    return this.deliveries.pageOf(endpoint.id, status ?? null, page);
  }

  /** Sends a delivery again (same event id and body, a fresh signature), whatever became of it. */
  async replay(principal: Principal, rawDeliveryId: string): Promise<WebhookDelivery> {
    const id = decode('whd', rawDeliveryId);
    const delivery = id === null ? null : await this.deliveries.byId(id);
    const endpoint = delivery ? await this.getVisible(principal, String(delivery.endpointId)) : null;
    if (!delivery || !endpoint) throw notFound('webhook delivery', rawDeliveryId);
    await this.deliveries.replay(delivery, new Date(), this.settings.retryForMs);
    await this.deliveries.wake(endpoint.id);
    return this.deliveries.byIdOrFail(delivery.id);
  }
}

function checkEvents(events: WebhookEventType[]): WebhookEventType[] {
  const unique = [...new Set(events)];
  if (!unique.length) throw badInput('events', 'name at least one event type');
  return unique;
}

function checkDescription(description: string | null | undefined): string | null {
  if (description === undefined || description === null) return null;
  if (description.length > 500) throw badInput('description', 'must be at most 500 characters');
  return description;
}
