import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class SendWindowInput {
  @Field()
  start: string;

  @Field()
  end: string;
}

@InputType()
export class CreateCampaignInput {
  @Field(() => ID)
  groupId: string;

  @Field()
  name: string;

  @Field()
  body: string;

  @Field(() => SendWindowInput, { nullable: true })
  sendWindow?: SendWindowInput | null;

  @Field(() => Int, { nullable: true, description: "Seconds a message may wait in the queue after the launch, 1 to 36000 as Twilio's ValidityPeriod; one still queued then ends FAILED with EXPIRED. Null: no limit." })
  validitySeconds?: number | null;
}
