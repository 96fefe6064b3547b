import { Field, Int, ObjectType } from 'type-graphql';
import { SendError } from '../core/send-error';

@ObjectType()
export class ImportRejection {
  @Field(() => Int, { description: 'Position of the row in the input list, from 0.' })
  index: number;

  @Field()
  phoneNumber: string;

  @Field(() => SendError)
  error: SendError;
}

@ObjectType()
export class ImportResult {
  @Field(() => Int)
  created: number;

  @Field(() => Int)
  updated: number;

  @Field(() => Int)
  subscribed: number;

  @Field(() => Int, { description: 'New members made PENDING and sent the confirmation request (a double opt-in group).' })
  pending: number;

  @Field(() => [ImportRejection])
  rejected: ImportRejection[];
}
