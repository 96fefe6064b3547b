import type { ParsedPhone } from '../core/phone';
import type { SendError } from '../core/send-error';
import type { Campaign } from './campaign.entity';
import { nextOpening, type DailyWindow } from './send-window';
import { timeZoneOf } from './time-zones';

/**
 * What the law (src/compliance, wired in services.ts) says of a campaign's messages, in the
 * campaigns domain's own terms so that campaigns need not import it.
 */
export interface CampaignLaw {
  /** The first instant at or after `at` in both the campaign's window and the law's hours for the recipient; null: they never meet. */
  opening(window: DailyWindow | null, recipient: Pick<ParsedPhone, 'e164' | 'country'>, at: number): number | null;
  /** Of these recipients, those over a frequency cap at `at` (by contact id), with the cap's error. */
  capped(campaign: Pick<Campaign, 'accountId' | 'groupId'>, recipients: ReadonlyArray<{ contactId: number; e164: string; country: string | null }>, at: number): Promise<Map<number, SendError>>;
}

/** Only the campaign's own window (the law's rules are wired in by services.ts). */
export const campaignWindowOnly: CampaignLaw = {
  opening: (window, recipient, at) => (window ? nextOpening(window, timeZoneOf(recipient.e164, recipient.country), at) : at),
  capped: async () => new Map(),
};
