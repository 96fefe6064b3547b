import type { MiddlewareFn } from 'type-graphql';
import { unauthenticated } from './errors';
import type { ExecutionBudget } from './execution-budget';
import type { Loaders } from './loaders';

/** Who is calling: the operator (admin token) or one account through one of its API keys. */
export type Principal =
  | { kind: 'operator' }
  | { kind: 'account'; accountId: number; parentId: number | null; apiKeyId: number };

export interface Context {
  principal: Principal | null;
  /** Per-request batching loaders (see loaders.ts); absent where no request runs. */
  loaders?: Loaders;
  /** The request's time and row budget (see execution-budget.ts); absent for subscriptions. */
  budget?: ExecutionBudget;
}

/** The part of an account that visibility depends on. */
export interface AccountRef {
  id: number;
  parentId: number | null;
}

export function isOperator(principal: Principal): principal is { kind: 'operator' } {
  return principal.kind === 'operator';
}

/** A key sees its own account and, for a master, its subaccounts; the operator sees all. */
export function canSee(principal: Principal, account: AccountRef): boolean {
  if (principal.kind === 'operator') return true;
  return account.id === principal.accountId || account.parentId === principal.accountId;
}

/** The ids of the accounts a key may see, or null for the operator (no limit). */
export function visibleAccountFilter(principal: Principal, subaccountIds: number[]): number[] | null {
  if (principal.kind === 'operator') return null;
  return principal.parentId === null ? [principal.accountId, ...subaccountIds] : [principal.accountId];
}

/** The parent (or operator) governs a subaccount's geo settings and suspension. */
export function isParentOrOperator(principal: Principal, account: AccountRef): boolean {
  if (principal.kind === 'operator') return true;
  return account.parentId !== null && account.parentId === principal.accountId;
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
