import type { Account } from '../accounts/account.entity';
import type { AccountService } from '../accounts/account.service';
import type { Contact } from '../contacts/contact.entity';
import type { ContactService } from '../contacts/contact.service';
import type { Context } from '../core/auth';
import { alignById, Loaders } from '../core/loaders';
import type { GroupService } from '../groups/group.service';
import type { Sender } from '../groups/sender.entity';
import type { SenderService } from '../groups/sender.service';
import type { SubscriptionGroup } from '../groups/subscription-group.entity';
import type { Message } from '../messaging/message.entity';
import type { Conversation } from './conversation.entity';
import type { ConversationService } from './conversation.service';

export interface ConversationLoaderSources {
  accounts: AccountService;
  contacts: ContactService;
  senders: SenderService;
  groups: GroupService;
  conversations: ConversationService;
}

/** The relations of a page of conversations, one query each whatever the page size. */
export class ConversationLoaders {
  constructor(private readonly sources: ConversationLoaderSources) {}

  private loadersOf(ctx: Context): Loaders {
    // Outside a request (no context loaders) each call batches on its own.
    return ctx.loaders ?? new Loaders(false);
  }

  contact(ctx: Context, id: number): Promise<Contact | null> {
    return this.loadersOf(ctx).get<number, Contact | null>('contact', async (ids) => alignById(ids, await this.sources.contacts.findByIds(ids))).load(id);
  }

  sender(ctx: Context, id: number): Promise<Sender | null> {
    return this.loadersOf(ctx).get<number, Sender | null>('sender', async (ids) => alignById(ids, await this.sources.senders.findByIds(ids))).load(id);
  }

  group(ctx: Context, id: number): Promise<SubscriptionGroup | null> {
    return this.loadersOf(ctx).get<number, SubscriptionGroup | null>('group', async (ids) => alignById(ids, await this.sources.groups.findByIds(ids))).load(id);
  }

  account(ctx: Context, id: number): Promise<Account | null> {
    return this.loadersOf(ctx).get<number, Account | null>('account', async (ids) => alignById(ids, await this.sources.accounts.findByIds(ids))).load(id);
  }

  lastMessage(ctx: Context, conversation: Conversation): Promise<Message | null> {
    return this.loadersOf(ctx).get<Conversation, Message | null>('conversation.lastMessage', (list) => this.sources.conversations.lastMessagesOf(list)).load(conversation);
  }
}
