import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../core/logger';
import { SubscriptionStatus } from '../contacts/membership.entity';
import type { MembershipService, SubscribedRecipientRow } from '../contacts/membership.service';
import type { ParsedPhone } from '../core/phone';
import { decideRoute, type RoutingContext } from '../routing/routing';
import type { RoutingService } from '../routing/routing.service';
import type { CampaignMessages } from '../messaging/campaign-messages';
import { MessageDirection, MessageStatus } from '../messaging/message.entity';
import { segmentsOf } from '../core/segments';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import { campaignWindowOnly, type CampaignLaw } from './campaign-law';
import { sqlDate } from '../core/sql';
import type { Campaign } from './campaign.entity';
import type { CampaignPlanRepository } from './campaign-plan.repository';
import type { CampaignRepository } from './campaign.repository';
import { CampaignPlanner, type ChunkSource, type PlanState, type PlannerOptions, type PreparedChunk } from './campaign-planner';
import { parseWindow, type DailyWindow } from './send-window';
import { renderTemplate } from './template';

export interface LaunchResult {
  /** SUBSCRIBED members at launch. */
  audience: number;
  /** True when the launch answered before every recipient was planned (the rest is planned in the background). */
  planning: boolean;
}

/**
 * Launches a campaign: claims it, notes its audience, and opens its planning (campaign-planner.ts),
 * which resolves the group's SUBSCRIBED members chunk by chunk, routes each by the one routing
 * function and stores one message per recipient with multi-row INSERTs: QUEUED with its sender
 * and the time it may leave (the sender's pace, then the recipient's send window), or REJECTED
 * with its error. The first chunk is planned before the answer, the rest in the background. The
 * unique (campaign, contact) key means no recipient can ever get two.
 */
export class CampaignLauncher implements ChunkSource {
  readonly planner: CampaignPlanner;
  private readonly campaigns = new Map<number, { campaign: Campaign; window: DailyWindow | null }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaignRepository: CampaignRepository,
    plans: CampaignPlanRepository,
    private readonly memberships: MembershipService,
    private readonly routing: RoutingService,
    private readonly messages: CampaignMessages,
    options: PlannerOptions,
    log: Logger,
    private readonly law: CampaignLaw = campaignWindowOnly,
  ) {
    this.planner = new CampaignPlanner(dataSource, plans, campaignRepository, this, options, log);
  }

  /** What to do once a campaign's planning has ended (the campaign service completes it when nothing is left to send). */
  whenPlanned(complete: (campaignId: number) => Promise<unknown>): void {
    this.complete = complete;
  }

  private complete: (campaignId: number) => Promise<unknown> = async () => undefined;

  /** Launches a DRAFT or SCHEDULED campaign; null when it was no longer in one of those states. */
  async launch(campaign: Campaign, at = new Date()): Promise<LaunchResult | null> {
    const opened = await this.dataSource.transaction(async (manager) => {
      const claimed = await this.campaignRepository.claimForLaunch(manager, campaign.id, at);
      if (claimed !== 1) return null;
      const audience = await this.memberships.subscribedAudience(manager, campaign.groupId);
      await this.campaignRepository.setRecipients(manager, campaign.id, audience.count);
      return { audience: audience.count, state: await this.planner.open(manager, campaign.id, audience.count, audience.lastMembership, at) };
    });
    if (!opened) return null;
    return { audience: opened.audience, planning: await this.planner.begin(opened.state) };
  }

  async prepare(state: PlanState, limit: number): Promise<PreparedChunk | null> {
    const known = await this.campaignOf(state.campaignId);
    if (!known) return null;
    const { campaign, window } = known;
    const [ctx, members] = await Promise.all([
      this.routing.loadRoutingContext(campaign.groupId),
      this.memberships.subscribedRecipients(campaign.groupId, state.afterMembership, state.lastMembership, limit),
    ]);
    const sticky = members.length ? await this.routing.stickySenders(campaign.groupId, members.map((m) => Number(m.contact_id))) : new Map<number, number[]>();
    const plan = new SendPlan(state.startedAt.getTime(), window, state.senderSlots, this.law);
    const at = new Date();
    const capped = members.length ? await this.law.capped(campaign, members.map((m) => ({ contactId: Number(m.contact_id), e164: m.phone_number, country: m.country })), at.getTime()) : new Map<number, SendError>();
    const rows = members.map((member) => this.planMessage(campaign, ctx, plan, member, sticky.get(Number(member.contact_id)), at, capped.get(Number(member.contact_id))));
    return {
      rows,
      exhausted: members.length < limit,
      lastMembership: members.length ? Number(members[members.length - 1].membership_id) : state.lastMembership,
      senderSlots: plan.slotsSoFar(),
    };
  }

  async insert(manager: EntityManager, rows: unknown[][]): Promise<void> {
    const perStatement = this.messages.rowsPerInsert();
    for (let i = 0; i < rows.length; i += perStatement) await this.messages.insertPlanned(manager, rows.slice(i, i + perStatement));
  }

  async finished(campaignId: number): Promise<void> {
    this.campaigns.delete(campaignId);
    await this.complete(campaignId);
  }

  /** The campaign as launched (its body and window do not change after launch). */
  private async campaignOf(id: number): Promise<{ campaign: Campaign; window: DailyWindow | null } | null> {
    const cached = this.campaigns.get(id);
    if (cached) return cached;
    const campaign = await this.campaignRepository.findById(id);
    if (!campaign) return null;
    const window = campaign.sendWindowStart && campaign.sendWindowEnd ? parseWindow(campaign.sendWindowStart, campaign.sendWindowEnd) : null;
    if (this.campaigns.size > 100) this.campaigns.delete(this.campaigns.keys().next().value!);
    this.campaigns.set(id, { campaign, window });
    return { campaign, window };
  }

  private planMessage(campaign: Campaign, ctx: RoutingContext, plan: SendPlan, member: SubscribedRecipientRow, stickySenderIds: number[] | undefined, at: Date, capped?: SendError): unknown[] {
    const attributes = typeof member.attributes === 'string' ? safeJson(member.attributes) : (member.attributes as Record<string, unknown> | null);
    const body = renderTemplate(campaign.body, { firstName: member.first_name, lastName: member.last_name, phoneNumber: member.phone_number, attributes });
    // Stored contacts were parsed at import: E.164 plus region, so no second parse here.
    const phone: ParsedPhone = { e164: member.phone_number, country: member.country, valid: true };
    const decision = decideRoute(ctx, { phone, membership: SubscriptionStatus.SUBSCRIBED, stickySenderIds }, { body });
    const { encoding, segments } = segmentsOf(body);
    const now = sqlDate(this.dataSource, at);
    const sendAfter = decision.allowed && !capped ? plan.slotFor(decision.sender.id, decision.sender.maxPerSecond, phone) : null;
    if (decision.allowed && sendAfter !== null) {
      return [campaign.accountId, campaign.id, member.contact_id, decision.sender.id, MessageDirection.OUTBOUND, decision.sender.value, phone.e164, body,
        MessageStatus.QUEUED, null, null, null, encoding, segments, phone.country, sqlDate(this.dataSource, new Date(sendAfter)), 0, now, now];
    }
    const error = !decision.allowed ? decision.error : capped ?? sendError(SendErrorCode.OUTSIDE_LEGAL_HOURS, `the campaign's send window never meets the hours the law allows for ${phone.e164}`);
    return [campaign.accountId, campaign.id, member.contact_id, null, MessageDirection.OUTBOUND, '', phone.e164, body,
      MessageStatus.REJECTED, error.code, error.providerCode, error.message.slice(0, 500), encoding, segments, phone.country, null, 0, now, now];
  }

}

/** When each message may leave: every sender's messages spaced at its pace, then moved into the recipient's window. */
class SendPlan {
  private readonly slots: Map<number, number>;

  constructor(
    private readonly start: number,
    private readonly window: DailyWindow | null,
    soFar: Record<string, number>,
    private readonly law: CampaignLaw,
  ) {
    this.slots = new Map(Object.entries(soFar).map(([id, n]) => [Number(id), n]));
  }

  slotsSoFar(): Record<string, number> {
    return Object.fromEntries(this.slots);
  }

  /** Null when the campaign's window never meets the law's hours for the recipient. */
  slotFor(senderId: number, perSecond: number, phone: ParsedPhone): number | null {
    const slot = this.slots.get(senderId) ?? 0;
    this.slots.set(senderId, slot + 1);
    const paced = this.start + Math.floor((slot * 1000) / Math.max(0.01, perSecond));
    return this.law.opening(this.window, phone, paced);
  }
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
