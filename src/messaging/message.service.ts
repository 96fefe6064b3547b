import { In, type FindOptionsWhere } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import type { Page } from '../core/connection';
import type { PageArgs } from '../core/pagination';
import type { Message, MessageDirection, MessageStatus } from './message.entity';
import type { MessageRepository } from './message.repository';

export interface MessageLogFilter {
  direction?: MessageDirection | null;
  status?: MessageStatus | null;
  campaignId?: number | null;
  accountId?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Reads of the message log; every write goes through the send queue and StatusService. */
export class MessageService {
  constructor(
    private readonly repo: MessageRepository,
    private readonly accounts: AccountService,
  ) {}

  getVisible(principal: Principal, rawId: string | number): Promise<Message | null> {
    return this.accounts.findVisible(principal, 'msg', rawId, (id) => this.repo.byId(id));
  }

  /** The log, newest first, over every account the key may see (or the one named). */
  async log(principal: Principal, filter: MessageLogFilter): Promise<Page<Message>> {
    const accountIds = await this.accounts.listScope(principal, filter.accountId);
    const where: FindOptionsWhere<Message> = {};
    if (accountIds) where.accountId = In(accountIds);
    if (filter.direction) where.direction = filter.direction;
    if (filter.status) where.status = filter.status;
    if (filter.campaignId !== null && filter.campaignId !== undefined) where.campaignId = filter.campaignId;
    return this.page(where, 'DESC', filter);
  }

  /** A campaign's messages in the order they were planned (queue order). */
  campaignMessages(campaignId: number, status: MessageStatus | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Page<Message>> {
    const where: FindOptionsWhere<Message> = { campaignId };
    if (status) where.status = status;
    return this.page(where, 'ASC', { first, after });
  }

  /** Every message between a contact and a sender, newest first (a conversation's, with the campaign messages sent before it began). */
  between(contactId: number, senderId: number, args: PageArgs): Promise<Page<Message>> {
    return this.repo.between(contactId, senderId, args);
  }

  /** The newest message of each (contact, sender) pair among these contacts and senders, in one round of queries. */
  newestOfPairs(contactIds: readonly number[], senderIds: readonly number[]): Promise<Message[]> {
    return this.repo.newestOfPairs(contactIds, senderIds);
  }

  /** Whether a message with this provider sid (an inbound MessageSid too) is stored. */
  hasSid(providerSid: string): Promise<boolean> {
    return this.repo.hasSid(providerSid);
  }

  findByIds(ids: readonly number[]): Promise<Message[]> {
    return this.repo.byIds(ids);
  }

  private page(where: FindOptionsWhere<Message>, order: 'ASC' | 'DESC', args: PageArgs): Promise<Page<Message>> {
    return this.repo.page(where, order, args);
  }
}
