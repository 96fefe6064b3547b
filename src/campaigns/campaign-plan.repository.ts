import { In, type DataSource, type EntityManager } from 'typeorm';
import { execute, sqlDate } from '../core/sql';
import { CampaignPlan, PlanningStatus } from './campaign-plan.entity';

/** Where a chunk leaves a planning: the cursor, the count, the pacing and the lease. */
export interface PlanAdvance {
  afterMembership: number;
  planned: number;
  senderSlots: string;
  leaseUntil: Date;
  finishedAt: Date | null;
}

/** The campaign_plans table: one planning row per launched campaign. */
export class CampaignPlanRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get plans() {
    return this.dataSource.getRepository(CampaignPlan);
  }

  async insert(manager: EntityManager, plan: CampaignPlan): Promise<void> {
    await manager.insert(CampaignPlan, plan);
  }

  find(campaignId: number): Promise<CampaignPlan | null> {
    return this.plans.findOneBy({ campaignId });
  }

  async plansOf(campaignIds: readonly number[]): Promise<CampaignPlan[]> {
    return campaignIds.length ? this.plans.findBy({ campaignId: In([...campaignIds]) }) : [];
  }

  /** What stats show of these campaigns' plannings, in one query. */
  async progressOf(campaignIds: readonly number[]): Promise<Array<Pick<CampaignPlan, 'campaignId' | 'status' | 'planned' | 'audience'>>> {
    return campaignIds.length ? this.plans.find({ select: { campaignId: true, status: true, planned: true, audience: true }, where: { campaignId: In([...campaignIds]) } }) : [];
  }

  /** Campaigns still PLANNING whose lease ran out by `now` (or that have none), lowest id first. */
  async abandoned(now: Date, limit: number): Promise<number[]> {
    const rows: Array<{ campaign_id: number }> = await this.dataSource.query(
      `SELECT campaign_id FROM campaign_plans WHERE status = ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY campaign_id LIMIT ${Number(limit)}`,
      [PlanningStatus.PLANNING, sqlDate(this.dataSource, now)]);
    return rows.map((r) => Number(r.campaign_id));
  }

  /** Leases an abandoned planning to `owner`; 1 when taken, 0 when another instance holds it or it ended. */
  take(campaignId: number, owner: string, leaseUntil: Date, now: Date): Promise<number> {
    return execute(this.dataSource,
      `UPDATE campaign_plans SET lease_owner = ?, lease_until = ? WHERE campaign_id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)`,
      [owner, sqlDate(this.dataSource, leaseUntil), campaignId, PlanningStatus.PLANNING, sqlDate(this.dataSource, now)]);
  }

  /**
   * Moves the cursor of a planning still PLANNING, held by `owner` and standing at
   * `fromMembership` (a compare-and-set), ending it when `to.finishedAt` is set; the rows changed.
   */
  advance(manager: EntityManager, campaignId: number, owner: string, fromMembership: number, to: PlanAdvance): Promise<number> {
    return execute(manager,
      `UPDATE campaign_plans SET after_membership = ?, planned = ?, sender_slots = ?, lease_until = ?, status = ?, finished_at = ?
       WHERE campaign_id = ? AND status = ? AND lease_owner = ? AND after_membership = ?`,
      [to.afterMembership, to.planned, to.senderSlots, sqlDate(this.dataSource, to.leaseUntil),
        to.finishedAt ? PlanningStatus.DONE : PlanningStatus.PLANNING, to.finishedAt ? sqlDate(this.dataSource, to.finishedAt) : null,
        campaignId, PlanningStatus.PLANNING, owner, fromMembership]);
  }

  async release(campaignId: number, owner: string): Promise<void> {
    await execute(this.dataSource, 'UPDATE campaign_plans SET lease_owner = NULL, lease_until = NULL WHERE campaign_id = ? AND lease_owner = ?', [campaignId, owner]);
  }

  /** A planning still PLANNING becomes CANCELLED: it stops at its next chunk, whose compare-and-set then fails. */
  async cancel(campaignId: number): Promise<void> {
    await execute(this.dataSource, 'UPDATE campaign_plans SET status = ? WHERE campaign_id = ? AND status = ?', [PlanningStatus.CANCELLED, campaignId, PlanningStatus.PLANNING]);
  }
}
