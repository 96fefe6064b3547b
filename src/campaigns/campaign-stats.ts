import type { SendErrorCode } from '../core/send-error';
import type { CampaignStatusCount } from '../messaging/campaign-messages.repository';
import { MessageStatus } from '../messaging/message.entity';
import type { Campaign } from './campaign.entity';
import type { CampaignPlanRepository } from './campaign-plan.repository';
import type { CampaignRepository } from './campaign.repository';
import { CampaignStats, CountryStats, ReasonCount } from './campaign.types';

/** Region shown for recipients whose number has none (e.g. +882), as CLDR writes "unknown region". */
const NO_REGION = 'ZZ';

/** The messages of many campaigns counted by campaign, status, country and error, in one query (the messaging domain's, handed in by src/services.ts). */
export type CampaignStatusCounts = (campaignIds: readonly number[]) => Promise<CampaignStatusCount[]>;

/**
 * Stats are counted from the messages table itself (one GROUP BY over an index that covers it),
 * so they are right however many callbacks change statuses at once. A page of campaigns costs the
 * statements of one (its loader batches them). Answers computed within the last few hundred
 * milliseconds are shared, so that many live subscribers cost one query.
 */
export class CampaignStatsService {
  private readonly recent = new Map<number, { at: number; stats: Promise<CampaignStats> }>();

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly plans: CampaignPlanRepository,
    private readonly statusCounts: CampaignStatusCounts,
  ) {}

  async statsOf(campaign: Campaign, maxAgeMs = 0): Promise<CampaignStats> {
    const [stats] = await this.statsOfCampaigns([campaign.id], maxAgeMs);
    return stats;
  }

  /** The stats of many campaigns, in the order asked, in three statements however many. */
  statsOfCampaigns(campaignIds: readonly number[], maxAgeMs = 0): Promise<CampaignStats[]> {
    const found = new Map<number, Promise<CampaignStats>>();
    for (const id of campaignIds) {
      const cached = this.recent.get(id);
      if (cached && Date.now() - cached.at <= maxAgeMs) found.set(id, cached.stats);
    }
    const missing = [...new Set(campaignIds)].filter((id) => !found.has(id));
    if (missing.length) {
      const computed = this.compute(missing);
      for (const id of missing) {
        const stats = computed.then((all) => all.get(id)!);
        found.set(id, stats);
        this.recent.set(id, { at: Date.now(), stats });
        stats.catch(() => this.recent.delete(id));
        if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!);
      }
    }
    return Promise.all(campaignIds.map((id) => found.get(id)!));
  }

  private async compute(campaignIds: readonly number[]): Promise<Map<number, CampaignStats>> {
    // The plans are read first: messages counted after them are at least those they say are planned.
    const plans = new Map((await this.plans.progressOf(campaignIds)).map((plan) => [plan.campaignId, plan]));
    const [rows, counters] = await Promise.all([this.statusCounts(campaignIds), this.campaigns.replyCountsOf(campaignIds)]);
    const replies = new Map(counters.map((c) => [c.id, c]));
    const all = new Map<number, { stats: CampaignStats; countries: Map<string, CountryStats>; reasons: Map<SendErrorCode, number> }>();
    for (const campaignId of campaignIds) {
      const plan = plans.get(campaignId);
      const stats = Object.assign(new CampaignStats(), {
        recipients: 0, queued: 0, sending: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, rejected: 0,
        replies: replies.get(campaignId)?.replies ?? 0, optOuts: replies.get(campaignId)?.optOuts ?? 0, byCountry: [] as CountryStats[], rejectedByReason: [] as ReasonCount[],
        planningStatus: plan?.status ?? null, planned: plan?.planned ?? 0, audience: plan?.audience ?? null,
      });
      all.set(campaignId, { stats, countries: new Map(), reasons: new Map() });
    }
    for (const row of rows) {
      const entry = all.get(Number(row.campaign_id));
      if (!entry) continue;
      const { stats, countries, reasons } = entry;
      const n = Number(row.n);
      stats.recipients += n;
      const key = STATUS_FIELD[row.status];
      if (key) stats[key] += n;
      const region = row.country ?? NO_REGION;
      const country = countries.get(region) ?? Object.assign(new CountryStats(), { country: region, recipients: 0, delivered: 0, failed: 0, rejected: 0 });
      countries.set(region, country);
      country.recipients += n;
      if (row.status === MessageStatus.DELIVERED) country.delivered += n;
      if (row.status === MessageStatus.FAILED || row.status === MessageStatus.UNDELIVERED) country.failed += n;
      if (row.status === MessageStatus.REJECTED) {
        country.rejected += n;
        if (row.error_code) reasons.set(row.error_code, (reasons.get(row.error_code) ?? 0) + n);
      }
    }
    const result = new Map<number, CampaignStats>();
    for (const [campaignId, { stats, countries, reasons }] of all) {
      stats.byCountry = [...countries.values()].sort((a, b) => b.recipients - a.recipients || a.country.localeCompare(b.country));
      stats.rejectedByReason = [...reasons].map(([code, count]) => Object.assign(new ReasonCount(), { code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
      result.set(campaignId, stats);
    }
    return result;
  }
}

const STATUS_FIELD: Partial<Record<MessageStatus, 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'rejected'>> = {
  [MessageStatus.QUEUED]: 'queued',
  [MessageStatus.SENDING]: 'sending',
  [MessageStatus.SENT]: 'sent',
  [MessageStatus.DELIVERED]: 'delivered',
  [MessageStatus.UNDELIVERED]: 'undelivered',
  [MessageStatus.FAILED]: 'failed',
  [MessageStatus.REJECTED]: 'rejected',
};
