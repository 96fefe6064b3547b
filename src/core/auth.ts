import type { MiddlewareFn } from 'type-graphql';
import { unauthenticated } from './errors';
import type { ExecutionBudget } from './execution-budget';
import type { RequestLoaders } from './loaders';
import type { EventBus } from './pubsub';

/** Who is calling: the operator (admin token) or one account through one of its API keys. */
export type Principal =
  | { kind: 'operator' }
  | { kind: 'account'; accountId: number; parentId: number | null; apiKeyId: number; scopes?: ReadonlySet<string> | null };

export interface Context {
  principal: Principal | null;
  /** Per-request batching loaders (see loaders.ts). */
  loaders: RequestLoaders;
  /** The event bus's publish/subscribe, for subscriptions that filter their topic's events in place. */
  pubsub: EventBus['pubsub'];
  /** The request's time and row budget (see execution-budget.ts); absent for subscriptions. */
  budget?: ExecutionBudget;
}

/** Every root field needs a key; introspection does not pass through here. */
export const requireKey: MiddlewareFn<Context> = async ({ context, info }, next) => {
  const root = info.parentType.name;
  if ((root === 'Query' || root === 'Mutation' || root === 'Subscription') && !context.principal) {
    throw unauthenticated();
  }
  return next();
};

export function principalOf(context: Context): Principal {
  if (!context.principal) throw unauthenticated();
  return context.principal;
}
