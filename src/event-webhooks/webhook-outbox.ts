import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { EventOutbox, OutboxEventType, OutboxItem } from '../core/event-outbox';
import type { Logger } from '../core/logger';
import type { EventBus } from '../core/pubsub';
import { sqlDate } from '../core/sql';
import { WebhookDeliveryStatus } from './webhook-delivery.entity';
import type { WebhookDeliveryRepository } from './webhook-delivery.repository';
import type { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { renderEventData } from './webhook-payloads';

/** Published (to every instance, through Redis when set) when an endpoint is made, changed or deleted. */
export const ENDPOINTS_CHANGED_TOPIC = 'webhookEndpointsChanged';

/**
 * The durable outbox of event webhooks. A cause calls `enqueue` with its own transaction's
 * manager: the event's delivery rows (one per endpoint that wants it) commit or roll back with
 * the cause, so that a crash loses no event and invents none. An account with no enabled
 * endpoint for the type writes nothing: which endpoints want what is kept in memory per account
 * (with a short expiry as a safety net) and dropped on every instance when an endpoint changes.
 */
export class WebhookOutbox implements EventOutbox {
  private readonly wanted = new LRUCache<number, Promise<Map<string, number[]>>>({ max: 50_000, ttl: 30_000 });
  private readonly listening: ReturnType<EventBus['pubsub']['subscribe']>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly accounts: AccountService,
    private readonly events: EventBus,
    private readonly retryForMs: number,
    private readonly log: Logger,
  ) {
    const changes = (this.listening = events.pubsub.subscribe(ENDPOINTS_CHANGED_TOPIC, 'all'));
    void (async () => {
      for await (const _ of changes) this.wanted.clear();
    })().catch((error) => this.log.error({ err: error }, 'webhooks: stopped listening for endpoint changes'));
  }

  /** Every instance forgets what it knew of endpoints (this one at once). */
  endpointsChanged(): void {
    this.wanted.clear();
    this.events.pubsub.publish(ENDPOINTS_CHANGED_TOPIC, 'all', {});
  }

  async stop(): Promise<void> {
    await this.listening.return();
  }

  async wants(accountId: number, type: OutboxEventType): Promise<boolean> {
    return (await this.endpointsFor(accountId, type)).length > 0;
  }

  async enqueue(manager: EntityManager | null, accountId: number, type: OutboxEventType, payload: unknown): Promise<void> {
    await this.enqueueAll(manager, [{ accountId, type, payload }]);
  }

  /** Many events in one statement (per chunk), in the order given: a batch of status changes. */
  async enqueueAll(manager: EntityManager | null, items: OutboxItem[]): Promise<void> {
    const now = new Date();
    const rows: unknown[][] = [];
    for (const item of items) {
      const endpoints = await this.endpointsFor(item.accountId, item.type);
      if (!endpoints.length) continue;
      const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
      const body = JSON.stringify({ id: eventId, type: item.type, createdAt: now.toISOString(), data: renderEventData(item.type, item.payload) });
      for (const endpointId of endpoints) {
        rows.push([endpointId, item.accountId, eventId, item.type, body, WebhookDeliveryStatus.PENDING, 0, this.date(now), this.date(new Date(now.getTime() + this.retryForMs)), this.date(now)]);
      }
    }
    await this.deliveries.insertOutboxRows(rows, manager ?? undefined);
  }

  /** The enabled endpoints of the account and of its master that subscribe to `type`. */
  private async endpointsFor(accountId: number, type: OutboxEventType): Promise<number[]> {
    let byType = this.wanted.get(accountId);
    if (!byType) {
      byType = this.load(accountId);
      this.wanted.set(accountId, byType);
      byType.catch(() => this.wanted.delete(accountId));
    }
    return (await byType).get(type) ?? [];
  }

  private async load(accountId: number): Promise<Map<string, number[]>> {
    const parentId = await this.accounts.parentOf(accountId);
    const owners = parentId === null ? [accountId] : [accountId, parentId];
    const endpoints = await this.endpoints.enabledOf(owners);
    const byType = new Map<string, number[]>();
    for (const endpoint of endpoints) {
      for (const type of endpoint.events) byType.set(type, [...(byType.get(type) ?? []), endpoint.id]);
    }
    return byType;
  }

  private date(value: Date): Date | string {
    return sqlDate(this.dataSource, value);
  }
}
