import { nextOpening, offsetMinutes, type DailyWindow } from '../campaigns/send-window';
import { timeZoneOf } from '../campaigns/time-zones';
import type { LegalCap, LegalHoursRule } from './legal-hours';

/** A number as stored: E.164 and its region. */
export interface Recipient {
  e164: string;
  country: string | null;
}

/** What the law says of one number: the rules that hold, and their strictest combination. */
export interface LegalHours {
  zone: string;
  rules: LegalHoursRule[];
  /** Latest opening and earliest closing of the rules, in local minutes; null where no rule holds. */
  window: DailyWindow | null;
  closedDays: Set<number>;
  caps: LegalCap[];
}

const DAY_MS = 86_400_000;
/** Looking further than this for an opening means there is none (the windows never meet). */
const HORIZON_MS = 8 * DAY_MS;
const FIRST_MINUTE: DailyWindow = { start: 0, end: 1 };

export function minuteOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function localTime(zone: string, at: number): { weekday: number; minute: number } {
  const local = at + offsetMinutes(zone, at) * 60_000;
  return { weekday: new Date(local).getUTCDay(), minute: Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000) };
}

/**
 * The law's hours and caps (legal-hours.ts plus the operator's regions), applied to numbers.
 * When not enforced (LEGAL_RULES=off, refused in production) it still explains the rules, but
 * holds nothing back.
 */
export class LawBook {
  constructor(
    readonly rules: readonly LegalHoursRule[],
    readonly enforced: boolean,
  ) {}

  hoursFor(recipient: Recipient): LegalHours {
    const digits = recipient.e164.replace(/^\+/, '');
    const area = recipient.country === 'US' || recipient.country === 'CA' ? digits.slice(1, 4) : null;
    const rules = this.rules.filter((rule) => rule.prefixes
      ? rule.prefixes.some((prefix) => recipient.e164.startsWith(prefix))
      : rule.country === recipient.country && (!rule.areaCodes || (area !== null && rule.areaCodes.includes(area))));
    const window = rules.length
      ? { start: Math.max(...rules.map((r) => minuteOf(r.start))), end: Math.min(...rules.map((r) => minuteOf(r.end))) }
      : null;
    return {
      zone: timeZoneOf(recipient.e164, recipient.country),
      rules,
      window,
      closedDays: new Set(rules.flatMap((r) => r.closedDays ?? [])),
      caps: rules.flatMap((r) => (r.cap ? [r.cap] : [])),
    };
  }

  /** The first instant at or after `at` the law allows a marketing message to the number; null for never. */
  nextLegalOpening(hours: LegalHours, at: number): number | null {
    return this.enforced ? this.openingByRules(hours, at) : at;
  }

  /** The opening the rules give, whether or not they are enforced here (sendingHours shows it either way). */
  openingByRules(hours: LegalHours, at: number): number | null {
    const window = hours.window;
    if (!window) return at;
    if (window.start >= window.end) return null;
    let t = at;
    while (t - at <= HORIZON_MS) {
      const { weekday, minute } = localTime(hours.zone, t);
      const openDay = !hours.closedDays.has(weekday);
      if (openDay && minute >= window.start && minute < window.end) return t;
      // Before the opening: today's; otherwise the next local day, looked at again from its first minute.
      t = openDay && minute < window.start ? nextOpening(window, hours.zone, t) : nextOpening(FIRST_MINUTE, hours.zone, t + 60_000);
    }
    return null;
  }

  /**
   * The first instant at or after `at` inside both the campaign's send window (if any) and the
   * law's hours for the recipient; null when the two never meet (e.g. a 21:00-23:00 window in
   * Florida). The one place both windows are combined, at launch and at hand-over.
   */
  nextSendingOpening(campaignWindow: DailyWindow | null, recipient: Recipient, at: number): number | null {
    const hours = this.hoursFor(recipient);
    let t = at;
    while (t - at <= HORIZON_MS) {
      const inCampaign = campaignWindow ? nextOpening(campaignWindow, hours.zone, t) : t;
      const legal = this.nextLegalOpening(hours, inCampaign);
      if (legal === null) return null;
      if (legal === inCampaign) return legal;
      t = legal;
    }
    return null;
  }
}
