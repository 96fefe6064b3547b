import { offsetMinutes } from '../campaigns/send-window';
import { badInput } from '../core/errors';
import { parsePhone } from '../core/phone';
import type { LegalHoursRule } from './legal-hours';
import { localTime, type LawBook } from './legal-window';
import type { LegalHoursRuleInfo, SendingHours } from './compliance.types';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** sendingHours(phoneNumber): the window the law gives a number at an instant, and the rules it comes from. */
export function explainSendingHours(law: LawBook, phoneNumber: string, at: Date): SendingHours {
  if (Number.isNaN(at.getTime())) throw badInput('at', 'is not a valid date-time');
  const phone = parsePhone(phoneNumber);
  if (!phone.valid) throw badInput('phoneNumber', `"${phoneNumber.slice(0, 40)}" is not a valid phone number in E.164 (+ and country code)`);
  const hours = law.hoursFor(phone);
  const now = at.getTime();
  const local = new Date(now + offsetMinutes(hours.zone, now) * 60_000);
  const { weekday } = localTime(hours.zone, now);
  const localText = `${local.toISOString().slice(0, 16).replace('T', ' ')} ${DAYS[weekday]}`;
  const opening = law.openingByRules(hours, now);
  const window = hours.window ? `${hhmm(hours.window.start)}-${hhmm(hours.window.end)}` : null;
  const closedDays = [...hours.closedDays].sort();
  const caps = hours.caps.map((c) => ({ maxMessages: c.max, windowSeconds: c.windowSeconds }));
  const open = opening === now;
  const names = hours.rules.map((r) => `${r.name} (${r.source})`).join(' and ');
  const explanation = !hours.rules.length
    ? `No rule of the law's table covers ${phone.e164}: only the campaign's own send window applies.`
    : `${phone.e164} is in ${hours.zone}, where it is ${localText}. ${names} ${hours.rules.length > 1 ? 'apply; the strictest of each gives' : 'gives'} ${window}`
      + `${closedDays.length ? `, never on ${closedDays.map((d) => DAYS[d]).join(', ')}` : ''}: ${open ? 'open now' : opening === null ? 'never open' : `closed now, opening ${new Date(opening).toISOString()}`}.`
      + `${caps.length ? ` At most ${caps.map((c) => `${c.maxMessages} campaign messages in ${c.windowSeconds / 3600} hours`).join(' and ')}.` : ''}`
      + `${law.enforced ? '' : ' (LEGAL_RULES=off: not applied here.)'}`;
  return {
    phoneNumber: phone.e164, country: phone.country, timeZone: hours.zone, localTime: localText, enforced: law.enforced, open, window, closedDays,
    nextOpening: opening === null ? null : new Date(opening), rules: hours.rules.map(ruleInfo), caps, explanation,
  };
}

function ruleInfo(rule: LegalHoursRule): LegalHoursRuleInfo {
  return {
    name: rule.name, description: rule.description, source: rule.source, start: rule.start, end: rule.end, closedDays: [...(rule.closedDays ?? [])],
    cap: rule.cap ? { maxMessages: rule.cap.max, windowSeconds: rule.cap.windowSeconds } : null,
  };
}
