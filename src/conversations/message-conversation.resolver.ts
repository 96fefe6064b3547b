import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { alignById } from '../core/loaders';
import { Message } from '../messaging/message.entity';
import { Conversation } from './conversation.entity';
import type { ConversationService } from './conversation.service';

/** A message's conversation: resolved here, since conversations know messaging and not the other way round. */
@Resolver(() => Message)
export class MessageConversationResolver {
  constructor(private readonly conversations: ConversationService) {}

  @FieldResolver(() => Conversation, { nullable: true })
  conversation(@Root() message: Message, @Ctx() ctx: Context): Promise<Conversation | null> | null {
    if (message.conversationId === null) return null;
    if (!ctx.loaders) return this.conversations.findById(message.conversationId);
    return ctx.loaders.get<number, Conversation | null>('conversation', async (ids) => alignById(ids, await this.conversations.findByIds(ids))).load(message.conversationId);
  }
}
