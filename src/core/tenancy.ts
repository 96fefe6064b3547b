import type { Principal } from './auth';

// Who may see what an account owns: the one rule, for queries, subscriptions and events alike.
// A key sees its own account and, for a master, its subaccounts; the operator sees everything.

/** The part of an account that visibility depends on. */
export interface AccountRef {
  id: number;
  parentId: number | null;
}

/** The operator's event channel: it sees every tenant's events. */
export const OPERATOR_CHANNEL = 'operator';

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

/**
 * The channel a principal's subscriptions listen on: its master account's (a tree's events all
 * go on its master's channel), or the operator's.
 */
export function channelOf(principal: Principal): string | number {
  return principal.kind === 'operator' ? OPERATOR_CHANNEL : (principal.parentId ?? principal.accountId);
}

/** An event about something an account owns, for a subscriber on that tree's channel: canSee, from the event alone. */
export function mayReceive(principal: Principal, owner: { accountId: number; rootAccountId: number }): boolean {
  return canSee(principal, { id: owner.accountId, parentId: owner.rootAccountId === owner.accountId ? null : owner.rootAccountId });
}
