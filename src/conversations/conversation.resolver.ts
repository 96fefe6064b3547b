import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Contact } from '../contacts/contact.entity';
import { principalOf, type Context } from '../core/auth';
import { filteredStream } from '../core/filtered-stream';
import { Sender } from '../groups/sender.entity';
import { SubscriptionGroup } from '../groups/subscription-group.entity';
import { Message } from '../messaging/message.entity';
import { MessageConnection } from '../messaging/message.types';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationService } from './conversation.service';
import { ConversationConnection, ReplyEvent } from './conversation.types';
import { REPLY_TOPIC, reviveReply, wantsReply, type PreloadedConversation, type ReplyPayload } from './reply-events';
import type { ReplyService } from './reply.service';
import { channelOf } from '../core/tenancy';

@Resolver(() => Conversation)
export class ConversationResolver {
  constructor(
    private readonly threads: ConversationService,
    private readonly replies: ReplyService,
  ) {}

  @Query(() => ConversationConnection)
  async conversations(
    @Arg('status', () => ConversationStatus, { nullable: true }) status: ConversationStatus | null,
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false }) unreadOnly: boolean | null,
    @Arg('groupId', () => ID, { nullable: true }) groupId: string | null,
    @Arg('contactId', () => ID, { nullable: true }) contactId: string | null,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ConversationConnection> {
    return this.threads.list(principalOf(ctx), { status, unreadOnly, groupId, contactId, accountId }, first, after);
  }

  @Query(() => Conversation, { nullable: true })
  conversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Conversation | null> {
    return this.threads.getVisible(principalOf(ctx), id);
  }

  @Mutation(() => Message, { description: "Sends from the conversation's own sender (sticky sender)." })
  sendReply(@Arg('conversationId', () => ID) conversationId: string, @Arg('body') body: string, @Ctx() ctx: Context): Promise<Message> {
    return this.replies.sendReply(principalOf(ctx), conversationId, body);
  }

  @Mutation(() => Conversation)
  markConversationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Conversation> {
    return this.threads.markRead(principalOf(ctx), id);
  }

  @Mutation(() => Conversation)
  closeConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Conversation> {
    return this.threads.setStatus(principalOf(ctx), id, ConversationStatus.CLOSED);
  }

  @Mutation(() => Conversation)
  reopenConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Conversation> {
    return this.threads.setStatus(principalOf(ctx), id, ConversationStatus.OPEN);
  }

  @Subscription(() => ReplyEvent, {
    description: 'Inbound messages the caller may see, optionally narrowed.',
    // The tenant and narrowing filter runs in place on the topic's stream (see filteredStream).
    subscribe: ({ args, context }) => {
      const principal = principalOf(context);
      const events = (context as Context).pubsub.subscribe(REPLY_TOPIC, channelOf(principal))[Symbol.asyncIterator]();
      return filteredStream(events, (payload) => wantsReply(principal, payload as ReplyPayload, args));
    },
  })
  replyReceived(
    @Root() payload: ReplyPayload,
    @Arg('groupId', () => ID, { nullable: true }) _groupId: string | null,
    @Arg('conversationId', () => ID, { nullable: true }) _conversationId: string | null,
  ): ReplyEvent {
    return Object.assign(new ReplyEvent(), reviveReply(payload));
  }

  @FieldResolver(() => Account)
  account(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.accountById.load(conversation.accountId);
  }

  @FieldResolver(() => Contact)
  contact(@Root() conversation: PreloadedConversation, @Ctx() ctx: Context): Contact | Promise<Contact | null> {
    return conversation.preloaded?.contact ?? ctx.loaders.contactById.load(conversation.contactId);
  }

  @FieldResolver(() => Sender)
  sender(@Root() conversation: PreloadedConversation, @Ctx() ctx: Context): Sender | Promise<Sender | null> {
    return conversation.preloaded?.sender ?? ctx.loaders.senderById.load(conversation.senderId);
  }

  @FieldResolver(() => SubscriptionGroup)
  group(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<SubscriptionGroup | null> {
    return ctx.loaders.groupById.load(conversation.groupId);
  }

  @FieldResolver(() => Message, { nullable: true })
  lastMessage(@Root() conversation: PreloadedConversation, @Ctx() ctx: Context): Message | Promise<Message | null> {
    return conversation.preloaded?.lastMessage ?? ctx.loaders.lastMessageOf.load(conversation);
  }

  @FieldResolver(() => MessageConnection, { description: 'Newest first.' })
  messages(
    @Root() conversation: Conversation,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<MessageConnection> {
    return this.threads.messagesOf(conversation, first, after);
  }
}
