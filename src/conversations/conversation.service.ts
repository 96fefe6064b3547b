import type { EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { isDuplicateKeyError } from '../core/database';
import { notFound } from '../core/errors';
import { decode } from '../core/ids';
import type { Page } from '../core/connection';
import type { ContactService } from '../contacts/contact.service';
import type { GroupService } from '../groups/group.service';
import type { Message } from '../messaging/message.entity';
import type { MessageService } from '../messaging/message.service';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationRepository, InboxCriteria } from './conversation.repository';

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

export class ConversationService {
  constructor(
    private readonly repo: ConversationRepository,
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
    private readonly contacts: ContactService,
    private readonly messages: MessageService,
  ) {}

  findById(id: number): Promise<Conversation | null> {
    return this.repo.byId(id);
  }

  findByIds(ids: readonly number[]): Promise<Conversation[]> {
    return this.repo.byIds(ids);
  }

  getVisible(principal: Principal, rawId: string | number): Promise<Conversation | null> {
    return this.accounts.findVisible(principal, 'cnv', rawId, (id) => this.findById(id));
  }

  requireVisible(principal: Principal, rawId: string | number, field = 'id'): Promise<Conversation> {
    return this.accounts.requireVisibleOwned(principal, 'cnv', rawId, (id) => this.findById(id), 'conversation', field);
  }

  /** Makes the thread, or reads the one a concurrent request made first. */
  async create(parties: ConversationParties, manager?: EntityManager): Promise<Conversation> {
    const where = { contactId: parties.contact.id, senderId: parties.sender.id };
    const now = new Date();
    const conversation = Object.assign(new Conversation(), {
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
      await this.repo.insert(conversation, manager);
      return conversation;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return this.repo.ofParties(where.contactId, where.senderId, manager);
    }
  }

  /** The inbox: newest activity first, keyset-paginated on (lastMessageAt, id). */
  async list(principal: Principal, filter: ConversationFilter, first?: number | null, after?: string | null): Promise<Page<Conversation>> {
    const criteria: InboxCriteria = { accountIds: await this.accounts.listScope(principal, filter.accountId), status: filter.status, unreadOnly: filter.unreadOnly };
    if (filter.groupId !== null && filter.groupId !== undefined) criteria.groupId = await this.visibleGroupId(principal, filter.groupId);
    if (filter.contactId !== null && filter.contactId !== undefined) criteria.contactId = await this.visibleContactId(principal, filter.contactId);
    return this.repo.page(criteria, { first, after });
  }

  /** Every message between the contact and the sender, newest first: campaign messages sent before the thread began included. */
  messagesOf(conversation: Conversation, first?: number | null, after?: string | null): Promise<Page<Message>> {
    return this.messages.between(conversation.contactId, conversation.senderId, { first, after });
  }

  /** The newest message of each thread, in one query for a whole page of conversations. */
  async lastMessagesOf(conversations: readonly Conversation[]): Promise<Array<Message | null>> {
    if (!conversations.length) return [];
    // The IN lists may cover pairs of no conversation here, which the map below ignores.
    const rows = await this.messages.newestOfPairs([...new Set(conversations.map((c) => c.contactId))], [...new Set(conversations.map((c) => c.senderId))]);
    const byPair = new Map(rows.map((m) => [`${m.contactId}:${m.senderId}`, m]));
    return conversations.map((c) => byPair.get(`${c.contactId}:${c.senderId}`) ?? null);
  }

  async markRead(principal: Principal, rawId: string): Promise<Conversation> {
    const conversation = await this.requireVisible(principal, rawId);
    await this.repo.change(conversation.id, { unreadCount: 0 });
    return this.repo.byIdOrFail(conversation.id);
  }

  async setStatus(principal: Principal, rawId: string, status: ConversationStatus): Promise<Conversation> {
    const conversation = await this.requireVisible(principal, rawId);
    await this.repo.change(conversation.id, { status });
    return this.repo.byIdOrFail(conversation.id);
  }

  /** The thread of a contact with a sender, if they have one (sendMessage threads into it). */
  idOf(contactId: number, senderId: number): Promise<number | null> {
    return this.repo.idOf(contactId, senderId);
  }

  /** An agent's reply is activity too: it moves the thread up the inbox. */
  async recordOutbound(conversationId: number, message: Message): Promise<void> {
    await this.repo.recordActivity(conversationId, message.id, message.createdAt);
  }

  private async visibleGroupId(principal: Principal, raw: string): Promise<number> {
    const id = decode('grp', raw);
    const group = id === null ? null : await this.groups.findById(id);
    if (!(await this.accounts.visibleOwned(principal, group))) throw notFound('subscription group', `${raw} (groupId)`);
    return id!;
  }

  private async visibleContactId(principal: Principal, raw: string): Promise<number> {
    const id = decode('ctc', raw);
    const contact = id === null ? null : await this.contacts.findById(id);
    if (!(await this.accounts.visibleOwned(principal, contact))) throw notFound('contact', `${raw} (contactId)`);
    return id!;
  }
}
