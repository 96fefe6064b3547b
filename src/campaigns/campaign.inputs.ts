import { Field, ID, InputType } from 'type-graphql';

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
}
