import { randomUUID } from 'node:crypto';
import type { WebhookConfig } from '../config';
import { encode } from '../core/ids';
import type { Logger } from '../core/logger';
import type { WebhookDelivery } from './webhook-delivery.entity';
import type { WebhookDeliveryRepository } from './webhook-delivery.repository';
import type { WebhookEndpoint } from './webhook-endpoint.entity';
import { postEvent, type PostOutcome } from './webhook-sender';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

const HEADS_PER_READ = 100;

/** Exponential backoff with jitter: base·2^(n−1), capped, then a random half of it added to half of it. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends the outbox. Each instance polls for endpoints with a delivery due, takes a lease on each
 * (up to `concurrency` at once) and sends its pending deliveries one after another in the order
 * they were stored; a failed attempt holds the endpoint's later deliveries until it is retried
 * (per-endpoint order), or until it is FAILED for good after the retry period. A lease lost (the
 * endpoint deleted or disabled, or taken over after this instance stalled) stops the endpoint's
 * work here; an attempt whose outcome was not recorded before a crash is sent again (at least once).
 */
export class WebhookDeliverer {
  private readonly owner = randomUUID();
  private readonly serving = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly repo: WebhookDeliveryRepository,
    private readonly config: WebhookConfig,
    private readonly log: Logger,
  ) {}

  /** Long enough for an attempt and its bookkeeping; renewed before an attempt that could outlast it. */
  private get leaseMs(): number {
    return this.config.timeoutMs * 2 + 5000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.allSettled([...this.serving.values()]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(this.config.pollMs));
    }, ms);
  }

  private async tick(): Promise<void> {
    const free = this.config.concurrency - this.serving.size;
    if (free <= 0) return;
    try {
      const now = new Date();
      const due = (await this.repo.dueEndpoints(now, free + this.serving.size)).filter((id) => !this.serving.has(id)).slice(0, free);
      for (const endpointId of due) {
        if (this.stopped) return;
        if (!(await this.repo.claim(endpointId, this.owner, new Date(now.getTime() + this.leaseMs), now))) continue;
        const work = this.serve(endpointId)
          .catch((error) => this.log.error({ err: error, endpointId }, 'webhooks: delivering to an endpoint failed; its lease runs out and it is taken again'))
          .finally(() => this.serving.delete(endpointId));
        this.serving.set(endpointId, work);
      }
    } catch (error) {
      this.log.error({ err: error }, 'webhooks: could not look for due deliveries');
    }
  }

  private async serve(endpointId: number): Promise<void> {
    let leaseUntil = Date.now() + this.leaseMs;
    for (;;) {
      const endpoint = await this.repo.endpoint(endpointId);
      if (!endpoint || !endpoint.enabled || endpoint.leaseOwner !== this.owner) return;
      const heads = await this.repo.heads(endpointId, HEADS_PER_READ);
      if (!heads.length) return this.repo.release(endpointId, this.owner, null);
      for (const delivery of heads) {
        if (this.stopped) return this.repo.release(endpointId, this.owner, null);
        if (delivery.nextAttemptAt.getTime() > Date.now()) return this.repo.release(endpointId, this.owner, delivery.nextAttemptAt);
        if (leaseUntil - Date.now() < this.config.timeoutMs + 2000) {
          leaseUntil = Date.now() + this.leaseMs;
          if (!(await this.repo.renew(endpointId, this.owner, new Date(leaseUntil)))) return;
        }
        const outcome = await this.attempt(endpoint, delivery);
        const retryAt = await this.record(endpoint, delivery, outcome);
        if (retryAt === 'disabled') return;
        if (retryAt) return this.repo.release(endpointId, this.owner, retryAt);
      }
    }
  }

  private attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<PostOutcome> {
    const now = Date.now();
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now) secrets.push(endpoint.previousSecret);
    const headers = {
      [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(now / 1000), delivery.payload),
      [EVENT_ID_HEADER]: delivery.eventId,
      [EVENT_TYPE_HEADER]: delivery.eventType,
      [DELIVERY_ID_HEADER]: encode('whd', delivery.id),
    };
    return postEvent(endpoint.url, delivery.payload, headers, { timeoutMs: this.config.timeoutMs, development: this.config.development });
  }

  /** Stores the attempt; answers when the endpoint's head is retried (null to go on with the next delivery), or 'disabled'. */
  private async record(endpoint: WebhookEndpoint, delivery: WebhookDelivery, outcome: PostOutcome): Promise<Date | null | 'disabled'> {
    const now = new Date();
    if (outcome.ok) {
      await this.repo.succeeded(delivery, outcome.statusCode!, now);
      if (endpoint.failingSince) {
        await this.repo.healthy(endpoint.id);
        endpoint.failingSince = null;
      }
      return null;
    }
    const error = outcome.error ?? 'failed';
    const retryAt = new Date(now.getTime() + backoffMs(delivery.attempts + 1, this.config.backoffBaseMs, this.config.backoffMaxMs));
    const givesUp = retryAt.getTime() > delivery.retryUntil.getTime();
    await this.repo.failed(delivery, outcome.statusCode, error, givesUp ? null : retryAt);
    const since = (endpoint.failingSince = await this.repo.failing(endpoint.id, now));
    if (now.getTime() - since.getTime() >= this.config.disableAfterMs) {
      await this.repo.disable(endpoint.id, `disabled automatically: every delivery has failed since ${since.toISOString()} (last: ${error})`);
      this.log.warn({ endpointId: endpoint.id, since }, 'webhooks: endpoint disabled after failing too long');
      return 'disabled';
    }
    this.log.debug({ endpointId: endpoint.id, deliveryId: delivery.id, error, givesUp }, 'webhooks: delivery attempt failed');
    return givesUp ? null : retryAt;
  }
}
