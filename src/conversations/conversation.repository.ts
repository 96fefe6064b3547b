import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Page } from '../core/connection';
import { dialectOf } from '../core/database';
import { idKey, keysetPage, type Keyset, type PageArgs } from '../core/pagination';
import { Conversation, type ConversationStatus } from './conversation.entity';

/** The inbox order: a reply (or an agent's answer) moves its thread up; the id breaks ties. */
const NEWEST_ACTIVITY_FIRST: Keyset<Conversation> = {
  keys: [{ column: 'c.lastMessageAt', kind: 'time', of: (c) => c.lastMessageAt }, idKey('c')],
  direction: 'DESC',
};

/** Which conversations an inbox page holds; every criterion given narrows it. */
export interface InboxCriteria {
  accountIds: number[] | null;
  status?: ConversationStatus | null;
  unreadOnly?: boolean | null;
  groupId?: number;
  contactId?: number;
}

/** The conversations table as the inbox and outbound threading read and change it (the inbound webhook's statements are in InboundThreadsRepository). */
export class ConversationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Conversation);
  }

  byId(id: number): Promise<Conversation | null> {
    return this.repo.findOneBy({ id });
  }

  byIdOrFail(id: number): Promise<Conversation> {
    return this.repo.findOneByOrFail({ id });
  }

  async byIds(ids: readonly number[]): Promise<Conversation[]> {
    return ids.length ? this.repo.findBy({ id: In([...ids]) }) : [];
  }

  /** The thread of a contact with a sender. */
  ofParties(contactId: number, senderId: number, manager: EntityManager = this.dataSource.manager): Promise<Conversation> {
    return manager.findOneByOrFail(Conversation, { contactId, senderId });
  }

  /** Its id only, if the thread exists. */
  async idOf(contactId: number, senderId: number): Promise<number | null> {
    return (await this.repo.findOne({ select: { id: true }, where: { contactId, senderId } }))?.id ?? null;
  }

  /** Inserts a thread; a duplicate-key error says a concurrent request made it first. */
  async insert(conversation: Conversation, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(Conversation, conversation);
  }

  /** The inbox: newest activity first, keyset-paginated on (lastMessageAt, id). */
  page(criteria: InboxCriteria, args: PageArgs): Promise<Page<Conversation>> {
    const qb = this.repo.createQueryBuilder('c');
    if (criteria.accountIds !== null) qb.andWhere('c.accountId IN (:...accountIds)', { accountIds: criteria.accountIds });
    if (criteria.status) qb.andWhere('c.status = :status', { status: criteria.status });
    if (criteria.unreadOnly) qb.andWhere('c.unreadCount > 0');
    if (criteria.groupId !== undefined) qb.andWhere('c.groupId = :groupId', { groupId: criteria.groupId });
    if (criteria.contactId !== undefined) qb.andWhere('c.contactId = :contactId', { contactId: criteria.contactId });
    return keysetPage(qb, NEWEST_ACTIVITY_FIRST, args);
  }

  async change(id: number, changes: { unreadCount?: number; status?: ConversationStatus }): Promise<void> {
    await this.repo.update({ id }, changes);
  }

  /** Makes the message the thread's newest, unless a newer one is there already. */
  async recordActivity(id: number, messageId: number, at: Date): Promise<void> {
    const { greatest } = dialectOf(this.dataSource);
    await this.repo.createQueryBuilder()
      .update(Conversation)
      .set({
        lastMessageId: () => `${greatest}(COALESCE(last_message_id, 0), ${Number(messageId)})`,
        lastMessageAt: () => `${greatest}(COALESCE(last_message_at, :at), :at)`,
      })
      .where('id = :id', { id })
      .setParameter('at', at)
      .execute();
  }
}
