import { Field, Float, ID, InputType } from 'type-graphql';
import { SenderType } from './sender.entity';

@InputType()
export class CreateSubscriptionGroupInput {
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
export class UpdateSubscriptionGroupInput {
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
