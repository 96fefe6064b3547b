import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { requireKey } from './core/auth';
import { createResolvers, resolverClasses, type Services } from './services';

export { JSONObjectResolver };

export async function buildGraphQLSchema(services: Services): Promise<GraphQLSchema> {
  const resolvers = createResolvers(services);
  return buildSchema({
    resolvers: resolverClasses(resolvers),
    container: { get: (cls: Function) => resolvers.get(cls) },
    globalMiddlewares: [requireKey],
    // Subscriptions listen on the same bus the services publish to (in-process or Redis).
    pubSub: services.events.pubsub,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
}
