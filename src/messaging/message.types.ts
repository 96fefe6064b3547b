import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { SendError } from '../core/send-error';
import { Message, MessageStatus } from './message.entity';

@ObjectType()
export class MessageConnection {
  @Field(() => [Message])
  nodes: Message[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType()
export class DeliveryEvent {
  @Field(() => Message)
  message: Message;

  @Field(() => MessageStatus)
  status: MessageStatus;

  @Field(() => MessageStatus, { nullable: true })
  previousStatus: MessageStatus | null;

  @Field(() => SendError, { nullable: true })
  error: SendError | null;

  @Field()
  occurredAt: Date;
}
