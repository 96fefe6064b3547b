import type { DataSource, EntityManager } from 'typeorm';
import type { Page } from '../core/connection';
import { dialectOf } from '../core/database';
import { byId, keysetPage, type PageArgs } from '../core/pagination';
import { execute, placeholders, sqlDate } from '../core/sql';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

const PENDING = WebhookDeliveryStatus.PENDING;

/** The columns of a delivery the outbox writes, in the order its rows give them. */
export const OUTBOX_COLUMNS = ['endpoint_id', 'account_id', 'event_id', 'event_type', 'payload', 'status', 'attempts', 'next_attempt_at', 'retry_until', 'created_at'] as const;

/**
 * The deliverer's statements. An endpoint's deliveries go out one at a time, in order, from the
 * one instance that holds the endpoint's lease (a compare-and-set on webhook_endpoints, as the
 * send queue claims messages): instances sharing the database never send one delivery twice at
 * once, and a lease left by a crashed instance runs out and is taken over.
 */
export class WebhookDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  private date(value: Date): Date | string {
    return sqlDate(this.dataSource, value);
  }

  /** The outbox's rows (values in OUTBOX_COLUMNS order), in the cause's transaction when `manager` is given: one INSERT per few hundred rows. */
  async insertOutboxRows(rows: unknown[][], manager: EntityManager = this.dataSource.manager): Promise<void> {
    // Bodies run to a few KB: a few hundred rows keep a statement well under MySQL's packet limit.
    const perInsert = Math.min(200, dialectOf(this.dataSource).rowsPerInsert(OUTBOX_COLUMNS.length));
    const tuple = `(${placeholders(OUTBOX_COLUMNS.length)})`;
    for (let i = 0; i < rows.length; i += perInsert) {
      const chunk = rows.slice(i, i + perInsert);
      await manager.query(`INSERT INTO webhook_deliveries (${OUTBOX_COLUMNS.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
    }
  }

  byId(id: number): Promise<WebhookDelivery | null> {
    return this.dataSource.getRepository(WebhookDelivery).findOneBy({ id });
  }

  byIdOrFail(id: number): Promise<WebhookDelivery> {
    return this.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ id });
  }

  /** The endpoint's deliveries (of one status, or all), newest first. */
  pageOf(endpointId: number, status: WebhookDeliveryStatus | null, args: PageArgs): Promise<Page<WebhookDelivery>> {
    const query = this.dataSource.getRepository(WebhookDelivery).createQueryBuilder('d').where('d.endpointId = :id', { id: endpointId });
    if (status) query.andWhere('d.status = :status', { status });
    return keysetPage(query, byId('d', 'DESC'), args);
  }

  /** The endpoint as the deliverer checks it before each read of its heads. */
  endpoint(endpointId: number): Promise<WebhookEndpoint | null> {
    return this.dataSource.getRepository(WebhookEndpoint).findOneBy({ id: endpointId });
  }

  /** Enabled endpoints with a delivery due and no lease running (nor a retry waiting). */
  async dueEndpoints(now: Date, limit: number): Promise<number[]> {
    const rows: Array<{ endpoint_id: number }> = await this.dataSource.query(
      `SELECT DISTINCT d.endpoint_id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.status = ? AND d.next_attempt_at <= ? AND e.enabled = 1 AND (e.lease_until IS NULL OR e.lease_until < ?) LIMIT ${Number(limit)}`,
      [PENDING, this.date(now), this.date(now)]);
    return rows.map((r) => Number(r.endpoint_id));
  }

  async claim(endpointId: number, owner: string, until: Date, now: Date): Promise<boolean> {
    return (await execute(this.dataSource,
      'UPDATE webhook_endpoints SET lease_owner = ?, lease_until = ? WHERE id = ? AND enabled = 1 AND (lease_until IS NULL OR lease_until < ?)',
      [owner, this.date(until), endpointId, this.date(now)])) === 1;
  }

  /** False when the lease is lost: another instance took over, or the endpoint was disabled or deleted. */
  async renew(endpointId: number, owner: string, until: Date): Promise<boolean> {
    return (await execute(this.dataSource, 'UPDATE webhook_endpoints SET lease_until = ? WHERE id = ? AND lease_owner = ? AND enabled = 1',
      [this.date(until), endpointId, owner])) === 1;
  }

  /** Gives the endpoint up; with `notBefore`, no instance takes it again until then (its head waits for a retry). */
  async release(endpointId: number, owner: string, notBefore: Date | null): Promise<void> {
    await execute(this.dataSource, 'UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = ? WHERE id = ? AND lease_owner = ?',
      [notBefore ? this.date(notBefore) : null, endpointId, owner]);
  }

  /** Lets a waiting endpoint be taken at once (a replay, an enable), unless an instance is on it now. */
  async wake(endpointId: number): Promise<void> {
    await execute(this.dataSource, 'UPDATE webhook_endpoints SET lease_until = NULL WHERE id = ? AND lease_owner IS NULL', [endpointId]);
  }

  /** The endpoint's next pending deliveries, in the order their events were stored. */
  heads(endpointId: number, limit: number): Promise<WebhookDelivery[]> {
    return this.dataSource.getRepository(WebhookDelivery).find({ where: { endpointId, status: PENDING }, order: { id: 'ASC' }, take: limit });
  }

  async succeeded(delivery: WebhookDelivery, statusCode: number, at: Date): Promise<void> {
    await execute(this.dataSource,
      'UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_response_code = ?, last_error = NULL, delivered_at = ? WHERE id = ? AND status = ?',
      [WebhookDeliveryStatus.SUCCEEDED, statusCode, this.date(at), delivery.id, PENDING]);
  }

  /** A failed attempt: retried at `nextAttemptAt`, or FAILED for good when that is null. */
  async failed(delivery: WebhookDelivery, statusCode: number | null, error: string, nextAttemptAt: Date | null): Promise<void> {
    await execute(this.dataSource,
      'UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_response_code = ?, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = ?',
      [nextAttemptAt ? PENDING : WebhookDeliveryStatus.FAILED, statusCode, error.slice(0, 500), this.date(nextAttemptAt ?? delivery.nextAttemptAt), delivery.id, PENDING]);
  }

  async healthy(endpointId: number): Promise<void> {
    await execute(this.dataSource, 'UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL', [endpointId]);
  }

  /** Marks the endpoint failing (since its first failure after a success); answers since when. */
  async failing(endpointId: number, now: Date): Promise<Date> {
    await execute(this.dataSource, 'UPDATE webhook_endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL', [this.date(now), endpointId]);
    const endpoint = await this.dataSource.getRepository(WebhookEndpoint).findOne({ select: { id: true, failingSince: true }, where: { id: endpointId } });
    return endpoint?.failingSince ?? now;
  }

  async disable(endpointId: number, reason: string): Promise<void> {
    await execute(this.dataSource, 'UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND enabled = 1',
      [reason.slice(0, 500), endpointId]);
  }

  /** Sends a delivery again from its first attempt's terms: PENDING now, retried for another `retryForMs`. */
  async replay(delivery: WebhookDelivery, now: Date, retryForMs: number): Promise<void> {
    await execute(this.dataSource, 'UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, retry_until = ?, delivered_at = NULL WHERE id = ?',
      [PENDING, this.date(now), this.date(new Date(now.getTime() + retryForMs)), delivery.id]);
  }

  async deleteEndpoint(endpointId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM webhook_deliveries WHERE endpoint_id = ?', [endpointId]);
      await manager.query('DELETE FROM webhook_endpoints WHERE id = ?', [endpointId]);
    });
  }
}
