import { LRUCache } from 'lru-cache';
import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import { badInput } from '../core/errors';
import { PumpingSettings } from './pumping-settings.entity';
import type { PumpingSettingsRepository } from './pumping-settings.repository';

/**
 * The defaults, documented in the README: a burst is 50 distinct numbers of one prefix (a block
 * of 10,000 numbers) in one-off sends within 10 minutes, to a prefix the account sent fewer
 * than 20 messages in the 7 days before; a collapse is under 20 % delivered of at least 30
 * one-off sends to a prefix with a final status within the window.
 */
export const PUMPING_DEFAULTS = {
  enabled: true,
  windowMinutes: 10,
  burstDistinctNumbers: 50,
  rareBelow: 20,
  baselineDays: 7,
  minFinalStatuses: 30,
  deliveryFloorPercent: 20,
} as const;

export type PumpingThresholds = Omit<PumpingSettings, 'id' | 'accountId' | 'updatedAt'>;

const LIMITS: Record<Exclude<keyof PumpingThresholds, 'enabled'>, [number, number]> = {
  windowMinutes: [1, 24 * 60],
  burstDistinctNumbers: [2, 100_000],
  rareBelow: [0, 10_000_000],
  baselineDays: [1, 90],
  minFinalStatuses: [1, 100_000],
  deliveryFloorPercent: [0, 100],
};

/** Per-account thresholds: a row where the account set some, the defaults otherwise. Cached briefly per instance. */
export class PumpingSettingsService {
  private readonly cache = new LRUCache<number, PumpingThresholds>({ max: 10_000, ttl: 10_000 });

  constructor(
    private readonly repo: PumpingSettingsRepository,
    private readonly accounts: AccountService,
  ) {}

  async thresholdsOf(accountId: number): Promise<PumpingThresholds> {
    const cached = this.cache.get(accountId);
    if (cached) return cached;
    const row = await this.repo.settingsOf(accountId);
    const thresholds = row ? pick(row) : { ...PUMPING_DEFAULTS };
    this.cache.set(accountId, thresholds);
    return thresholds;
  }

  async settingsFor(principal: Principal, rawAccountId: string | null | undefined): Promise<PumpingSettings> {
    const account = await this.accounts.resolveTarget(principal, rawAccountId);
    return Object.assign(new PumpingSettings(), { accountId: account.id, ...(await this.thresholdsOf(account.id)) });
  }

  async update(principal: Principal, rawAccountId: string, changes: Partial<PumpingThresholds>): Promise<PumpingSettings> {
    const account = await this.accounts.requireVisible(principal, rawAccountId, 'accountId');
    for (const [field, [min, max]] of Object.entries(LIMITS)) {
      const value = changes[field as keyof typeof LIMITS];
      if (value !== undefined && value !== null && (!Number.isInteger(value) || value < min || value > max)) throw badInput(field, `must be an integer from ${min} to ${max}`);
    }
    const next: PumpingThresholds = { ...(await this.thresholdsOf(account.id)) };
    for (const [field, value] of Object.entries(changes)) if (value !== undefined && value !== null) Object.assign(next, { [field]: value });
    await this.repo.store({ accountId: account.id, ...next, updatedAt: new Date() });
    this.cache.delete(account.id);
    return Object.assign(new PumpingSettings(), { accountId: account.id, ...next });
  }
}

function pick(row: PumpingSettings): PumpingThresholds {
  const { enabled, windowMinutes, burstDistinctNumbers, rareBelow, baselineDays, minFinalStatuses, deliveryFloorPercent } = row;
  return { enabled: Boolean(enabled), windowMinutes, burstDistinctNumbers, rareBelow, baselineDays, minFinalStatuses, deliveryFloorPercent };
}
