import type { SubscriptionStatus } from '../contacts/membership.entity';
import { sendError, SendErrorCode, type SendError } from '../core/send-error';
import { decideRoute, type RoutingContext } from '../routing/routing';
import type { Sender } from '../groups/sender.entity';
import type { Message } from './message.entity';

export type HandOverVerdict =
  | { kind: 'send' }
  /** Its campaign was cancelled: FAILED with CAMPAIGN_CANCELLED, never sent. */
  | { kind: 'cancelled' }
  /** Its campaign's validity period ran out: FAILED with EXPIRED, never sent. */
  | { kind: 'expired' }
  /** A check of the send path fails now: the message is REJECTED with its error. */
  | { kind: 'refuse'; error: SendError }
  /** The campaign's send window is closed for the recipient now: it waits for the next opening. */
  | { kind: 'defer'; until: Date }
  /** The campaign message's sender may no longer send to it, another of the group may: it goes from that one. */
  | { kind: 'reroute'; sender: Sender };

/** The state the verdict is made from, read just before the hand-over (nothing cached). */
export interface HandOverState {
  /** Every sender named by the messages, removed ones included: what never changes of them. */
  senders: Map<number, SenderFacts>;
  /** groupId -> its routing context. */
  contexts: Map<number, RoutingContext>;
  /** `${groupId}:${contactId}` -> membership status. */
  memberships: Map<string, SubscriptionStatus>;
  /** message index -> the next opening of its send window (its campaign's and the law's hours), where it is closed now. */
  closedWindows: Map<number, number>;
  /** Indexes of the messages whose campaign was cancelled. */
  cancelled: Set<number>;
  /** The law's and the accounts' limits (src/compliance, read by lawVerdicts): expiry, never-open windows, frequency caps. */
  expired?: Set<number>;
  neverOpen?: Map<number, SendError>;
  /** The cap a campaign message would break (then REJECTED), or null after counting it as going. */
  frequency?: { take(message: Message, groupId: number): SendError | null };
}

/** What never changes of a sender: whether it may still send is its group's routing context's say. */
export type SenderFacts = Pick<Sender, 'id' | 'groupId' | 'value'>;

export interface HandOverStateSource {
  load(messages: readonly Message[], now: number): Promise<HandOverState>;
}

export const membershipKey = (groupId: number, contactId: number) => `${groupId}:${contactId}`;

/**
 * The send path's checks, made again for a message about to be handed over: the same decision
 * (decideRoute) that `route`, a launch, a reply or a keyword answer would get at this moment.
 */
export function judgeHandOver(message: Message, index: number, state: HandOverState): HandOverVerdict {
  if (state.cancelled.has(index)) return { kind: 'cancelled' };
  if (state.expired?.has(index)) return { kind: 'expired' };
  const sender = message.senderId === null ? undefined : state.senders.get(message.senderId);
  const ctx = sender && state.contexts.get(sender.groupId);
  if (!sender || !ctx) return { kind: 'refuse', error: sendError(SendErrorCode.NO_ELIGIBLE_SENDER, 'the message has no sender any more') };
  const membership = message.contactId === null ? null : state.memberships.get(membershipKey(sender.groupId, message.contactId)) ?? null;
  const decision = decideRoute(
    ctx,
    { phone: { e164: message.to, country: message.country, valid: true }, membership, stickySenderIds: [sender.id] },
    { body: message.body, skipOptOutCheck: message.optOutExempt },
  );
  if (!decision.allowed) return { kind: 'refuse', error: decision.error };
  if (decision.sender.id !== sender.id) {
    // A reply belongs to its conversation's sender; only a campaign message may change sender.
    if (message.campaignId === null) {
      return { kind: 'refuse', error: sendError(SendErrorCode.NO_ELIGIBLE_SENDER, `the conversation's sender ${sender.value} may no longer send to ${message.to}`) };
    }
    return { kind: 'reroute', sender: decision.sender };
  }
  const never = state.neverOpen?.get(index);
  if (never) return { kind: 'refuse', error: never };
  const opening = state.closedWindows.get(index);
  if (opening !== undefined) return { kind: 'defer', until: new Date(opening) };
  const capped = message.campaignId === null ? null : state.frequency?.take(message, sender.groupId);
  if (capped) return { kind: 'refuse', error: capped };
  return { kind: 'send' };
}
