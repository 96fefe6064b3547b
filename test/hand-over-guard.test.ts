import { SubscriptionStatus } from '../src/contacts/membership.entity';
import { sendError, SendErrorCode } from '../src/core/send-error';
import type { RoutingContext } from '../src/routing/routing';
import { Sender, SenderType } from '../src/groups/sender.entity';
import { SubscriptionGroup } from '../src/groups/subscription-group.entity';
import { judgeHandOver, membershipKey, type HandOverState, type HandOverVerdict } from '../src/messaging/hand-over-guard';
import { Message } from '../src/messaging/message.entity';

// The verdict on a message about to be handed over, from plain state: one row per situation.

const sender = (id: number, value: string, country = 'US', type = SenderType.LONG_CODE): Sender =>
  Object.assign(new Sender(), { id, groupId: 1, accountId: 1, type, value, activeValue: value, country, twoWay: true, maxPerSecond: 1, createdAt: new Date(0), removedAt: null });

const own = sender(1, '+12025550100');
const spare = sender(2, '+12025550101');
const OPENING = Date.UTC(2025, 2, 3, 13, 0);

interface Situation {
  /** Active senders of the group (the message's own sender is known either way, removed or not). */
  senders?: Sender[];
  enabled?: string[];
  suspension?: string | null;
  blocked?: string[];
  membership?: SubscriptionStatus | null;
  fallback?: boolean;
  windowClosed?: boolean;
  cancelled?: boolean;
  noGroup?: boolean;
  expired?: boolean;
  neverOpen?: boolean;
  /** Frequency caps: how many more campaign messages the recipient may have. */
  capLeft?: number;
}

function state(s: Situation): HandOverState {
  const group = Object.assign(new SubscriptionGroup(), { id: 1, accountId: 1, name: 'g', description: null, internationalFallback: s.fallback ?? false, createdAt: new Date(0) });
  const ctx: RoutingContext = {
    group,
    homeCountry: 'US',
    senders: s.senders ?? [own],
    policy: { accountId: 1, suspension: s.suspension ?? null, blockedPrefixes: s.blocked ?? [], enabledCountries: new Set(s.enabled ?? ['US']) },
  };
  return {
    senders: new Map([own, spare].map((x) => [x.id, x])),
    contexts: s.noGroup ? new Map() : new Map([[1, ctx]]),
    memberships: new Map(s.membership === null ? [] : [[membershipKey(1, 10), s.membership ?? SubscriptionStatus.SUBSCRIBED]]),
    closedWindows: new Map(s.windowClosed ? [[0, OPENING]] : []),
    cancelled: new Set(s.cancelled ? [0] : []),
    expired: new Set(s.expired ? [0] : []),
    neverOpen: new Map(s.neverOpen ? [[0, sendError(SendErrorCode.OUTSIDE_LEGAL_HOURS, 'never')]] : []),
    frequency: {
      take: () => {
        if (s.capLeft === undefined) return null;
        if (s.capLeft <= 0) return sendError(SendErrorCode.FREQUENCY_CAPPED, 'capped');
        s.capLeft -= 1;
        return null;
      },
    },
  };
}

function message(fields: Partial<Message> = {}): Message {
  return Object.assign(new Message(), { id: 100, accountId: 1, campaignId: 7, contactId: 10, senderId: own.id, to: '+12125550123', country: 'US', body: 'Spring sale', optOutExempt: false, ...fields });
}

const reply = { campaignId: null };
type Expected = { kind: 'send' } | { kind: 'cancelled' } | { kind: 'expired' } | { kind: 'refuse'; code: SendErrorCode } | { kind: 'defer'; until: number } | { kind: 'reroute'; sender: number };

const CASES: Array<[name: string, fields: Partial<Message>, situation: Situation, expected: Expected]> = [
  ['sends a campaign message nothing forbids', {}, {}, { kind: 'send' }],
  ['sends a reply nothing forbids', reply, {}, { kind: 'send' }],
  ['sends to a contact who is not a member (a reply to a stranger)', reply, { membership: null }, { kind: 'send' }],
  ['refuses when the account is suspended', {}, { suspension: 'fraud review' }, { kind: 'refuse', code: SendErrorCode.ACCOUNT_SUSPENDED }],
  ['refuses a body over 1600 characters', { body: 'x'.repeat(1601) }, {}, { kind: 'refuse', code: SendErrorCode.INVALID_BODY }],
  ['refuses a blocked prefix', {}, { blocked: ['+1212'] }, { kind: 'refuse', code: SendErrorCode.PREFIX_BLOCKED }],
  ['refuses a region turned off', {}, { enabled: ['CA'] }, { kind: 'refuse', code: SendErrorCode.GEO_PERMISSION_DENIED }],
  ['refuses a recipient who opted out', {}, { membership: SubscriptionStatus.UNSUBSCRIBED }, { kind: 'refuse', code: SendErrorCode.RECIPIENT_UNSUBSCRIBED }],
  ['sends a keyword answer to who just opted out (opt-out exempt)', { ...reply, optOutExempt: true }, { membership: SubscriptionStatus.UNSUBSCRIBED }, { kind: 'send' }],
  ['still refuses an opt-out exempt answer on a suspended account', { ...reply, optOutExempt: true }, { membership: SubscriptionStatus.UNSUBSCRIBED, suspension: 'x' }, { kind: 'refuse', code: SendErrorCode.ACCOUNT_SUSPENDED }],
  ['refuses a message without a sender', { senderId: null }, {}, { kind: 'refuse', code: SendErrorCode.NO_ELIGIBLE_SENDER }],
  ['refuses a message whose sender is unknown', { senderId: 99 }, {}, { kind: 'refuse', code: SendErrorCode.NO_ELIGIBLE_SENDER }],
  ['refuses a message whose group is gone', {}, { noGroup: true }, { kind: 'refuse', code: SendErrorCode.NO_ELIGIBLE_SENDER }],
  ['defers a campaign message whose window is closed, to its next opening', {}, { windowClosed: true }, { kind: 'defer', until: OPENING }],
  ['reroutes a campaign message whose sender was removed, to another of the group', {}, { senders: [spare] }, { kind: 'reroute', sender: spare.id }],
  ['refuses a reply whose sender was removed: a conversation keeps its sender', reply, { senders: [spare] }, { kind: 'refuse', code: SendErrorCode.NO_ELIGIBLE_SENDER }],
  ['refuses a campaign message when no sender of the group may reach the number', {}, { senders: [] }, { kind: 'refuse', code: SendErrorCode.NO_ELIGIBLE_SENDER }],
  ['fails a message of a cancelled campaign, whatever else holds', {}, { cancelled: true, suspension: 'x', windowClosed: true }, { kind: 'cancelled' }],
  ['fails a message whose validity ran out, whatever else holds', {}, { expired: true, windowClosed: true, capLeft: 0 }, { kind: 'expired' }],
  ['refuses a campaign message whose window never meets the law\'s hours', {}, { neverOpen: true }, { kind: 'refuse', code: SendErrorCode.OUTSIDE_LEGAL_HOURS }],
  ['refuses a campaign message over a frequency cap', {}, { capLeft: 0 }, { kind: 'refuse', code: SendErrorCode.FREQUENCY_CAPPED }],
  ['sends a campaign message under its frequency cap', {}, { capLeft: 1 }, { kind: 'send' }],
  ['never caps a reply: caps count campaign messages', reply, { capLeft: 0 }, { kind: 'send' }],
  ['defers before it caps: a message waiting for its window does not use up a cap', {}, { windowClosed: true, capLeft: 0 }, { kind: 'defer', until: OPENING }],
  ['refuses before it defers: a closed window does not hide an opt-out', {}, { windowClosed: true, membership: SubscriptionStatus.UNSUBSCRIBED }, { kind: 'refuse', code: SendErrorCode.RECIPIENT_UNSUBSCRIBED }],
];

function plain(verdict: HandOverVerdict): Expected {
  switch (verdict.kind) {
    case 'refuse':
      return { kind: 'refuse', code: verdict.error.code };
    case 'defer':
      return { kind: 'defer', until: verdict.until.getTime() };
    case 'reroute':
      return { kind: 'reroute', sender: verdict.sender.id };
    default:
      return verdict;
  }
}

describe('judgeHandOver', () => {
  it.each(CASES)('%s', (_name, fields, situation, expected) => {
    expect(plain(judgeHandOver(message(fields), 0, state(situation)))).toEqual(expected);
  });

  it("judges each message by its own index: another message's window or cancel is not its own", () => {
    const s = state({ windowClosed: true, cancelled: true });
    expect(plain(judgeHandOver(message(), 1, s))).toEqual({ kind: 'send' });
  });
});
