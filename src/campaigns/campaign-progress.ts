import type { AccountService } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
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
 * a quarter of a second (a second while it is being planned), then its stats are counted once
 * and published on the tenant's channel and the operator's.
 * A count is one GROUP BY over the campaign's messages, so it is made only while someone, on any
 * instance, subscribes to either channel, and a campaign is counted no more than a twentieth of
 * the time (a million messages take the database a while to count, and a campaign drains for
 * hours: counted four times a second it would keep the database scanning the whole time).
 */
export class CampaignProgress {
  /** Campaigns changed since their last count, with when each is counted. */
  private readonly dirty = new Map<number, number>();
  /** When the last count of each campaign began, and how long it took. */
  private readonly lastCount = new Map<number, { at: number; ms: number }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly campaigns: CampaignService,
    private readonly accounts: AccountService,
    private readonly stats: CampaignStatsService,
    deliveryEvents: DeliveryEvents,
    private readonly events: EventBus,
    private readonly log: Logger,
    planner: CampaignPlanner,
    private readonly metrics: Metrics,
  ) {
    deliveryEvents.onChange((changes) => {
      for (const change of changes) if (change.campaignId !== null) this.changed(change.campaignId, COALESCE_MS);
    });
    planner.onChunk((campaignId) => this.changed(campaignId, PLANNING_COALESCE_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }

  private changed(campaignId: number, gatherMs: number): void {
    const now = Date.now();
    const last = this.lastCount.get(campaignId);
    const due = Math.max(now + gatherMs, last ? last.at + 20 * last.ms : 0);
    this.dirty.set(campaignId, Math.min(due, this.dirty.get(campaignId) ?? Infinity));
    this.schedule();
  }

  /** One flush at a time, when the earliest changed campaign is due. */
  private schedule(): void {
    if (this.timer || this.flushing || this.stopped || !this.dirty.size) return;
    let next = Infinity;
    for (const due of this.dirty.values()) next = Math.min(next, due);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        this.schedule();
      });
    }, Math.max(0, next - Date.now()));
  }

  private async flush(): Promise<void> {
    const now = Date.now();
    const ids = [...this.dirty].filter(([, due]) => due <= now).map(([id]) => id);
    for (const id of ids) this.dirty.delete(id);
    for (const id of ids) {
      if (this.stopped) return;
      try {
        const campaign = await this.campaigns.findById(id);
        if (!campaign) continue;
        const rootAccountId = (await this.accounts.rootsOf([campaign.accountId])).get(campaign.accountId)!;
        const listened = await Promise.all([rootAccountId, OPERATOR_CHANNEL].map((channel) => this.events.listened(PROGRESS_TOPIC, channel)));
        if (!listened.some(Boolean)) {
          this.metrics.campaignProgressCounts.inc({ outcome: 'unwatched' });
          continue;
        }
        const at = Date.now();
        const stats = await this.stats.statsOf(campaign, COALESCE_MS / 2);
        this.lastCount.delete(id);
        if (this.lastCount.size >= 1000) this.lastCount.delete(this.lastCount.keys().next().value!);
        this.lastCount.set(id, { at, ms: Date.now() - at });
        this.metrics.campaignProgressCounts.inc({ outcome: 'counted' });
        const payload: ProgressPayload = { campaignId: id, accountId: campaign.accountId, rootAccountId, stats };
        this.events.pubsub.publish(PROGRESS_TOPIC, rootAccountId, payload);
        this.events.pubsub.publish(PROGRESS_TOPIC, OPERATOR_CHANNEL, payload);
      } catch (error) {
        this.log.warn({ err: error, campaignId: id }, 'could not publish campaign progress');
      }
    }
  }
}
