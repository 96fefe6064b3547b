import type { DataSource, EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import { Contact } from '../contacts/contact.entity';
import { Sender } from '../groups/sender.entity';
import { Message, MessageDirection, MessageStatus } from '../messaging/message.entity';
import { Conversation, ConversationStatus } from './conversation.entity';
import { dialectOf } from '../core/database';

export interface KnownThread {
  sender: Sender;
  contact: Contact | null;
  conversation: Conversation | null;
  /** The campaign of the latest outbound message between the contact and the sender. */
  lastCampaignId: number | null;
}

/**
 * The two statements every inbound message runs, written out once from the entity metadata.
 * They are the webhook's hot path: building them per request through the query builder cost
 * more CPU than the database spent running them. Values still go through the driver's own
 * conversions (dates, JSON), so both databases store exactly what the entities would.
 */
/** What new replies do to one conversation: so many more unread, and its newest message. */
export interface ThreadTouch {
  count: number;
  lastId: number;
  lastAt: Date;
}

interface Statements {
  lookUp: string;
  /** The look-up with its position in a batch first: batches join these with UNION ALL. */
  lookUpBranch: string;
  insertColumns: EntityMetadata['columns'];
  insertPrefix: string;
  insertRow: string;
}

export class InboundSql {
  private prepared: Statements | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** Written on first use: the entity metadata exists only once the data source is initialised. */
  private get statements(): Statements {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  private prepare(): Statements {
    const dataSource = this.dataSource;
    const q = (name: string) => dataSource.driver.escape(name);
    const select = (entity: Function, alias: string) =>
      dataSource.getMetadata(entity).columns.map((c) => `${alias}.${q(c.databaseName)} AS ${q(`${alias}_${c.databaseName}`)}`).join(', ');
    const table = (entity: Function) => q(dataSource.getMetadata(entity).tableName);
    const lookUpColumns = `${select(Sender, 's')}, ${select(Contact, 'c')}, ${select(Conversation, 'v')},
      (SELECT m.campaign_id FROM ${table(Message)} m
        WHERE m.contact_id = c.id AND m.sender_id = s.id AND m.direction = '${MessageDirection.OUTBOUND}' AND m.status <> '${MessageStatus.REJECTED}'
        ORDER BY m.id DESC LIMIT 1) AS last_campaign_id`;
    const lookUpFrom = `FROM ${table(Sender)} s
      LEFT JOIN ${table(Contact)} c ON c.account_id = s.account_id AND c.phone_number = ?
      LEFT JOIN ${table(Conversation)} v ON v.contact_id = c.id AND v.sender_id = s.id
      WHERE s.active_value = ?`;
    const lookUp = `SELECT ${lookUpColumns} ${lookUpFrom}`;
    const lookUpBranch = `SELECT ? AS lookup_index, ${lookUpColumns} ${lookUpFrom}`;
    const messages = dataSource.getMetadata(Message);
    const insertColumns = messages.columns.filter((c) => !c.isGenerated);
    return {
      lookUp,
      lookUpBranch,
      insertColumns,
      insertPrefix: `INSERT INTO ${q(messages.tableName)} (${insertColumns.map((c) => q(c.databaseName)).join(', ')}) VALUES `,
      insertRow: `(${insertColumns.map(() => '?').join(', ')})`,
    };
  }

  /** The sender holding `activeValue` and, where they exist, the contact `from`, their thread and its last campaign. */
  async lookUp(activeValue: string, from: string): Promise<KnownThread | null> {
    const rows: ObjectLiteral[] = await this.dataSource.query(this.statements.lookUp, [from, activeValue]);
    return rows[0] ? this.knownThread(rows[0]) : null;
  }

  private knownThread(row: ObjectLiteral): KnownThread {
    const campaign = row.last_campaign_id;
    return {
      sender: this.hydrate(Sender, 's', row)!,
      contact: this.hydrate(Contact, 'c', row),
      conversation: this.hydrate(Conversation, 'v', row),
      lastCampaignId: campaign === null || campaign === undefined ? null : Number(campaign),
    };
  }

  /**
   * Several look-ups in one round trip: the answer for each (activeValue, from), in order, each
   * hydrated into entities of its own (two replies of one thread must not share a conversation).
   */
  async lookUpMany(keys: ReadonlyArray<{ activeValue: string; from: string }>): Promise<Array<KnownThread | null>> {
    if (keys.length === 1) return [await this.lookUp(keys[0].activeValue, keys[0].from)];
    const sql = keys.map(() => this.statements.lookUpBranch).join(' UNION ALL ');
    const rows: ObjectLiteral[] = await this.dataSource.query(sql, keys.flatMap((k, i) => [i, k.from, k.activeValue]));
    const byIndex = new Map(rows.map((row) => [Number(row.lookup_index), row]));
    return keys.map((_, i) => {
      const row = byIndex.get(i);
      return row ? this.knownThread(row) : null;
    });
  }

  /** Which of these MessageSids are stored already (the batch's idempotency check, written out: the query builder cost more CPU than the query). */
  async storedSids(manager: EntityManager, sids: string[]): Promise<Set<string>> {
    const q = (name: string) => this.dataSource.driver.escape(name);
    const messages = this.dataSource.getMetadata(Message);
    const sid = q(messages.findColumnWithPropertyName('providerSid')!.databaseName);
    const rows: Array<{ sid: string }> = await manager.query(
      `SELECT ${sid} AS ${q('sid')} FROM ${q(messages.tableName)} WHERE ${sid} IN (${sids.map(() => '?').join(', ')})`,
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

  /** One UPDATE for every conversation the replies went to: reopened, unread counted, newest message kept newest. */
  async touchConversations(manager: EntityManager, threads: Map<number, ThreadTouch>): Promise<void> {
    const driver = this.dataSource.driver;
    const lastAtColumn = this.dataSource.getMetadata(Conversation).findColumnWithPropertyName('lastMessageAt')!;
    const ids = [...threads.keys()];
    const whens = `CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    const pairs = (value: (t: ThreadTouch) => unknown) => ids.flatMap((id) => [id, value(threads.get(id)!)]);
    const at = (t: ThreadTouch) => driver.preparePersistentValue(t.lastAt, lastAtColumn);
    // Concurrent replies to one thread may commit in any order: GREATEST keeps the newest newest.
    const { greatest } = dialectOf(this.dataSource);
    await manager.query(
      `UPDATE ${driver.escape(this.dataSource.getMetadata(Conversation).tableName)} SET status = ?,
        unread_count = unread_count + ${whens},
        last_message_id = ${greatest}(COALESCE(last_message_id, 0), ${whens}),
        last_message_at = ${greatest}(COALESCE(last_message_at, ${whens}), ${whens})
        WHERE id IN (${ids.map(() => '?').join(', ')})`,
      [ConversationStatus.OPEN, ...pairs((t) => t.count), ...pairs((t) => t.lastId), ...pairs(at), ...pairs(at), ...ids],
    );
  }

  private hydrate<T extends ObjectLiteral>(entity: new () => T, alias: string, row: ObjectLiteral): T | null {
    const metadata = this.dataSource.getMetadata(entity);
    if (row[`${alias}_id`] === null || row[`${alias}_id`] === undefined) return null;
    const result = new entity();
    for (const column of metadata.columns) {
      column.setEntityValue(result, this.dataSource.driver.prepareHydratedValue(row[`${alias}_${column.databaseName}`], column));
    }
    return result;
  }
}
