import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { enforceBudget } from './core/execution-budget';
import { principalOf, requireKey, type Context, type Principal } from './core/auth';
import { guardScopes } from './accounts/scopes';
import type { EventBus } from './core/pubsub';
import { createResolvers, resolverClasses, type Services } from './services';

/** Refuses a subscription argument naming what the principal may not see (NOT_FOUND). */
type VisibilityCheck = (principal: Principal, id: string) => Promise<unknown>;

export async function buildGraphQLSchema(services: Services): Promise<GraphQLSchema> {
  return buildSchemaFrom(createResolvers(services), services.events, {
    groupId: (principal, id) => services.groups.requireVisible(principal, id, 'groupId'),
    campaignId: (principal, id) => services.campaigns.requireVisible(principal, id, 'campaignId'),
    conversationId: (principal, id) => services.conversations.requireVisible(principal, id, 'conversationId'),
  });
}

async function buildSchemaFrom(resolvers: Map<Function, object>, events: EventBus, checks: Record<string, VisibilityCheck>): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: resolverClasses(resolvers),
    container: { get: (cls: Function) => resolvers.get(cls) },
    globalMiddlewares: [requireKey, enforceBudget],
    // Subscriptions listen on the same bus the services publish to (in-process or Redis).
    pubSub: events.pubsub,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
  guardSubscriptionArguments(schema, checks);
  // Wrapped last so that it runs first: a key without the scope learns nothing of what exists.
  guardScopes(schema);
  return schema;
}

/**
 * A subscription narrowed to a group, campaign or conversation the key may not see (or that
 * does not exist) is refused with NOT_FOUND when it starts, as a query naming it would be,
 * rather than listening in silence for events that can never come.
 */
function guardSubscriptionArguments(schema: GraphQLSchema, checks: Record<string, VisibilityCheck>): void {  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
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
