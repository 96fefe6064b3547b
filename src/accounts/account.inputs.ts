import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateAccountInput {
  @Field()
  name: string;

  @Field()
  homeCountry: string;
}

@InputType()
export class CreateSubaccountInput {
  @Field(() => ID)
  parentId: string;

  @Field()
  name: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description: "Defaults to true: the subaccount starts with its parent's geo permissions.",
  })
  inheritGeoPermissions: boolean | null;
}
