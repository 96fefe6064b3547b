import type { DataSource } from 'typeorm';
import type { SendErrorCode } from '../core/send-error';
import type { CampaignMessages } from '../messaging/campaign-messages';
import { MessageStatus } from '../messaging/message.entity';
import { Campaign } from './campaign.entity';
import { CampaignPlan } from './campaign-plan.entity';
import { CampaignStats, CountryStats, ReasonCount } from './campaign.types';

/** Region shown for recipients whose number has none (e.g. +882), as CLDR writes "unknown region". */
const NO_REGION = 'ZZ';

/**
 * Stats are counted from the messages table itself (one GROUP BY over an index that covers it),
 * so they are right however many callbacks change statuses at once. Answers computed within the
 * last few hundred milliseconds are shared, so that many live subscribers cost one query.
 */
export class CampaignStatsService {
  private readonly recent = new Map<number, { at: number; stats: Promise<CampaignStats> }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: CampaignMessages,
  ) {}

  statsOf(campaign: Campaign, maxAgeMs = 0): Promise<CampaignStats> {
    const cached = this.recent.get(campaign.id);
    if (cached && Date.now() - cached.at <= maxAgeMs) return cached.stats;
    const stats = this.compute(campaign.id);
    this.recent.set(campaign.id, { at: Date.now(), stats });
    stats.catch(() => this.recent.delete(campaign.id));
    if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!);
    return stats;
  }

  private async compute(campaignId: number): Promise<CampaignStats> {
    // The plan is read first: messages counted after it are at least those it says are planned.
    const plan = await this.dataSource.getRepository(CampaignPlan).findOne({ select: { campaignId: true, status: true, planned: true, audience: true }, where: { campaignId } });
    const [rows, counters] = await Promise.all([
      this.messages.statusCounts(campaignId),
      this.dataSource.getRepository(Campaign).findOne({ select: { id: true, replies: true, optOuts: true }, where: { id: campaignId } }),
    ]);
    const stats = Object.assign(new CampaignStats(), {
      recipients: 0, queued: 0, sending: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, rejected: 0,
      replies: counters?.replies ?? 0, optOuts: counters?.optOuts ?? 0, byCountry: [] as CountryStats[], rejectedByReason: [] as ReasonCount[],
      planningStatus: plan?.status ?? null, planned: plan?.planned ?? 0, audience: plan?.audience ?? null,
    });
    const countries = new Map<string, CountryStats>();
    const reasons = new Map<SendErrorCode, number>();
    for (const row of rows) {
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
    stats.byCountry = [...countries.values()].sort((a, b) => b.recipients - a.recipients || a.country.localeCompare(b.country));
    stats.rejectedByReason = [...reasons].map(([code, count]) => Object.assign(new ReasonCount(), { code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    return stats;
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
