import { type DataSource, type EntityManager } from 'typeorm';
import { dialectOf } from '../core/database';
import type { SendErrorCode } from '../core/send-error';
import { execute, placeholders, readSqlDate, sqlDate } from '../core/sql';
import { MessageStatus } from './message.entity';

/** The columns of a planned campaign message, in the order launch rows give them. */
export const PLANNED_COLUMNS = [
  'account_id', 'campaign_id', 'contact_id', 'sender_id', 'direction', 'from_address', 'to_address', 'body', 'status',
  'error_code', 'provider_code', 'error_message', 'encoding', 'segments', 'country', 'send_after', 'num_media', 'created_at', 'updated_at',
] as const;

export interface CampaignStatusCount extends StatusCount {
  campaign_id: number | string;
}

export interface StatusCount {
  status: MessageStatus;
  country: string | null;
  error_code: SendErrorCode | null;
  n: number | string;
}

/** The statements campaigns run on the messages table: a launch's planned rows, a campaign's queue and its counts. */
export class CampaignMessagesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Rows per INSERT statement of a launch, within the bound parameters the database allows. */
  rowsPerInsert(): number {
    return dialectOf(this.dataSource).rowsPerInsert(PLANNED_COLUMNS.length);
  }

  /** One multi-row INSERT of planned messages (values in PLANNED_COLUMNS order), in the launch's transaction. */
  async insertPlanned(manager: EntityManager, rows: unknown[][]): Promise<void> {
    const tuple = `(${placeholders(PLANNED_COLUMNS.length)})`;
    await manager.query(`INSERT INTO messages (${PLANNED_COLUMNS.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, rows.flat());
  }

  /** When the campaign's last QUEUED message is planned to leave, and how many are planned after `deadline`. */
  async queuedHorizon(campaignId: number, deadline: Date | null): Promise<{ last: Date | null; after: number }> {
    const late = deadline ? 'SUM(CASE WHEN send_after > ? THEN 1 ELSE 0 END)' : '0';
    const [row] = await this.dataSource.query(`SELECT MAX(send_after) AS last, ${late} AS after_deadline FROM messages WHERE campaign_id = ? AND status = ?`,
      [...(deadline ? [sqlDate(this.dataSource, deadline)] : []), campaignId, MessageStatus.QUEUED]);
    const last = row?.last ? readSqlDate(row.last) : null;
    return { last, after: Number(row?.after_deadline ?? 0) };
  }

  /** The campaign's first `limit` QUEUED messages, in queue order: id and account. */
  queued(campaignId: number, limit: number): Promise<Array<{ id: number; account_id: number }>> {
    return this.dataSource.query(
      `SELECT id, account_id FROM messages WHERE campaign_id = ? AND status = ? ORDER BY id LIMIT ${Number(limit)}`, [campaignId, MessageStatus.QUEUED]);
  }

  /** Fails those of `ids` still QUEUED, marking them with `claim`, and answers the ids this statement failed. */
  async failQueued(ids: number[], code: SendErrorCode, text: string, claim: string, at: Date, manager: EntityManager = this.dataSource.manager): Promise<number[]> {
    await execute(manager,
      `UPDATE messages SET status = ?, error_code = ?, error_message = ?, send_claim = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ?`,
      [MessageStatus.FAILED, code, text, claim, sqlDate(this.dataSource, at), ...ids, MessageStatus.QUEUED]);
    // Only those this statement failed: the send queue may have failed some itself meanwhile.
    const mine: Array<{ id: number }> = await manager.query(
      `SELECT id FROM messages WHERE id IN (${placeholders(ids.length)}) AND send_claim = ?`, [...ids, claim]);
    return mine.map((r) => Number(r.id));
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

  /** The messages of many campaigns counted by campaign, status, country and error: one GROUP BY over a covering index, however many campaigns. */
  statusCountsOf(campaignIds: readonly number[]): Promise<CampaignStatusCount[]> {
    if (!campaignIds.length) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT campaign_id, status, country, error_code, COUNT(*) AS n FROM messages WHERE campaign_id IN (${placeholders(campaignIds.length)})
       GROUP BY campaign_id, status, country, error_code`,
      [...campaignIds]);
  }
}
