import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { KeywordCategory } from '../groups/keyword-set.entity';
import { Message } from '../messaging/message.entity';
import { Conversation } from './conversation.entity';

@ObjectType()
export class ConversationConnection {
  @Field(() => [Conversation])
  nodes: Conversation[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType()
export class ReplyEvent {
  @Field(() => Message)
  message: Message;

  @Field(() => Conversation)
  conversation: Conversation;

  @Field(() => KeywordCategory, { nullable: true, description: 'Set when the reply was an opt-out, opt-in or help keyword.' })
  keyword: KeywordCategory | null;
}
