import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { dialectOf } from '../core/database';
import { CAMPAIGN_CANCELLED_MESSAGE, EXPIRED_MESSAGE, SendErrorCode, type SendErrorCode as ErrorCode } from '../core/send-error';
import { execute, placeholders, readSqlDate, sqlDate } from '../core/sql';
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
  failQueued(campaignId: number, limit: number): Promise<number> {
    return this.failQueuedWith(campaignId, limit, SendErrorCode.CAMPAIGN_CANCELLED, CAMPAIGN_CANCELLED_MESSAGE);
  }

  /** Fails up to `limit` QUEUED messages of a campaign whose validity period ran out (EXPIRED); answers how many. */
  expireQueued(campaignId: number, limit: number): Promise<number> {
    return this.failQueuedWith(campaignId, limit, SendErrorCode.EXPIRED, EXPIRED_MESSAGE);
  }

  /** When the campaign's last QUEUED message is planned to leave, and how many are planned after `deadline`. */
  async queuedHorizon(campaignId: number, deadline: Date | null): Promise<{ last: Date | null; after: number }> {
    const late = deadline ? 'SUM(CASE WHEN send_after > ? THEN 1 ELSE 0 END)' : '0';
    const [row] = await this.dataSource.query(`SELECT MAX(send_after) AS last, ${late} AS after_deadline FROM messages WHERE campaign_id = ? AND status = ?`,
      [...(deadline ? [sqlDate(this.dataSource, deadline)] : []), campaignId, MessageStatus.QUEUED]);
    const last = row?.last ? readSqlDate(row.last) : null;
    return { last, after: Number(row?.after_deadline ?? 0) };
  }

  private async failQueuedWith(campaignId: number, limit: number, code: ErrorCode, text: string): Promise<number> {
    const due: Array<{ id: number; account_id: number }> = await this.dataSource.query(
      `SELECT id, account_id FROM messages WHERE campaign_id = ? AND status = ? ORDER BY id LIMIT ${Number(limit)}`, [campaignId, MessageStatus.QUEUED]);
    if (!due.length) return 0;
    const ids = due.map((r) => Number(r.id));
    const claim = randomUUID();
    const now = new Date();
    const fail = async (manager: EntityManager) => {
      await execute(manager,
        `UPDATE messages SET status = ?, error_code = ?, error_message = ?, send_claim = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ?`,
        [MessageStatus.FAILED, code, text, claim, sqlDate(this.dataSource, now), ...ids, MessageStatus.QUEUED]);
      // Only those this statement failed: the send queue may have failed some itself meanwhile.
      const mine: Array<{ id: number }> = await manager.query(
        `SELECT id FROM messages WHERE id IN (${placeholders(ids.length)}) AND send_claim = ?`, [...ids, claim]);
      const changes: Array<{ message: Message; previousStatus: MessageStatus }> = [];
      for (let i = 0; i < mine.length; i += 1000) {
        const messages = await manager.getRepository(Message).findBy({ id: In(mine.slice(i, i + 1000).map((r) => Number(r.id))) });
        changes.push(...messages.map((message) => ({ message, previousStatus: MessageStatus.QUEUED })));
      }
      if (recorded) await this.deliveryEvents.record(manager, changes, now);
      return changes;
    };
    // A campaign is one account's: with a webhook for its events, they are stored with the change, both or neither.
    const recorded = await this.deliveryEvents.wantsRecord(Number(due[0].account_id));
    const changes = recorded ? await this.dataSource.transaction(fail) : await fail(this.dataSource.manager);
    for (let i = 0; i < changes.length; i += 1000) await this.deliveryEvents.publish(changes.slice(i, i + 1000), now, recorded);
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
