import type { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import { aliasedColumns, hydrateAliased } from '../core/aliased-rows';
import { dialectOf } from '../core/database';
import type { Contact } from '../contacts/contact.entity';
import type { InboundContactsRepository } from '../contacts/inbound-contacts.repository';
import type { InboundSendersRepository } from '../groups/inbound-senders.repository';
import type { Sender } from '../groups/sender.entity';
import type { InboundMessagesRepository } from '../messaging/inbound-messages.repository';
import { Conversation, ConversationStatus } from './conversation.entity';

export interface KnownThread {
  sender: Sender;
  contact: Contact | null;
  conversation: Conversation | null;
  /** The campaign of the latest outbound message between the contact and the sender. */
  lastCampaignId: number | null;
}

/** What new replies do to one conversation: so many more unread, and its newest message. */
export interface ThreadTouch {
  count: number;
  lastId: number;
  lastAt: Date;
}

interface Statements {
  /** One reply's look-up; parameters: the contact's number, then the sender's value. */
  lookUp: string;
  /** A look-up of many, given the derived table `k` whose rows are its keys. */
  lookUpMany(keys: string): string;
}

/**
 * The inbound webhook's statements on the conversations table: the look-up of a reply's thread,
 * and one UPDATE of every thread a batch of replies went to. The look-up is one statement over
 * the sender (groups'), the contact (contacts'), the conversation and the last campaign
 * (messaging's), each domain writing its table's part: it runs for every reply, so it stays one
 * round trip. Written out once: building it per request through the query builder cost more CPU
 * than the database spent running it.
 */
export class InboundThreadsRepository {
  private prepared: Statements | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly senders: InboundSendersRepository,
    private readonly contacts: InboundContactsRepository,
    private readonly messages: InboundMessagesRepository,
  ) {}

  /** Written on first use: the entity metadata exists only once the data source is initialised. */
  private get statements(): Statements {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  private prepare(): Statements {
    const statement = (activeValue: string, from: string) => {
      const sender = this.senders.lookUpPart(activeValue);
      const contact = this.contacts.lookUpPart(sender.accountId, from);
      return {
        sender,
        columns: `${sender.columns}, ${contact.columns}, ${aliasedColumns(this.dataSource, Conversation, 'v')},
          ${this.messages.lastCampaignColumn(contact.id, sender.id)} AS last_campaign_id`,
        joins: `${contact.join}
          LEFT JOIN conversations v ON v.contact_id = ${contact.id} AND v.sender_id = ${sender.id}`,
      };
    };
    const one = statement('?', '?');
    const many = statement('k.active_value', 'k.from_number');
    return {
      lookUp: `SELECT ${one.columns} FROM ${one.sender.from} ${one.joins} WHERE ${one.sender.where}`,
      lookUpMany: (keys) => `SELECT k.lookup_index, ${many.columns} FROM (${keys}) k JOIN ${many.sender.from} ON ${many.sender.where} ${many.joins}`,
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
      sender: this.senders.fromLookUp(row)!,
      contact: this.contacts.fromLookUp(row),
      conversation: hydrateAliased(this.dataSource, Conversation, 'v', row),
      lastCampaignId: campaign === null || campaign === undefined ? null : Number(campaign),
    };
  }

  /**
   * Several look-ups in one statement: the keys are the rows of a derived table joined to the
   * senders, so the database plans the statement once however many keys it holds (a UNION ALL
   * of one look-up per key was planned once per key: most of the database's CPU a reply). Each
   * answer is hydrated into entities of its own (two replies of one thread must not share a
   * conversation).
   */
  async lookUpMany(keys: ReadonlyArray<{ activeValue: string; from: string }>): Promise<Array<KnownThread | null>> {
    if (keys.length === 1) return [await this.lookUp(keys[0].activeValue, keys[0].from)];
    const rowsOfKeys = ['SELECT ? AS lookup_index, ? AS active_value, ? AS from_number', ...keys.slice(1).map(() => 'SELECT ?, ?, ?')].join(' UNION ALL ');
    const rows: ObjectLiteral[] = await this.dataSource.query(this.statements.lookUpMany(rowsOfKeys), keys.flatMap((k, i) => [i, k.activeValue, k.from]));
    const byIndex = new Map(rows.map((row) => [Number(row.lookup_index), row]));
    return keys.map((_, i) => {
      const row = byIndex.get(i);
      return row ? this.knownThread(row) : null;
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
      `UPDATE conversations SET status = ?,
        unread_count = unread_count + ${whens},
        last_message_id = ${greatest}(COALESCE(last_message_id, 0), ${whens}),
        last_message_at = ${greatest}(COALESCE(last_message_at, ${whens}), ${whens})
        WHERE id IN (${ids.map(() => '?').join(', ')})`,
      [ConversationStatus.OPEN, ...pairs((t) => t.count), ...pairs((t) => t.lastId), ...pairs(at), ...pairs(at), ...ids],
    );
  }
}
