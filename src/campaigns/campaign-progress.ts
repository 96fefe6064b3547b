import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import type { Logger } from '../core/logger';
import type { EventBus } from '../core/pubsub';
import { mayReceive, OPERATOR_CHANNEL } from '../core/tenancy';
import type { DeliveryEvents } from '../messaging/delivery-events';
import type { CampaignPlanner } from './campaign-planner';
import type { CampaignStatsService } from './campaign-stats';
import type { CampaignService } from './campaign.service';
import type { CampaignStats } from './campaign.types';

export const PROGRESS_TOPIC = 'campaignProgress';
/** At most this often per campaign: a few updates a second, whatever the rate of changes. */
const COALESCE_MS = 250;
const PLANNING_COALESCE_MS = 1000;

export interface ProgressPayload {
  campaignId: number;
  accountId: number;
  rootAccountId: number;
  stats: CampaignStats;
}

export function mayReceiveProgress(principal: Principal, payload: ProgressPayload): boolean {
  return mayReceive(principal, payload);
}

/**
 * Turns delivery changes into campaignProgress updates: changes of one campaign are gathered for
 * a quarter of a second, then its stats are counted once and published on the tenant's channel.
 */
export class CampaignProgress {
  private readonly dirty = new Set<number>();
  /** How long the last count of each campaign's stats took. */
  private readonly countMs = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly campaigns: CampaignService,
    private readonly accounts: AccountService,
    private readonly stats: CampaignStatsService,
    deliveryEvents: DeliveryEvents,
    private readonly events: EventBus,
    private readonly log: Logger,
    planner: CampaignPlanner,
  ) {
    deliveryEvents.onChange((changes) => {
      for (const change of changes) if (change.campaignId !== null) this.dirty.add(change.campaignId);
      this.flushSoon(COALESCE_MS);
    });
    // Planning progress: stats count every message planned so far (one GROUP BY over up to the
    // whole audience), so while planning they are counted at most once a second, and never for
    // more than a twentieth of the time (a million recipients take the database a while to count).
    planner.onChunk((campaignId) => {
      this.dirty.add(campaignId);
      this.flushSoon(Math.max(PLANNING_COALESCE_MS, 20 * (this.countMs.get(campaignId) ?? 0)));
    });
  }

  private flushSoon(ms: number): void {
    if (this.dirty.size && !this.timer && !this.stopped) this.timer = setTimeout(() => (this.flushing = this.flush()), ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      try {
        const campaign = await this.campaigns.findById(id);
        if (!campaign) continue;
        const started = performance.now();
        const [stats, rootAccountId] = await Promise.all([this.stats.statsOf(campaign, COALESCE_MS / 2), this.accounts.rootsOf([campaign.accountId]).then((roots) => roots.get(campaign.accountId)!)]);
        if (this.countMs.size > 1000) this.countMs.delete(this.countMs.keys().next().value!);
        this.countMs.set(id, performance.now() - started);
        const payload: ProgressPayload = { campaignId: id, accountId: campaign.accountId, rootAccountId, stats };
        this.events.pubsub.publish(PROGRESS_TOPIC, rootAccountId, payload);
        this.events.pubsub.publish(PROGRESS_TOPIC, OPERATOR_CHANNEL, payload);
      } catch (error) {
        this.log.warn({ err: error, campaignId: id }, 'could not publish campaign progress');
      }
    }
  }
}
