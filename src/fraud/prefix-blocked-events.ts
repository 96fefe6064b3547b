import type { Principal } from '../core/auth';
import { mayReceive } from '../core/tenancy';
import { BlockedPrefix } from '../geo/blocked-prefix.entity';

export const PREFIX_BLOCKED_TOPIC = 'prefix-blocked';

/** Plain JSON over the bus (through Redis when set). */
export interface PrefixBlockedPayload {
  rootAccountId: number;
  block: { id: number; accountId: number; prefix: string; reason: string | null; automatic: boolean; createdAt: string };
}

export function toPrefixBlockedPayload(block: BlockedPrefix, rootAccountId: number): PrefixBlockedPayload {
  const { id, accountId, prefix, reason, automatic } = block;
  return { rootAccountId, block: { id, accountId, prefix, reason, automatic, createdAt: new Date(block.createdAt).toISOString() } };
}

export function blockFromPayload(payload: PrefixBlockedPayload): BlockedPrefix {
  return Object.assign(new BlockedPrefix(), { ...payload.block, createdAt: new Date(payload.block.createdAt) });
}

export function mayReceiveBlock(principal: Principal, payload: PrefixBlockedPayload): boolean {
  return mayReceive(principal, { accountId: payload.block.accountId, rootAccountId: payload.rootAccountId });
}
