import { In, IsNull, LessThan, Not, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Page } from '../core/connection';
import { byId, keysetPage } from '../core/pagination';
import { execute, sqlDate } from '../core/sql';
import { Campaign, CampaignStatus } from './campaign.entity';
import { PlanningStatus } from './campaign-plan.entity';

/** What the hand-over asks of a campaign: its status, window and validity. */
export type CampaignSendRules = Pick<Campaign, 'id' | 'status' | 'sendWindowStart' | 'sendWindowEnd' | 'launchedAt' | 'validitySeconds'>;

/** The campaigns table. */
export class CampaignRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get campaigns() {
    return this.dataSource.getRepository(Campaign);
  }

  findById(id: number): Promise<Campaign | null> {
    return this.campaigns.findOneBy({ id });
  }

  /** Fails when there is none. */
  get(id: number): Promise<Campaign> {
    return this.campaigns.findOneByOrFail({ id });
  }

  async findByIds(ids: readonly number[]): Promise<Campaign[]> {
    return ids.length ? this.campaigns.findBy({ id: In([...ids]) }) : [];
  }

  async insert(campaign: Omit<Campaign, 'id'>): Promise<Campaign> {
    return this.campaigns.save(this.campaigns.create(campaign));
  }

  /** Newest first, of these accounts (all when null), in one status or any. */
  page(accountIds: number[] | null, status: CampaignStatus | null | undefined, args: { first?: number | null; after?: string | null }): Promise<Page<Campaign>> {
    const where: FindOptionsWhere<Campaign> = {};
    if (accountIds) where.accountId = In(accountIds);
    if (status) where.status = status;
    return keysetPage(this.campaigns.createQueryBuilder('c').where(where), byId('c', 'DESC'), args);
  }

  /** SCHEDULED campaigns due by `now`, the earliest first. */
  scheduledBy(now: Date, limit: number): Promise<Campaign[]> {
    return this.campaigns.find({ where: { status: CampaignStatus.SCHEDULED, scheduledAt: LessThan(new Date(now.getTime() + 1)) }, order: { scheduledAt: 'ASC' }, take: limit });
  }

  nextScheduled(): Promise<Campaign | null> {
    return this.campaigns.findOne({ where: { status: CampaignStatus.SCHEDULED }, order: { scheduledAt: 'ASC' } });
  }

  /** DRAFT or SCHEDULED -> SCHEDULED at `at`; the rows changed. */
  schedule(id: number, at: Date): Promise<number> {
    return execute(this.dataSource, 'UPDATE campaigns SET status = ?, scheduled_at = ? WHERE id = ? AND status IN (?, ?)',
      [CampaignStatus.SCHEDULED, sqlDate(this.dataSource, at), id, CampaignStatus.DRAFT, CampaignStatus.SCHEDULED]);
  }

  /** DRAFT, SCHEDULED or SENDING -> CANCELLED; the rows changed. */
  cancel(id: number): Promise<number> {
    return execute(this.dataSource, 'UPDATE campaigns SET status = ? WHERE id = ? AND status IN (?, ?, ?)',
      [CampaignStatus.CANCELLED, id, CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING]);
  }

  /** DRAFT or SCHEDULED -> SENDING, launched at `at`, in the launch's transaction; the rows changed. */
  claimForLaunch(manager: EntityManager, id: number, at: Date): Promise<number> {
    return execute(manager, 'UPDATE campaigns SET status = ?, launched_at = ? WHERE id = ? AND status IN (?, ?)',
      [CampaignStatus.SENDING, sqlDate(this.dataSource, at), id, CampaignStatus.DRAFT, CampaignStatus.SCHEDULED]);
  }

  async setRecipients(manager: EntityManager, id: number, recipients: number): Promise<void> {
    await execute(manager, 'UPDATE campaigns SET recipients = ? WHERE id = ?', [recipients, id]);
  }

  async cancelledIds(): Promise<number[]> {
    return (await this.campaigns.find({ select: { id: true }, where: { status: CampaignStatus.CANCELLED } })).map((c) => c.id);
  }

  /** SENDING campaigns with a validity period (id, launchedAt and validitySeconds only). */
  sendingWithValidity(): Promise<Campaign[]> {
    return this.campaigns.find({ select: { id: true, launchedAt: true, validitySeconds: true }, where: { status: CampaignStatus.SENDING, validitySeconds: Not(IsNull()) } });
  }

  /**
   * SENDING -> COMPLETED when its planning is no longer PLANNING and `noneUnfinished` (the
   * messaging domain's condition on the campaign's messages, with one `?` for the campaign id)
   * holds: all read in the UPDATE itself. The rows changed.
   */
  complete(runner: DataSource | EntityManager, id: number, at: Date, noneUnfinished: string): Promise<number> {
    return execute(runner,
      `UPDATE campaigns SET status = ?, completed_at = ? WHERE id = ? AND status = ?
       AND NOT EXISTS (SELECT 1 FROM campaign_plans WHERE campaign_id = ? AND status = ?) AND ${noneUnfinished}`,
      [CampaignStatus.COMPLETED, sqlDate(this.dataSource, at), id, CampaignStatus.SENDING, id, PlanningStatus.PLANNING, id]);
  }

  /** SENDING campaigns whose planning is DONE. */
  async sendingAndPlanned(): Promise<number[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      'SELECT c.id FROM campaigns c JOIN campaign_plans p ON p.campaign_id = c.id WHERE c.status = ? AND p.status = ?', [CampaignStatus.SENDING, PlanningStatus.DONE]);
    return rows.map((r) => Number(r.id));
  }

  /** The send rules of these campaigns, in one query. */
  async sendRulesOf(ids: readonly number[]): Promise<CampaignSendRules[]> {
    return ids.length ? this.campaigns.find({
      select: { id: true, status: true, sendWindowStart: true, sendWindowEnd: true, launchedAt: true, validitySeconds: true },
      where: { id: In([...ids]) },
    }) : [];
  }

  /** Replies and opt-outs counted so far, of these campaigns, in one query. */
  async replyCountsOf(ids: readonly number[]): Promise<Array<Pick<Campaign, 'id' | 'replies' | 'optOuts'>>> {
    return ids.length ? this.campaigns.find({ select: { id: true, replies: true, optOuts: true }, where: { id: In([...ids]) } }) : [];
  }

  /** campaign id -> its group (which never changes), in one query. */
  async groupsOf(ids: readonly number[]): Promise<Map<number, number>> {
    const rows = ids.length ? await this.campaigns.find({ select: { id: true, groupId: true }, where: { id: In([...ids]) } }) : [];
    return new Map(rows.map((c) => [c.id, c.groupId]));
  }
}

/** The condition, on a messages row's campaign column, that its campaign was not cancelled: read in the send queue's claim itself. */
export function campaignNotCancelled(column: string): string {
  return `(${column} IS NULL OR ${column} NOT IN (SELECT id FROM campaigns WHERE status = '${CampaignStatus.CANCELLED}'))`;
}
