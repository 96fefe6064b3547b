import { Field, ObjectType } from 'type-graphql';
import { connectionType, type Page } from '../core/connection';
import { SendError } from '../core/send-error';
import { Message, MessageStatus } from './message.entity';

export const MessageConnection = connectionType('Message', Message);
export type MessageConnection = Page<Message>;

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
