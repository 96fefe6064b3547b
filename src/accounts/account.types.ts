import { Field, ObjectType } from 'type-graphql';
import { Account } from './account.entity';
import { ApiKey } from './api-key.entity';

@ObjectType({ description: 'Returned once, when a key is made: the secret is never shown again.' })
export class IssuedApiKey {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field()
  secret: string;
}

@ObjectType()
export class AccountWithKey {
  @Field(() => Account)
  account: Account;

  @Field(() => IssuedApiKey)
  apiKey: IssuedApiKey;
}
