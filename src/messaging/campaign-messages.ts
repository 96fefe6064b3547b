import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { dialectOf } from '../core/database';
import { CAMPAIGN_CANCELLED_MESSAGE, SendErrorCode, type SendErrorCode as ErrorCode } from '../core/send-error';
import { execute, placeholders, sqlDate } from '../core/sql';
import type { DeliveryEvents } from './delivery-events';
import { Message, MessageStatus } from './message.entity';

/** The columns of a planned campaign message, in the order launch rows give them. */
export const PLANNED_COLUMNS = [
  'account_id', 'campaign_id', 'contact_id', 'sender_id', 'direction', 'from_address', 'to_address', 'body', 'status',
  'error_code', 'provider_code', 'error_message', 'encoding', 'segments', 'country', 'send_after', 'num_media', 'created_at', 'updated_at',
] as const;

export interface StatusCount {
  status: MessageStatus;
  country: string | null;
  error_code: ErrorCode | null;
  n: number | string;
}

/**
 * What campaigns need of the messages table, which messaging owns: storing a launch's planned
 * messages, failing a cancelled campaign's queued ones, and counting them by status.
 */
export class CampaignMessages {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveryEvents: DeliveryEvents,
  ) {}

  /** Rows per INSERT statement of a launch, within the bound parameters the database allows. */
  rowsPerInsert(): number {
    return dialectOf(this.dataSource).rowsPerInsert(PLANNED_COLUMNS.length);
  }

  /** One multi-row INSERT of planned messages (values in PLANNED_COLUMNS order), in the launch's transaction. */
  async insertPlanned(manager: EntityManager, rows: unknown[][]): Promise<void> {
    const tuple = `(${placeholders(PLANNED_COLUMNS.length)})`;
    await manager.query(`INSERT INTO messages (${PLANNED_COLUMNS.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, rows.flat());
  }

  /** Fails up to `limit` QUEUED messages of a cancelled campaign and publishes their events; answers how many. */
  async failQueued(campaignId: number, limit: number): Promise<number> {
    const due: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE campaign_id = ? AND status = ? ORDER BY id LIMIT ${Number(limit)}`, [campaignId, MessageStatus.QUEUED]);
    if (!due.length) return 0;
    const ids = due.map((r) => Number(r.id));
    const claim = randomUUID();
    const now = new Date();
    await execute(this.dataSource,
      `UPDATE messages SET status = ?, error_code = ?, error_message = ?, send_claim = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ?`,
      [MessageStatus.FAILED, SendErrorCode.CAMPAIGN_CANCELLED, CAMPAIGN_CANCELLED_MESSAGE, claim, sqlDate(this.dataSource, now), ...ids, MessageStatus.QUEUED]);
    // Only those this statement failed: the send queue may have failed some itself meanwhile.
    const mine: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE id IN (${placeholders(ids.length)}) AND send_claim = ?`, [...ids, claim]);
    for (let i = 0; i < mine.length; i += 1000) {
      const messages = await this.dataSource.getRepository(Message).findBy({ id: In(mine.slice(i, i + 1000).map((r) => Number(r.id))) });
      await this.deliveryEvents.publish(messages.map((message) => ({ message, previousStatus: MessageStatus.QUEUED })), now);
    }
    return due.length;
  }

  /** Of these campaigns, those with messages still QUEUED. */
  async withQueued(campaignIds: readonly number[]): Promise<number[]> {
    if (!campaignIds.length) return [];
    const rows: Array<{ campaign_id: number }> = await this.dataSource.query(
      `SELECT DISTINCT campaign_id FROM messages WHERE status = ? AND campaign_id IN (${placeholders(campaignIds.length)})`, [MessageStatus.QUEUED, ...campaignIds]);
    return rows.map((r) => Number(r.campaign_id));
  }

  /** True while a message of the campaign is waiting or being handed over. */
  async unfinished(campaignId: number): Promise<boolean> {
    const rows = await this.dataSource.query('SELECT 1 AS one FROM messages WHERE campaign_id = ? AND status IN (?, ?) LIMIT 1',
      [campaignId, MessageStatus.QUEUED, MessageStatus.SENDING]);
    return rows.length > 0;
  }

  /** SQL that holds while no message of the campaign (`campaignId`: a column or a placeholder) is waiting or being handed over. */
  noneUnfinished(campaignId: string): string {
    return `NOT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ${campaignId} AND status IN ('${MessageStatus.QUEUED}', '${MessageStatus.SENDING}'))`;
  }

  /** The campaign's messages counted by status, country and error (one GROUP BY over a covering index). */
  statusCounts(campaignId: number): Promise<StatusCount[]> {
    return this.dataSource.query('SELECT status, country, error_code, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status, country, error_code', [campaignId]);
  }
}
