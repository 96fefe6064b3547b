import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { SendError } from '../core/send-error';
import { Message } from './message.entity';

@InputType({ description: "Fields of the recipient's contact: stored on it (made if new) and used by the body's placeholders." })
export class SendMessageContactInput {
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Merged into the contact's attributes." })
  attributes?: Record<string, unknown> | null;
}

@InputType()
export class SendMessageInput {
  @Field(() => ID, { description: 'The group whose senders, rules and opt-outs apply.' })
  groupId: string;

  @Field({ description: "The recipient; numbers without '+' are read in the account's home country." })
  to: string;

  @Field({ description: 'A template like a campaign body: {{first_name}}, {{last_name}}, {{phone_number}}, {{attributes.KEY}}.' })
  body: string;

  @Field(() => SendMessageContactInput, { nullable: true })
  contact?: SendMessageContactInput | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "Values for {{attributes.KEY}} placeholders for this message only (e.g. a one-time code); they override the contact's attributes and are not stored on it.",
  })
  variables?: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'At most 255 characters, per account, kept 24 h: the same key with the same input answers the first result and sends nothing; with another input it is refused (BAD_USER_INPUT).',
  })
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'The message queued, or why it may not go: a refusal is an answer, not an error.' })
export class SendMessagePayload {
  @Field(() => Message, { nullable: true })
  message: Message | null;

  @Field(() => SendError, { nullable: true })
  error: SendError | null;

  @Field({ description: 'True when an earlier request with the same idempotency key made this answer.' })
  replayed: boolean;
}
