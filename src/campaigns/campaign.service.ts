import type { DataSource, EntityManager } from 'typeorm';
import type { AccountService } from '../accounts/account.service';
import { requireName } from '../accounts/account.service';
import type { Principal } from '../core/auth';
import type { Logger } from '../core/logger';
import { NO_OUTBOX, type EventOutbox } from '../core/event-outbox';
import { badInput } from '../core/errors';
import { encode } from '../core/ids';
import type { Page } from '../core/connection';
import { ImmutableFacts } from '../core/immutable-facts';
import { checkBody } from '../geo/send-policy';
import type { GroupService } from '../groups/group.service';
import type { CampaignMessages } from '../messaging/campaign-messages';
import type { Dispatcher } from '../messaging/dispatcher';
import { CampaignStatus, type Campaign } from './campaign.entity';
import type { CampaignPlan } from './campaign-plan.entity';
import type { CampaignPlanRepository } from './campaign-plan.repository';
import type { CampaignRepository } from './campaign.repository';
import type { CreateCampaignInput } from './campaign.inputs';
import type { CampaignLauncher } from './launch';
import { parseWindow } from './send-window';
import { validateTemplate } from './template';
import { checkValiditySeconds } from './validity';

export class CampaignService {
  private readonly background = new Set<Promise<void>>();
  private readonly groupOf = new ImmutableFacts<number>((ids) => this.repo.groupsOf(ids));

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: CampaignRepository,
    private readonly plans: CampaignPlanRepository,
    private readonly accounts: AccountService,
    private readonly groups: GroupService,
    private readonly launcher: CampaignLauncher,
    private readonly dispatcher: Dispatcher,
    private readonly messages: CampaignMessages,
    private readonly log: Logger,
    private readonly outbox: EventOutbox = NO_OUTBOX,
  ) {
    launcher.whenPlanned((campaignId) => this.completeIfDone(campaignId));
  }

  findById(id: number): Promise<Campaign | null> {
    return this.repo.findById(id);
  }

  findByIds(ids: readonly number[]): Promise<Campaign[]> {
    return this.repo.findByIds(ids);
  }

  plansOf(campaignIds: readonly number[]): Promise<CampaignPlan[]> {
    return this.plans.plansOf(campaignIds);
  }

  /** campaign id -> its group: a fact that never changes, so mostly answered from memory. */
  groupsOf(campaignIds: readonly number[]): Promise<Map<number, number>> {
    return this.groupOf.of(campaignIds);
  }

  getVisible(principal: Principal, rawId: string | number): Promise<Campaign | null> {
    return this.accounts.findVisible(principal, 'cmp', rawId, (id) => this.findById(id));
  }

  requireVisible(principal: Principal, rawId: string | number, field = 'id'): Promise<Campaign> {
    return this.accounts.requireVisibleOwned(principal, 'cmp', rawId, (id) => this.findById(id), 'campaign', field);
  }

  async create(principal: Principal, input: CreateCampaignInput): Promise<Campaign> {
    const group = await this.groups.requireVisible(principal, input.groupId, 'groupId');
    const name = requireName('name', input.name);
    const bodyError = checkBody(input.body);
    if (bodyError) throw badInput('body', bodyError.message);
    validateTemplate(input.body);
    const window = input.sendWindow ? parseWindow(input.sendWindow.start, input.sendWindow.end) : null;
    const validitySeconds = checkValiditySeconds(input.validitySeconds);
    return this.repo.insert({
      accountId: group.accountId,
      groupId: group.id,
      name,
      body: input.body,
      status: CampaignStatus.DRAFT,
      scheduledAt: null,
      sendWindowStart: window ? input.sendWindow!.start.trim() : null,
      sendWindowEnd: window ? input.sendWindow!.end.trim() : null,
      validitySeconds,
      launchedAt: null,
      completedAt: null,
      recipients: 0,
      replies: 0,
      optOuts: 0,
      createdAt: new Date(),
    });
  }

  /** Newest first. */
  async list(principal: Principal, filter: { status?: CampaignStatus | null; accountId?: string | null; first?: number | null; after?: string | null }): Promise<Page<Campaign>> {
    const accountIds = await this.accounts.listScope(principal, filter.accountId);
    return this.repo.page(accountIds, filter.status, filter);
  }

  async launch(principal: Principal, rawId: string): Promise<Campaign> {
    const campaign = await this.requireVisible(principal, rawId);
    this.requireLaunchable(campaign);
    const result = await this.launcher.launch(campaign);
    const after = await this.repo.get(campaign.id);
    if (!result) this.requireLaunchable(after);
    await this.afterLaunch(after);
    return after;
  }

  /** Fires scheduled campaigns that are due (the worker calls this; it survives restarts since it reads the table). */
  async launchDue(now = new Date()): Promise<number> {
    const due = await this.repo.scheduledBy(now, 20);
    let launched = 0;
    for (const campaign of due) {
      if (await this.launcher.launch(campaign, now)) {
        launched++;
        await this.afterLaunch(await this.repo.get(campaign.id));
      }
    }
    return launched;
  }

  nextScheduledAt(): Promise<Campaign | null> {
    return this.repo.nextScheduled();
  }

  async schedule(principal: Principal, rawId: string, at: Date): Promise<Campaign> {
    const campaign = await this.requireVisible(principal, rawId);
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw badInput('at', 'is not a valid date-time');
    if (at.getTime() <= Date.now()) throw badInput('at', `${at.toISOString()} is in the past; schedule a time to come, or launch now`);
    if (campaign.status !== CampaignStatus.DRAFT && campaign.status !== CampaignStatus.SCHEDULED) this.requireLaunchable(campaign);
    const changed = await this.repo.schedule(campaign.id, at);
    const after = await this.repo.get(campaign.id);
    if (!changed) this.requireLaunchable(after);
    return after;
  }

  async cancel(principal: Principal, rawId: string): Promise<Campaign> {
    const campaign = await this.requireVisible(principal, rawId);
    const refuse = (status: CampaignStatus) => {
      if (status === CampaignStatus.CANCELLED) throw badInput('id', `campaign ${encode('cmp', campaign.id)} is already cancelled`);
      if (status === CampaignStatus.COMPLETED) throw badInput('id', `campaign ${encode('cmp', campaign.id)} has completed: nothing is left to cancel`);
    };
    refuse(campaign.status);
    const changed = await this.repo.cancel(campaign.id);
    if (!changed) refuse((await this.repo.get(campaign.id)).status);
    // Its planning stops at the next chunk: that chunk's compare-and-set fails on this status.
    await this.plans.cancel(campaign.id);
    this.failQueued(campaign.id);
    return this.repo.get(campaign.id);
  }

  /**
   * A cancelled campaign's QUEUED messages become FAILED (CAMPAIGN_CANCELLED), those handed
   * over go on. This runs after the answer, 5,000 at a time with their events: a cancel of
   * 100,000 queued messages answers at once, and the send queue refuses them meanwhile (their
   * campaign is CANCELLED), so none leaves after the answer.
   */
  failQueued(campaignId: number): void {
    this.inBackground(this.failQueuedNow(campaignId));
  }

  /** Cancelled campaigns whose messages a stop left queued (at start). */
  async failQueuedOfCancelled(): Promise<void> {
    const ids = await this.repo.cancelledIds();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const id of await this.messages.withQueued(ids.slice(i, i + 1000))) this.failQueued(id);
    }
  }

  /** Waits for the cancellations still running in the background (at shutdown). */
  async drain(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
  }

  private async failQueuedNow(campaignId: number): Promise<void> {
    while ((await this.messages.failQueued(campaignId, 5000)) > 0);
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.log.error({ err: error }, 'could not publish the events of cancelled messages'))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** SENDING campaigns whose validity period has run out by `now`: their QUEUED messages are to fail as EXPIRED. */
  async expiredAt(now: Date): Promise<Campaign[]> {
    const sending = await this.repo.sendingWithValidity();
    return sending.filter((c) => c.launchedAt && c.launchedAt.getTime() + c.validitySeconds! * 1000 <= now.getTime());
  }

  /** Fails the QUEUED messages of a campaign whose validity period ran out, with their events; answers how many. */
  async expireQueued(campaignId: number): Promise<number> {
    let total = 0;
    for (;;) {
      const failed = await this.messages.expireQueued(campaignId, 5000);
      if (!failed) return total;
      total += failed;
    }
  }

  /** When the last of the campaign's queued messages is planned to leave, and how many are planned after it expires. */
  queuedHorizon(campaign: Campaign): Promise<{ last: Date | null; after: number }> {
    const expiry = campaign.validitySeconds && campaign.launchedAt ? new Date(campaign.launchedAt.getTime() + campaign.validitySeconds * 1000) : null;
    return this.messages.queuedHorizon(campaign.id, expiry);
  }

  /**
   * COMPLETED once its planning ended and none of its messages is QUEUED or SENDING. Both are
   * read in the UPDATE itself: a planning's last chunk stores its messages and ends the planning
   * in one transaction, so the statement sees both or neither.
   */
  async completeIfDone(campaignId: number): Promise<boolean> {
    // No message of a launched campaign comes back to the queue once it has left it for good.
    if (await this.messages.unfinished(campaignId)) return false;
    const campaign = await this.findById(campaignId);
    if (!campaign) return false;
    const now = new Date();
    const complete = (runner: DataSource | EntityManager) => this.repo.complete(runner, campaignId, now, this.messages.noneUnfinished('?'));
    if (!(await this.outbox.wants(campaign.accountId, 'campaign.completed'))) return (await complete(this.dataSource)) === 1;
    // The campaign.completed webhook event is stored with the change: both or neither.
    return this.dataSource.transaction(async (manager) => {
      if ((await complete(manager)) !== 1) return false;
      const completed = Object.assign(campaign, { status: CampaignStatus.COMPLETED, completedAt: now });
      await this.outbox.enqueue(manager, campaign.accountId, 'campaign.completed', { campaign: completed });
      return true;
    });
  }

  /** Campaigns whose planning ended while none of their messages was left (a stop between the two): completed now. */
  async completePlanned(): Promise<void> {
    for (const id of await this.repo.sendingAndPlanned()) await this.completeIfDone(id);
  }

  private async afterLaunch(campaign: Campaign): Promise<void> {
    // A cancel that ran while the launch was still storing messages leaves some queued: fail them too.
    if (campaign.status === CampaignStatus.CANCELLED) this.failQueued(campaign.id);
    this.dispatcher.wake();
  }

  private requireLaunchable(campaign: Campaign): void {
    if (campaign.status === CampaignStatus.CANCELLED) throw badInput('id', `campaign ${encode('cmp', campaign.id)} is cancelled and cannot be launched or scheduled`);
    if (campaign.status === CampaignStatus.SENDING || campaign.status === CampaignStatus.COMPLETED) {
      throw badInput('id', `campaign ${encode('cmp', campaign.id)} was already launched`);
    }
  }
}
