import type { DataSource } from 'typeorm';

const CHUNK = 1000;

/**
 * Which senders of a group each contact has threads with, from the conversations table: what
 * routing's sticky senders are made of (routing is handed this in services.ts, since
 * conversations already imports routing).
 */
export class ConversationSendersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * contactId -> the senders of this group it has conversations with, the most recently active
   * first, in one query per 1,000 contacts. Removed senders may be listed.
   */
  async threadSendersOf(groupId: number, contactIds: readonly number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    for (let i = 0; i < contactIds.length; i += CHUNK) {
      const ids = contactIds.slice(i, i + CHUNK);
      // Written directly: a launch asks for every member, and the query builder is slow on long IN lists.
      const rows: Array<{ contact_id: number | string; sender_id: number | string }> = await this.dataSource.query(
        `SELECT contact_id, sender_id FROM conversations WHERE group_id = ? AND contact_id IN (${ids.map(() => '?').join(', ')})
         ORDER BY contact_id, last_message_at DESC, id DESC`,
        [groupId, ...ids],
      );
      for (const row of rows) {
        const contactId = Number(row.contact_id);
        const senderId = Number(row.sender_id);
        const list = result.get(contactId) ?? [];
        if (!list.includes(senderId)) list.push(senderId);
        result.set(contactId, list);
      }
    }
    return result;
  }
}
