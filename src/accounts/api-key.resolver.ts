import { FieldResolver, Resolver, Root } from 'type-graphql';
import { ApiKey } from './api-key.entity';
import { ApiKeyScope, shownScopes } from './scopes';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @FieldResolver(() => [ApiKeyScope], { description: 'What the key may do; a key made without scopes shows ADMIN (full access).' })
  scopes(@Root() apiKey: ApiKey): ApiKeyScope[] {
    return shownScopes(apiKey.scopes);
  }
}
