import type { DataSource, EntityManager } from 'typeorm';
import { SubscriptionStatus } from '../contacts/membership.entity';
import type { ParsedPhone } from '../core/phone';
import { decideRoute, type RoutingContext } from '../routing/routing';
import type { RoutingService } from '../routing/routing.service';
import type { CampaignMessages } from '../messaging/campaign-messages';
import { MessageDirection, MessageStatus } from '../messaging/message.entity';
import { segmentsOf } from '../core/segments';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import { campaignWindowOnly, type CampaignLaw } from './campaign-law';
import { execute, sqlDate } from '../core/sql';
import type { Campaign } from './campaign.entity';
import { CampaignStatus } from './campaign.entity';
import { parseWindow, type DailyWindow } from './send-window';
import { renderTemplate } from './template';

const PAGE = 5000;

interface MemberRow {
  membership_id: number;
  contact_id: number;
  phone_number: string;
  country: string | null;
  first_name: string | null;
  last_name: string | null;
  attributes: string | null;
}

export interface LaunchResult {
  recipients: number;
  queued: number;
  rejected: number;
}

/**
 * Plans a whole campaign in one transaction: the group's SUBSCRIBED members are read page by
 * page (never all at once), each is routed by the one routing function, and one message per
 * recipient is stored with multi-row INSERTs: QUEUED with its sender and the time it may leave
 * (the sender's pace, then the recipient's send window), or REJECTED with its error. The unique
 * (campaign, contact) key means no recipient can ever get two.
 */
export class CampaignLauncher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly routing: RoutingService,
    private readonly messages: CampaignMessages,
    private readonly law: CampaignLaw = campaignWindowOnly,
  ) {}

  /** Launches a DRAFT or SCHEDULED campaign; null when it was no longer in one of those states. */
  async launch(campaign: Campaign, at = new Date()): Promise<LaunchResult | null> {
    return this.dataSource.transaction(async (manager) => {
      const claimed = await execute(manager,
        `UPDATE campaigns SET status = ?, launched_at = ? WHERE id = ? AND status IN (?, ?)`,
        [CampaignStatus.SENDING, sqlDate(this.dataSource, at), campaign.id, CampaignStatus.DRAFT, CampaignStatus.SCHEDULED]);
      if (claimed !== 1) return null;
      const ctx = await this.routing.loadRoutingContext(campaign.groupId);
      const window = campaign.sendWindowStart && campaign.sendWindowEnd ? parseWindow(campaign.sendWindowStart, campaign.sendWindowEnd) : null;
      const plan = new SendPlan(at.getTime(), window, this.law);
      const result: LaunchResult = { recipients: 0, queued: 0, rejected: 0 };
      let after = 0;
      for (;;) {
        const members: MemberRow[] = await manager.query(
          `SELECT m.id AS membership_id, c.id AS contact_id, c.phone_number, c.country, c.first_name, c.last_name, c.attributes
           FROM memberships m JOIN contacts c ON c.id = m.contact_id
           WHERE m.group_id = ? AND m.status = ? AND m.id > ? ORDER BY m.id LIMIT ?`,
          [campaign.groupId, SubscriptionStatus.SUBSCRIBED, after, PAGE]);
        if (!members.length) break;
        after = Number(members[members.length - 1].membership_id);
        const sticky = await this.routing.stickySenders(campaign.groupId, members.map((m) => Number(m.contact_id)));
        const capped = await this.law.capped(campaign, members.map((m) => ({ contactId: Number(m.contact_id), e164: m.phone_number, country: m.country })), at.getTime());
        const rows = members.map((member) => this.planMessage(campaign, ctx, plan, member, sticky.get(Number(member.contact_id)), at, capped.get(Number(member.contact_id))));
        for (const row of rows) {
          if (row[8] === MessageStatus.QUEUED) result.queued++;
          else result.rejected++;
        }
        result.recipients += rows.length;
        await this.insertRows(manager, rows);
        if (members.length < PAGE) break;
      }
      const done = result.queued === 0;
      await execute(manager, `UPDATE campaigns SET recipients = ?, status = ?, completed_at = ? WHERE id = ?`,
        [result.recipients, done ? CampaignStatus.COMPLETED : CampaignStatus.SENDING, done ? sqlDate(this.dataSource, at) : null, campaign.id]);
      return result;
    });
  }

  private planMessage(campaign: Campaign, ctx: RoutingContext, plan: SendPlan, member: MemberRow, stickySenderIds: number[] | undefined, at: Date, capped?: SendError): unknown[] {
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

  private async insertRows(manager: EntityManager, rows: unknown[][]): Promise<void> {
    const perStatement = this.messages.rowsPerInsert();
    for (let i = 0; i < rows.length; i += perStatement) await this.messages.insertPlanned(manager, rows.slice(i, i + perStatement));
  }
}

/** When each message may leave: every sender's messages spaced at its pace, then moved into the recipient's window. */
class SendPlan {
  private readonly slots = new Map<number, number>();

  constructor(
    private readonly start: number,
    private readonly window: DailyWindow | null,
    private readonly law: CampaignLaw,
  ) {}

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
