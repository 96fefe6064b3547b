import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';

@InputType()
export class ContactInput {
  @Field({ description: "Any common format; numbers without '+' are read in defaultCountry." })
  phoneNumber: string;

  @Field(() => String, { nullable: true })
  defaultCountry: string | null;

  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  lastName: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes: Record<string, unknown> | null;
}
