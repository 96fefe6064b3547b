import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/auth';
import { Message } from '../messaging/message.entity';
import { Conversation } from './conversation.entity';

/** A message's conversation: resolved here, since conversations know messaging and not the other way round. */
@Resolver(() => Message)
export class MessageConversationResolver {
  @FieldResolver(() => Conversation, { nullable: true })
  conversation(@Root() message: Message, @Ctx() ctx: Context): Promise<Conversation | null> | null {
    return message.conversationId === null ? null : ctx.loaders.conversationById.load(message.conversationId);
  }
}
