import type { DataSource } from 'typeorm';
import { execute, sqlDate } from '../core/sql';
import type { CampaignMessages } from '../messaging/campaign-messages';
import { CampaignStatus } from './campaign.entity';
import { PlanningStatus } from './campaign-plan.entity';

/**
 * COMPLETED once its planning ended and none of its messages is QUEUED or SENDING. Both are read
 * in the UPDATE itself: a planning's last chunk stores its messages and ends the planning in one
 * transaction, so the statement sees both or neither.
 */
export async function completeIfDone(dataSource: DataSource, messages: CampaignMessages, campaignId: number): Promise<boolean> {
  // No message of a launched campaign comes back to the queue once it has left it for good.
  if (await messages.unfinished(campaignId)) return false;
  const changed = await execute(dataSource,
    `UPDATE campaigns SET status = ?, completed_at = ? WHERE id = ? AND status = ?
     AND NOT EXISTS (SELECT 1 FROM campaign_plans WHERE campaign_id = ? AND status = ?)
     AND ${messages.noneUnfinished('?')}`,
    [CampaignStatus.COMPLETED, sqlDate(dataSource, new Date()), campaignId, CampaignStatus.SENDING, campaignId, PlanningStatus.PLANNING, campaignId]);
  return changed === 1;
}
