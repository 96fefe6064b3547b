import type { SendError } from '../core/send-error';
import type { Message } from '../messaging/message.entity';
import type { CampaignLaw } from '../campaigns/campaign-law';
import type { FrequencyCapService } from './frequency-caps.service';
import { FrequencyLedger, type CampaignHistory } from './frequency-ledger';
import type { LawBook } from './legal-window';

/** The recipients' past messages the law weighs, from the domains that own them (handed in by src/services.ts). */
export interface ContactHistory extends CampaignHistory {
  /** Of these contacts, those with an inbound message since `since` (messaging). */
  wroteInSince(contactIds: readonly number[], since: number): Promise<Set<number>>;
}

/** Someone who wrote in this recently may be answered at any hour. */
export const REPLY_EXEMPTION_MS = 24 * 3600 * 1000;

/**
 * The law's say over messages, for the send path: at launch (CampaignLaw, injected into the
 * campaigns domain) and at hand-over (lawVerdicts, read by the guard's state loader once per batch).
 * Campaign messages: the campaign's window combined with the law's hours (campaign-windows.ts
 * asks `opening`) and the frequency caps. Other messages (replies, API sends): the law's hours,
 * unless the recipient wrote in within the last 24 hours; a keyword's automatic answer is never held.
 */
export class HandOverLaw implements CampaignLaw {
  constructor(
    private readonly history: ContactHistory,
    private readonly law: LawBook,
    private readonly caps: FrequencyCapService,
  ) {}

  opening(window: Parameters<CampaignLaw['opening']>[0], recipient: { e164: string; country: string | null }, at: number): number | null {
    return this.law.nextSendingOpening(window, recipient, at);
  }

  async capped(campaign: { accountId: number; groupId: number }, recipients: ReadonlyArray<{ contactId: number; e164: string; country: string | null }>, at: number): Promise<Map<number, SendError>> {
    const messages = recipients.map((r) => ({ contactId: r.contactId, accountId: campaign.accountId, groupId: campaign.groupId, recipient: { e164: r.e164, country: r.country } }));
    const ledger = await FrequencyLedger.load(this.history, this.caps, this.law, messages, at);
    const capped = new Map<number, SendError>();
    for (const message of messages) {
      const error = ledger.take(message);
      if (error) capped.set(message.contactId, error);
    }
    return capped;
  }

  async lawVerdicts(messages: readonly Message[], now: number): Promise<{ closedWindows: Map<number, number>; frequency: { take(message: Message, groupId: number): SendError | null } }> {
    const campaign = messages.filter((m) => m.campaignId !== null && m.contactId !== null);
    const [ledger, closedWindows] = await Promise.all([
      FrequencyLedger.load(this.history, this.caps, this.law, campaign.map((m) => ({ contactId: m.contactId!, accountId: m.accountId, recipient: { e164: m.to, country: m.country } })), now),
      this.closedForOthers(messages, now),
    ]);
    return {
      closedWindows,
      frequency: { take: (message, groupId) => (message.contactId === null ? null : ledger.take({ contactId: message.contactId, accountId: message.accountId, groupId, recipient: { e164: message.to, country: message.country } })) },
    };
  }

  /** Replies outside campaigns whose recipient's legal hours are closed now, and did not write in lately: index -> next opening. */
  private async closedForOthers(messages: readonly Message[], now: number): Promise<Map<number, number>> {
    const closed = new Map<number, number>();
    const held = new Map<number, number>();
    messages.forEach((message, index) => {
      if (message.campaignId !== null || message.optOutExempt || message.transactional) return;
      const opening = this.law.nextLegalOpening(this.law.hoursFor({ e164: message.to, country: message.country }), now);
      if (opening !== null && opening > now) held.set(index, opening);
    });
    if (!held.size) return closed;
    const wroteIn = await this.history.wroteInSince([...held.keys()].map((i) => messages[i].contactId).filter((id): id is number => id !== null), now - REPLY_EXEMPTION_MS);
    for (const [index, opening] of held) if (!wroteIn.has(messages[index].contactId ?? -1)) closed.set(index, opening);
    return closed;
  }
}
