import { CampaignStatus } from './campaign.entity';
import type { CampaignRepository } from './campaign.repository';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import { campaignWindowOnly, type CampaignLaw } from './campaign-law';
import { parseWindow } from './send-window';

export interface WindowedMessage {
  campaignId: number | null;
  to: string;
  country: string | null;
}

export interface CampaignVerdicts {
  /** message index -> the next opening of its campaign's send window, where it is closed now. */
  closedWindows: Map<number, number>;
  /** Indexes of messages whose campaign was cancelled. */
  cancelled: Set<number>;
  /** Indexes of messages whose campaign's validitySeconds ran out since the launch. */
  expired: Set<number>;
  /** message index -> why it can never go: its campaign's window never meets the law's hours for the recipient. */
  neverOpen: Map<number, SendError>;
}

/**
 * The campaign's say at hand-over: a message of a cancelled campaign never leaves, and one whose
 * recipient's window closed while it waited in the queue goes back to wait for the next opening.
 */
export class CampaignWindows {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly law: CampaignLaw = campaignWindowOnly,
  ) {}

  async judge(messages: readonly WindowedMessage[], now: number): Promise<CampaignVerdicts> {
    const ids = [...new Set(messages.map((m) => m.campaignId).filter((id): id is number => id !== null))];
    const closed = new Map<number, number>();
    const cancelled = new Set<number>();
    const expired = new Set<number>();
    const neverOpen = new Map<number, SendError>();
    if (!ids.length) return { closedWindows: closed, cancelled, expired, neverOpen };
    const campaigns = await this.campaigns.sendRulesOf(ids);
    const cancelledIds = new Set(campaigns.filter((c) => c.status === CampaignStatus.CANCELLED).map((c) => c.id));
    const windows = new Map(campaigns.filter((c) => c.sendWindowStart && c.sendWindowEnd).map((c) => [c.id, parseWindow(c.sendWindowStart!, c.sendWindowEnd!)]));
    const expiries = new Map(campaigns.filter((c) => c.validitySeconds && c.launchedAt).map((c) => [c.id, c.launchedAt!.getTime() + c.validitySeconds! * 1000]));
    messages.forEach((message, index) => {
      if (message.campaignId === null) return;
      if (cancelledIds.has(message.campaignId)) cancelled.add(index);
      if ((expiries.get(message.campaignId) ?? Infinity) <= now) expired.add(index);
      const opening = this.law.opening(windows.get(message.campaignId) ?? null, { e164: message.to, country: message.country }, now);
      if (opening === null) neverOpen.set(index, sendError(SendErrorCode.OUTSIDE_LEGAL_HOURS, `the campaign's send window never meets the hours the law allows for ${message.to}`));
      else if (opening > now) closed.set(index, opening);
    });
    return { closedWindows: closed, cancelled, expired, neverOpen };
  }
}

