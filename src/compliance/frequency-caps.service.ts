import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { badInput } from '../core/errors';
import type { GroupService } from '../groups/group.service';
import type { FrequencyCapRepository } from './frequency-cap.repository';

export interface CapRule {
  maxMessages: number;
  windowSeconds: number;
}

/** A year: a longer window would be a ban, which is what opting out is for. */
export const MAX_CAP_WINDOW_SECONDS = 366 * 86_400;
const MAX_RULES = 10;

/**
 * The frequency caps an account or a group sets on its campaigns: each set replaces the
 * owner's whole list. They only ever add limits: the law's caps (legal-hours.ts) hold whatever
 * an account sets.
 */
export class FrequencyCapService {
  constructor(
    private readonly repo: FrequencyCapRepository,
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
  ) {}

  async setForAccount(principal: Principal, rawAccountId: string, caps: CapRule[]): Promise<CapRule[]> {
    const rules = checkCaps(caps);
    const account = await this.accounts.requireVisible(principal, rawAccountId, 'accountId');
    await this.repo.replace({ accountId: account.id, groupId: null }, rules);
    return rules;
  }

  async setForGroup(principal: Principal, rawGroupId: string, caps: CapRule[]): Promise<CapRule[]> {
    const rules = checkCaps(caps);
    const group = await this.groups.requireVisible(principal, rawGroupId, 'groupId');
    await this.repo.replace({ accountId: group.accountId, groupId: group.id }, rules);
    return rules;
  }

  /** The caps of these accounts and of their groups, by owner (one query). */
  async capsOf(accountIds: readonly number[]): Promise<{ accounts: Map<number, CapRule[]>; groups: Map<number, CapRule[]> }> {
    const rows = await this.repo.ofAccounts(accountIds);
    const accounts = new Map<number, CapRule[]>();
    const groups = new Map<number, CapRule[]>();
    for (const row of rows) {
      const [map, key] = row.groupId === null ? [accounts, row.accountId] : [groups, row.groupId];
      map.set(key, [...(map.get(key) ?? []), { maxMessages: row.maxMessages, windowSeconds: row.windowSeconds }]);
    }
    return { accounts, groups };
  }

  /** The rules of an account (groupId null) or of one group. */
  async rulesOf(accountId: number, groupId: number | null): Promise<CapRule[]> {
    const rows = await this.repo.of(accountId, groupId);
    return rows.map((r) => ({ maxMessages: r.maxMessages, windowSeconds: r.windowSeconds }));
  }
}

/** Bad caps name the entry and field: caps[1].maxMessages. */
export function checkCaps(caps: CapRule[]): CapRule[] {
  if (caps.length > MAX_RULES) throw badInput('caps', `at most ${MAX_RULES} rules, got ${caps.length}`);
  const seen = new Set<number>();
  return caps.map((cap, i) => {
    if (!Number.isInteger(cap.maxMessages) || cap.maxMessages < 1) {
      throw badInput(`caps[${i}].maxMessages`, `must be a whole number of at least 1, got ${cap.maxMessages}: to stop all messages, unsubscribe the recipient`);
    }
    if (!Number.isInteger(cap.windowSeconds) || cap.windowSeconds < 1 || cap.windowSeconds > MAX_CAP_WINDOW_SECONDS) {
      throw badInput(`caps[${i}].windowSeconds`, `must be a whole number of seconds from 1 to ${MAX_CAP_WINDOW_SECONDS}, got ${cap.windowSeconds}`);
    }
    if (seen.has(cap.windowSeconds)) throw badInput(`caps[${i}].windowSeconds`, `${cap.windowSeconds} appears twice: one limit per window`);
    seen.add(cap.windowSeconds);
    return { maxMessages: cap.maxMessages, windowSeconds: cap.windowSeconds };
  });
}
