import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { enforceBudget } from './core/execution-budget';
import { principalOf, requireKey, type Context, type Principal } from './core/auth';
import { createResolvers, resolverClasses, type Services } from './services';

export async function buildGraphQLSchema(services: Services): Promise<GraphQLSchema> {
  const resolvers = createResolvers(services);
  const schema = await buildSchema({
    resolvers: resolverClasses(resolvers),
    container: { get: (cls: Function) => resolvers.get(cls) },
    globalMiddlewares: [requireKey, enforceBudget],
    // Subscriptions listen on the same bus the services publish to (in-process or Redis).
    pubSub: services.events.pubsub,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
  guardSubscriptionArguments(schema, services);
  return schema;
}

/**
 * A subscription narrowed to a group, campaign or conversation the key may not see (or that
 * does not exist) is refused with NOT_FOUND when it starts, as a query naming it would be,
 * rather than listening in silence for events that can never come.
 */
function guardSubscriptionArguments(schema: GraphQLSchema, services: Services): void {
  const checks: Record<string, (principal: Principal, id: string) => Promise<unknown>> = {
    groupId: (principal, id) => services.groups.requireVisible(principal, id, 'groupId'),
    campaignId: (principal, id) => services.campaigns.requireVisible(principal, id, 'campaignId'),
    conversationId: (principal, id) => services.conversations.requireVisible(principal, id, 'conversationId'),
  };
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.subscribe as GraphQLFieldResolver<unknown, Context> | undefined;
    if (!subscribe) continue;
    field.subscribe = async (source, args: Record<string, unknown>, context: Context, info) => {
      const principal = principalOf(context);
      for (const [name, check] of Object.entries(checks)) {
        if (typeof args[name] === 'string') await check(principal, args[name]);
      }
      return subscribe(source, args, context, info);
    };
  }
}
