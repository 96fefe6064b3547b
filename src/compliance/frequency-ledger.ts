import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import type { CapRule, FrequencyCapService } from './frequency-caps.service';
import type { LawBook, Recipient } from './legal-window';
import type { HandedOverCampaignMessage } from '../messaging/contact-history.repository';

/** The recipients' past campaign messages, from the domains that own them (handed in by src/services.ts). */
export interface CampaignHistory {
  /** The campaign messages handed over to these contacts since `since` (messaging). */
  handedOverCampaignMessages(contactIds: readonly number[], since: number): Promise<HandedOverCampaignMessage[]>;
  /** campaign id -> its group (campaigns): a fact that never changes, mostly answered from memory. */
  groupsOfCampaigns(campaignIds: readonly number[]): Promise<Map<number, number>>;
}

/** What a campaign message counts against: its contact (one account's view of a number), account and group. */
export interface CappedMessage {
  contactId: number;
  accountId: number;
  groupId: number;
  recipient: Recipient;
}

interface Sent {
  /** Null where no group's cap applies, so the group was not looked up. */
  groupId: number | null;
  at: number;
}

interface Rule extends CapRule {
  /** Only messages of this group count; null: every campaign of the account. */
  groupId: number | null;
  why: string;
}

/**
 * The campaign messages each recipient of a batch has had lately, read in one query, and the
 * frequency caps decided against them in the batch's order: a message that may go is counted at
 * once, so that two campaigns' messages to one number in one batch cannot both pass the last slot.
 */
export class FrequencyLedger {
  private constructor(
    private readonly history: Map<number, Sent[]>,
    private readonly caps: { accounts: Map<number, CapRule[]>; groups: Map<number, CapRule[]> },
    private readonly law: LawBook,
    private readonly now: number,
  ) {}

  static async load(past: CampaignHistory, caps: FrequencyCapService, law: LawBook, messages: readonly Omit<CappedMessage, 'groupId'>[], now: number): Promise<FrequencyLedger> {
    const owned = await caps.capsOf(messages.map((m) => m.accountId));
    const legalLongest = law.enforced ? Math.max(0, ...messages.flatMap((m) => law.hoursFor(m.recipient).caps.map((c) => c.windowSeconds))) : 0;
    const longest = Math.max(legalLongest, ...[...owned.accounts.values(), ...owned.groups.values()].flat().map((c) => c.windowSeconds));
    const history = new Map<number, Sent[]>();
    const contactIds = [...new Set(messages.map((m) => m.contactId))];
    if (longest > 0 && contactIds.length) {
      const sent = await past.handedOverCampaignMessages(contactIds, now - longest * 1000);
      // A message's group matters only to a group's cap: without one, no look-up at all.
      const groups = owned.groups.size && sent.length ? await past.groupsOfCampaigns([...new Set(sent.map((s) => s.campaignId))]) : null;
      for (const { contactId, campaignId, at } of sent) {
        const groupId = groups ? groups.get(campaignId) : null;
        if (groupId === undefined) continue;
        history.set(contactId, [...(history.get(contactId) ?? []), { groupId, at }]);
      }
    }
    return new FrequencyLedger(history, owned, law, now);
  }

  /** The cap this message would break, or null, counting it as sent. */
  take(message: CappedMessage): SendError | null {
    const sent = this.history.get(message.contactId) ?? [];
    for (const rule of this.rulesFor(message)) {
      const since = this.now - rule.windowSeconds * 1000;
      const count = sent.filter((s) => s.at > since && (rule.groupId === null || s.groupId === rule.groupId)).length;
      if (count >= rule.maxMessages) {
        return sendError(SendErrorCode.FREQUENCY_CAPPED,
          `${message.recipient.e164} has had ${count} campaign messages in the last ${describeWindow(rule.windowSeconds)}: ${rule.why} allows ${rule.maxMessages}`);
      }
    }
    this.history.set(message.contactId, [...sent, { groupId: message.groupId, at: this.now }]);
    return null;
  }

  private rulesFor(message: CappedMessage): Rule[] {
    const legal = this.law.enforced
      ? this.law.hoursFor(message.recipient).rules.flatMap((r) => (r.cap ? [{ maxMessages: r.cap.max, windowSeconds: r.cap.windowSeconds, groupId: null, why: `the law (${r.name}, ${r.source})` }] : []))
      : [];
    return [
      ...legal,
      ...(this.caps.accounts.get(message.accountId) ?? []).map((c) => ({ ...c, groupId: null, why: "the account's frequency cap" })),
      ...(this.caps.groups.get(message.groupId) ?? []).map((c) => ({ ...c, groupId: message.groupId, why: "the group's frequency cap" })),
    ];
  }
}

export function describeWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '24 hours' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${seconds} seconds`;
}
