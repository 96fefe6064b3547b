import { In, type DataSource, type EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { isDuplicateKeyError } from '../core/database';
import { notFound } from '../core/errors';
import { decode } from '../core/ids';
import type { Page } from '../core/connection';
import { byId, idKey, keysetPage, type Keyset } from '../core/pagination';
import { Contact } from '../contacts/contact.entity';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { Message } from '../messaging/message.entity';
import { Conversation, ConversationStatus } from './conversation.entity';
import { dialectOf } from '../core/database';

export interface ConversationFilter {
  status?: ConversationStatus | null;
  unreadOnly?: boolean | null;
  groupId?: string | null;
  contactId?: string | null;
  accountId?: string | null;
}

/** The parts of a contact and a sender a conversation is keyed on. */
export interface ConversationParties {
  contact: { id: number; accountId: number };
  sender: { id: number; groupId: number };
}

/** The inbox order: a reply (or an agent's answer) moves its thread up; the id breaks ties. */
const NEWEST_ACTIVITY_FIRST: Keyset<Conversation> = {
  keys: [{ column: 'c.lastMessageAt', kind: 'time', of: (c) => c.lastMessageAt }, idKey('c')],
  direction: 'DESC',
};

export class ConversationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountService,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Conversation);
  }

  findById(id: number): Promise<Conversation | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: readonly number[]): Promise<Conversation[]> {
    return ids.length ? this.repo.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  getVisible(principal: Principal, rawId: string | number): Promise<Conversation | null> {
    return this.accounts.findVisible(principal, 'cnv', rawId, (id) => this.findById(id));
  }

  requireVisible(principal: Principal, rawId: string | number, field = 'id'): Promise<Conversation> {
    return this.accounts.requireVisibleOwned(principal, 'cnv', rawId, (id) => this.findById(id), 'conversation', field);
  }

  /** Makes the thread, or reads the one a concurrent request made first. */
  async create(parties: ConversationParties, manager: EntityManager = this.dataSource.manager): Promise<Conversation> {
    const where = { contactId: parties.contact.id, senderId: parties.sender.id };
    const now = new Date();
    const conversation = manager.create(Conversation, {
      ...where,
      accountId: parties.contact.accountId,
      groupId: parties.sender.groupId,
      status: ConversationStatus.OPEN,
      unreadCount: 0,
      lastMessageId: null,
      // Never null, so the inbox order needs no NULL handling; the first message moves it on.
      lastMessageAt: now,
      createdAt: now,
    });
    try {
      await manager.insert(Conversation, conversation);
      return conversation;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return manager.findOneByOrFail(Conversation, where);
    }
  }

  /** The inbox: newest activity first, keyset-paginated on (lastMessageAt, id). */
  async list(principal: Principal, filter: ConversationFilter, first?: number | null, after?: string | null): Promise<Page<Conversation>> {
    const qb = this.repo.createQueryBuilder('c');
    const accountIds = await this.accounts.listScope(principal, filter.accountId);
    if (accountIds !== null) qb.andWhere('c.accountId IN (:...accountIds)', { accountIds });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.unreadOnly) qb.andWhere('c.unreadCount > 0');
    if (filter.groupId !== null && filter.groupId !== undefined) {
      qb.andWhere('c.groupId = :groupId', { groupId: await this.visibleGroupId(principal, filter.groupId) });
    }
    if (filter.contactId !== null && filter.contactId !== undefined) {
      qb.andWhere('c.contactId = :contactId', { contactId: await this.visibleContactId(principal, filter.contactId) });
    }
    return keysetPage(qb, NEWEST_ACTIVITY_FIRST, { first, after });
  }

  /** Every message between the contact and the sender, newest first: campaign messages sent before the thread began included. */
  messagesOf(conversation: Conversation, first?: number | null, after?: string | null): Promise<Page<Message>> {
    const qb = this.dataSource.getRepository(Message).createQueryBuilder('m')
      .where('m.contactId = :contactId AND m.senderId = :senderId', { contactId: conversation.contactId, senderId: conversation.senderId });
    return keysetPage(qb, byId('m', 'DESC'), { first, after });
  }

  /** The newest message of each thread, in one query for a whole page of conversations. */
  async lastMessagesOf(conversations: readonly Conversation[]): Promise<Array<Message | null>> {
    if (!conversations.length) return [];
    const contactIds = [...new Set(conversations.map((c) => c.contactId))];
    const senderIds = [...new Set(conversations.map((c) => c.senderId))];
    // Each (contact, sender) pair's newest message is the end of its index range; the IN
    // lists may cover pairs of no conversation here, which the map below ignores.
    const newest = await this.dataSource.getRepository(Message).createQueryBuilder('m')
      .select('MAX(m.id)', 'id')
      .where('m.contactId IN (:...contactIds) AND m.senderId IN (:...senderIds)', { contactIds, senderIds })
      .groupBy('m.contactId').addGroupBy('m.senderId')
      .getRawMany<{ id: number | string }>();
    const rows = newest.length ? await this.dataSource.getRepository(Message).findBy({ id: In(newest.map((r) => Number(r.id))) }) : [];
    const byPair = new Map(rows.map((m) => [`${m.contactId}:${m.senderId}`, m]));
    return conversations.map((c) => byPair.get(`${c.contactId}:${c.senderId}`) ?? null);
  }

  async markRead(principal: Principal, rawId: string): Promise<Conversation> {
    const conversation = await this.requireVisible(principal, rawId);
    await this.repo.update({ id: conversation.id }, { unreadCount: 0 });
    return this.repo.findOneByOrFail({ id: conversation.id });
  }

  async setStatus(principal: Principal, rawId: string, status: ConversationStatus): Promise<Conversation> {
    const conversation = await this.requireVisible(principal, rawId);
    await this.repo.update({ id: conversation.id }, { status });
    return this.repo.findOneByOrFail({ id: conversation.id });
  }

  /** The thread of a contact with a sender, if they have one (sendMessage threads into it). */
  async idOf(contactId: number, senderId: number): Promise<number | null> {
    return (await this.repo.findOne({ select: { id: true }, where: { contactId, senderId } }))?.id ?? null;
  }

  /** An agent's reply is activity too: it moves the thread up the inbox. */
  async recordOutbound(conversationId: number, message: Message): Promise<void> {
    const { greatest } = dialectOf(this.dataSource);
    await this.repo.createQueryBuilder()
      .update(Conversation)
      .set({
        lastMessageId: () => `${greatest}(COALESCE(last_message_id, 0), ${Number(message.id)})`,
        lastMessageAt: () => `${greatest}(COALESCE(last_message_at, :at), :at)`,
      })
      .where('id = :id', { id: conversationId })
      .setParameter('at', message.createdAt)
      .execute();
  }


  private async visibleGroupId(principal: Principal, raw: string): Promise<number> {
    const id = decode('grp', raw);
    const group = id === null ? null : await this.dataSource.getRepository(SubscriptionGroup).findOneBy({ id });
    if (!(await this.accounts.visibleOwned(principal, group))) throw notFound('subscription group', `${raw} (groupId)`);
    return id!;
  }

  private async visibleContactId(principal: Principal, raw: string): Promise<number> {
    const id = decode('ctc', raw);
    const contact = id === null ? null : await this.dataSource.getRepository(Contact).findOneBy({ id });
    if (!(await this.accounts.visibleOwned(principal, contact))) throw notFound('contact', `${raw} (contactId)`);
    return id!;
  }
}
