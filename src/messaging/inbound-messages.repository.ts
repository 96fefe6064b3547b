import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';
import { dialectOf } from '../core/database';
import { Message, MessageDirection, MessageStatus, REPLY_CAMPAIGN_INDEX } from './message.entity';

interface Statements {
  insertColumns: EntityMetadata['columns'];
  insertPrefix: string;
  insertRow: string;
  sid: string;
}

/**
 * The inbound webhook's statements on the messages table (conversations' InboundWriter and
 * inbound look-up run them), written out once from the entity metadata: they are the webhook's
 * hot path, and building them per request through the query builder cost more CPU than the
 * database spent running them. Values still go through the driver's own conversions (dates,
 * JSON), so both databases store exactly what the entity would.
 */
export class InboundMessagesRepository {
  private prepared: Statements | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** Written on first use: the entity metadata exists only once the data source is initialised. */
  private get statements(): Statements {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  private prepare(): Statements {
    const q = (name: string) => this.dataSource.driver.escape(name);
    const messages = this.dataSource.getMetadata(Message);
    const insertColumns = messages.columns.filter((c) => !c.isGenerated);
    return {
      insertColumns,
      insertPrefix: `INSERT INTO messages (${insertColumns.map((c) => q(c.databaseName)).join(', ')}) VALUES `,
      insertRow: `(${insertColumns.map(() => '?').join(', ')})`,
      sid: q(messages.findColumnWithPropertyName('providerSid')!.databaseName),
    };
  }

  /**
   * A column for the inbound look-up (one statement with the sender, the contact and their
   * thread): the campaign of the latest outbound message between the contact and the sender,
   * given as the look-up's column names.
   */
  lastCampaignColumn(contactId: string, senderId: string): string {
    // Where the contact and sender come from another table's row (a look-up of many), MariaDB
    // plans without looking at their values and, knowing no better, may take the index without
    // the direction, which walks back over every reply since the last outbound message.
    const index = dialectOf(this.dataSource).throughIndex(REPLY_CAMPAIGN_INDEX);
    return `(SELECT m.campaign_id FROM messages m ${index}
        WHERE m.contact_id = ${contactId} AND m.sender_id = ${senderId} AND m.direction = '${MessageDirection.OUTBOUND}' AND m.status <> '${MessageStatus.REJECTED}'
        ORDER BY m.id DESC LIMIT 1)`;
  }

  /** Which of these MessageSids are stored already (the batch's idempotency check, written out: the query builder cost more CPU than the query). */
  async storedSids(manager: EntityManager, sids: string[]): Promise<Set<string>> {
    const { sid } = this.statements;
    const rows: Array<{ sid: string }> = await manager.query(
      `SELECT ${sid} AS ${this.dataSource.driver.escape('sid')} FROM messages WHERE ${sid} IN (${sids.map(() => '?').join(', ')})`,
      sids,
    );
    return new Set(rows.map((r) => r.sid));
  }

  /** One multi-row INSERT; each message gets its id (as the dialect says one statement's ids run). */
  async insertMessages(manager: EntityManager, messages: Message[]): Promise<void> {
    const driver = this.dataSource.driver;
    const { insertColumns, insertPrefix, insertRow } = this.statements;
    const params = messages.flatMap((m) => insertColumns.map((c) => driver.preparePersistentValue(c.getEntityValue(m), c)));
    const sql = insertPrefix + messages.map(() => insertRow).join(', ');
    const ids = dialectOf(this.dataSource).insertedIds(await manager.query(sql, params), messages.length);
    messages.forEach((m, i) => {
      m.id = ids[i];
    });
  }
}
