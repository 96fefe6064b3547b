import type { SubscriptionStatus } from '../contacts/membership.entity';
import type { ParsedPhone } from '../core/phone';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import { checkRecipient, type SendPolicy } from '../geo/send-policy';
import { SenderType, type Sender } from '../groups/sender.entity';
import type { SubscriptionGroup } from '../groups/subscription-group.entity';

/** Everything a routing decision needs for one group, loaded once (RoutingService.loadRoutingContext). */
export interface RoutingContext {
  policy: SendPolicy;
  group: SubscriptionGroup;
  /** The account's home country: where international fallback looks first. */
  homeCountry: string;
  /** The group's active (not removed) senders. */
  senders: Sender[];
}

export interface RouteRecipient {
  phone: ParsedPhone;
  membership: SubscriptionStatus | null;
  /** Senders of this group the contact already has conversations with, most recent first. */
  stickySenderIds?: number[];
}

export type RouteDecision =
  | { allowed: true; sender: Sender; phone: ParsedPhone }
  | { allowed: false; error: SendError; phone: ParsedPhone };

export interface RouteOptions {
  /** Checked (1 to 1600 characters) when given. */
  body?: string;
  /**
   * Keyword auto-replies and double opt-in requests skip the consent check: the confirmation
   * must reach who just opted out, the request who has not confirmed yet.
   */
  skipOptOutCheck?: boolean;
}

/** Carriers in these regions do not accept alphanumeric sender IDs. */
const NO_ALPHANUMERIC = new Set(['US', 'CA']);
const CROSS_BORDER_TYPES = new Set<SenderType>([SenderType.LONG_CODE, SenderType.TOLL_FREE]);

/** The order in which types are tried for a recipient of a region. */
export function typePriority(region: string): SenderType[] {
  const local = region === 'CA' ? [SenderType.TOLL_FREE, SenderType.LONG_CODE] : [SenderType.LONG_CODE, SenderType.TOLL_FREE];
  return NO_ALPHANUMERIC.has(region) ? [SenderType.SHORT_CODE, ...local] : [SenderType.SHORT_CODE, SenderType.ALPHANUMERIC, ...local];
}

/** Senders grouped once per context, so that each decision is a few map look-ups. */
interface SenderIndex {
  byId: Map<number, Sender>;
  /** region -> the senders of the first type present there, in that region's priority. */
  localChoice: Map<string, Sender[]>;
  /** Cross-border candidates of the home country: long codes, else toll-free numbers. */
  fallbackHome: Sender[];
  /** recipient region -> cross-border candidates of every other region, filled on demand. */
  fallbackOther: Map<string, Sender[]>;
}

const indexes = new WeakMap<RoutingContext, SenderIndex>();

function indexOf(ctx: RoutingContext): SenderIndex {
  let index = indexes.get(ctx);
  if (index) return index;
  const sorted = [...ctx.senders].sort((a, b) => a.id - b.id);
  const byRegionType = new Map<string, Map<SenderType, Sender[]>>();
  for (const sender of sorted) {
    const types = byRegionType.get(sender.country) ?? new Map<SenderType, Sender[]>();
    byRegionType.set(sender.country, types);
    types.set(sender.type, [...(types.get(sender.type) ?? []), sender]);
  }
  const localChoice = new Map<string, Sender[]>();
  for (const [region, types] of byRegionType) {
    const type = typePriority(region).find((t) => types.has(t));
    if (type) localChoice.set(region, types.get(type)!);
  }
  index = {
    byId: new Map(sorted.map((s) => [s.id, s])),
    localChoice,
    fallbackHome: crossBorder(sorted.filter((s) => s.country === ctx.homeCountry)),
    fallbackOther: new Map(),
  };
  indexes.set(ctx, index);
  return index;
}

/** Long codes carry international traffic best; toll-free numbers only where there is no long code. */
function crossBorder(senders: Sender[]): Sender[] {
  const longCodes = senders.filter((s) => s.type === SenderType.LONG_CODE);
  return longCodes.length ? longCodes : senders.filter((s) => s.type === SenderType.TOLL_FREE);
}

/**
 * The one routing decision of the contract, used by `route`, campaigns and replies alike:
 * account checks (suspension, body, number, prefix block, geo), then opt-out and double opt-in, then the sender.
 */
export function decideRoute(ctx: RoutingContext, recipient: RouteRecipient, options: RouteOptions = {}): RouteDecision {
  const { phone } = recipient;
  const refusal = checkRecipient(ctx.policy, phone, options.body);
  if (refusal) return { allowed: false, error: refusal, phone };
  if (!options.skipOptOutCheck && recipient.membership === 'UNSUBSCRIBED') {
    return { allowed: false, error: sendError(SendErrorCode.RECIPIENT_UNSUBSCRIBED, `${phone.e164} has opted out of the group`), phone };
  }
  if (!options.skipOptOutCheck && recipient.membership === 'PENDING') {
    return { allowed: false, error: sendError(SendErrorCode.RECIPIENT_NOT_CONFIRMED, `${phone.e164} has not confirmed the group's double opt-in request yet`), phone };
  }
  // checkRecipient passed, so the number is valid and has a region.
  const region = phone.country!;
  const sender = chooseSender(ctx, region, phone.e164, recipient.stickySenderIds);
  if (sender) return { allowed: true, sender, phone };
  const why = ctx.group.internationalFallback
    ? 'and no long code or toll-free number to send across the border'
    : 'and international fallback is off';
  return { allowed: false, error: sendError(SendErrorCode.NO_ELIGIBLE_SENDER, `the group has no sender in ${region} for ${phone.e164} ${why}`), phone };
}

/** Sender choice of the contract: sticky, then type priority in the region, then fallback. */
export function chooseSender(ctx: RoutingContext, region: string, e164: string, stickySenderIds: readonly number[] = []): Sender | null {
  const index = indexOf(ctx);
  for (const id of stickySenderIds) {
    const sticky = index.byId.get(id);
    if (sticky && maySendTo(ctx, sticky, region)) return sticky;
  }
  const local = index.localChoice.get(region);
  if (local) return pickStable(local, e164);
  if (!ctx.group.internationalFallback) return null;
  if (index.fallbackHome.length) return pickStable(index.fallbackHome, e164);
  let other = index.fallbackOther.get(region);
  if (!other) {
    other = crossBorder([...index.byId.values()].filter((s) => s.country !== region));
    index.fallbackOther.set(region, other);
  }
  return other.length ? pickStable(other, e164) : null;
}

/**
 * A sticky sender keeps its conversation while it may reach the region at all: a sender of
 * that region, or a long code / toll-free number across the border where fallback is on.
 */
function maySendTo(ctx: RoutingContext, sender: Sender, region: string): boolean {
  if (sender.country === region) return sender.type !== SenderType.ALPHANUMERIC || !NO_ALPHANUMERIC.has(region);
  return ctx.group.internationalFallback && CROSS_BORDER_TYPES.has(sender.type);
}

/**
 * Rendezvous hashing: each recipient keeps its sender, the load spreads evenly, and adding or
 * removing one sender moves only the recipients that sender gains or loses.
 */
export function pickStable(senders: Sender[], e164: string): Sender {
  if (senders.length === 1) return senders[0];
  const base = fnv1a(e164);
  let best = senders[0];
  let bestScore = -1;
  for (const sender of senders) {
    const score = mix(base ^ Math.imul(sender.id, 0x9e3779b1));
    if (score > bestScore) {
      best = sender;
      bestScore = score;
    }
  }
  return best;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finaliser: spreads every input bit over the output. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
