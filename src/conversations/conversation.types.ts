import { Field, ObjectType } from 'type-graphql';
import { connectionType, type Page } from '../core/connection';
import { KeywordCategory } from '../groups/keyword-set.entity';
import { Message } from '../messaging/message.entity';
import { Conversation } from './conversation.entity';

export const ConversationConnection = connectionType('Conversation', Conversation);
export type ConversationConnection = Page<Conversation>;

@ObjectType()
export class ReplyEvent {
  @Field(() => Message)
  message: Message;

  @Field(() => Conversation)
  conversation: Conversation;

  @Field(() => KeywordCategory, { nullable: true, description: 'Set when the reply was an opt-out, opt-in or help keyword.' })
  keyword: KeywordCategory | null;
}
