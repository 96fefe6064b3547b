import type { DataSource } from 'typeorm';
import { placeholders, readSqlDate, sqlDate } from '../core/sql';
import { MessageDirection, MessageStatus } from './message.entity';

/** A campaign message a contact was handed: which campaign, and when. */
export interface HandedOverCampaignMessage {
  contactId: number;
  campaignId: number;
  at: number;
}

// Handed over means the carrier has it or had it: a message refused or failed before it left,
// or still queued, never counts. updated_at of such a row is its claim or a later status, never
// earlier than its hand-over, so a count errs on the side of the recipient.
const HANDED_OVER = [MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.UNDELIVERED];

/** What the law asks of contacts' past messages (src/compliance): the frequency caps and the reply exemption. Both run at every look at the send queue. */
export class ContactHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The campaign messages handed over to these contacts since `since`: one statement. */
  async handedOverCampaignMessages(contactIds: readonly number[], since: number): Promise<HandedOverCampaignMessage[]> {
    if (!contactIds.length) return [];
    const rows: Array<{ contact_id: number; campaign_id: number; at: Date | string }> = await this.dataSource.query(
      `SELECT contact_id, campaign_id, updated_at AS at FROM messages
       WHERE contact_id IN (${placeholders(contactIds.length)}) AND status IN (${placeholders(HANDED_OVER.length)}) AND updated_at > ? AND campaign_id IS NOT NULL`,
      [...contactIds, ...HANDED_OVER, sqlDate(this.dataSource, new Date(since))]);
    return rows.map((r) => ({ contactId: Number(r.contact_id), campaignId: Number(r.campaign_id), at: readSqlDate(r.at).getTime() }));
  }

  /** Of these contacts, those with an inbound message since `since`: one statement. */
  async wroteInSince(contactIds: readonly number[], since: number): Promise<Set<number>> {
    const ids = [...new Set(contactIds)];
    if (!ids.length) return new Set();
    const rows: Array<{ contact_id: number }> = await this.dataSource.query(
      `SELECT DISTINCT contact_id FROM messages WHERE contact_id IN (${placeholders(ids.length)}) AND direction = '${MessageDirection.INBOUND}' AND created_at > ?`,
      [...ids, sqlDate(this.dataSource, new Date(since))]);
    return new Set(rows.map((r) => Number(r.contact_id)));
  }
}
