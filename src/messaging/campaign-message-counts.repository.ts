import type { DataSource } from 'typeorm';
import { placeholders } from '../core/sql';
import type { StatusCount } from './campaign-messages';

export interface CampaignStatusCount extends StatusCount {
  campaign_id: number | string;
}

/** The messages of campaigns counted for their stats (the campaigns domain's `Campaign.stats`). */
export class CampaignMessageCountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The messages of many campaigns counted by campaign, status, country and error: one GROUP BY over a covering index, however many campaigns. */
  statusCountsOf(campaignIds: readonly number[]): Promise<CampaignStatusCount[]> {
    if (!campaignIds.length) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT campaign_id, status, country, error_code, COUNT(*) AS n FROM messages WHERE campaign_id IN (${placeholders(campaignIds.length)})
       GROUP BY campaign_id, status, country, error_code`,
      [...campaignIds]);
  }
}
