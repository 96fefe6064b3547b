import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { SenderType } from './sender.entity';

/** The consent settings that creating and updating a group both take. */
@InputType()
abstract class GroupConsentFields {
  @Field(() => Boolean, { nullable: true, description: 'Double opt-in: imports and setSubscription make PENDING members and send them confirmationRequest.' })
  doubleOptIn: boolean | null;

  @Field(() => String, { nullable: true, description: 'The double opt-in request, at most 320 characters; empty or null: the default, naming the group.' })
  confirmationRequest: string | null;

  @Field(() => Int, { nullable: true, description: "Seconds before an unanswered request expires (1 to 2592000); null: the server's default." })
  confirmationExpirySeconds: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Plain-words opt-outs ("please stop", "remove me from this list"); on unless turned off.' })
  plainWordsOptOut: boolean | null;
}

@InputType()
export class CreateSubscriptionGroupInput extends GroupConsentFields {
  @Field(() => ID, { nullable: true, description: "Defaults to the caller's account." })
  accountId: string | null;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  internationalFallback: boolean | null;
}

@InputType()
export class UpdateSubscriptionGroupInput extends GroupConsentFields {
  @Field(() => String, { nullable: true })
  name: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => Boolean, { nullable: true })
  internationalFallback: boolean | null;
}

@InputType()
export class SenderInput {
  @Field(() => SenderType)
  type: SenderType;

  @Field()
  value: string;

  @Field(() => String, { nullable: true, description: 'Required for SHORT_CODE and ALPHANUMERIC; derived from the number otherwise.' })
  country: string | null;

  @Field(() => Float, { nullable: true })
  maxPerSecond: number | null;
}
