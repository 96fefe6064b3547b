import { Field, ObjectType } from 'type-graphql';
import { SendError } from '../core/send-error';
import { Sender } from '../groups/sender.entity';

@ObjectType({ description: 'How a message to one number would be sent from one group, or why it would not.' })
export class Route {
  @Field({ description: 'E.164, or the input as given when it is not a valid number.' })
  phoneNumber: string;

  @Field(() => String, { nullable: true })
  country: string | null;

  @Field()
  allowed: boolean;

  @Field(() => Sender, { nullable: true })
  sender: Sender | null;

  @Field(() => SendError, { nullable: true })
  error: SendError | null;
}
