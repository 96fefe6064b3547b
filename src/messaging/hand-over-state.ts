import type { SubscriptionStatus } from '../contacts/membership.entity';
import type { RoutingContext } from '../routing/routing';
import type { SendError } from '../core/send-error';
import { membershipKey, type HandOverState, type HandOverStateSource, type SenderFacts } from './hand-over-guard';
import type { Message } from './message.entity';

/** What the guard reads, each from the domain that owns it. */
export interface HandOverReaders {
  /** senderId -> its group and number, removed senders included (facts that never change, so they may come from memory). */
  senderFacts(ids: readonly number[]): Promise<Map<number, SenderFacts>>;
  routingContexts(groupIds: readonly number[]): Promise<Map<number, RoutingContext>>;
  membershipStatuses(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>>;
  campaignVerdicts(messages: readonly Message[], now: number): Promise<{ closedWindows: Map<number, number>; cancelled: Set<number>; expired?: Set<number>; neverOpen?: Map<number, SendError> }>;
  /** The law's hours for messages outside campaigns, and the frequency caps (src/compliance/hand-over-law.ts). */
  lawVerdicts?(messages: readonly Message[], now: number): Promise<Pick<HandOverState, 'frequency'> & { closedWindows: Map<number, number> }>;
}

/**
 * Reads the state of every rule for a batch about to be handed over, in one round of queries
 * made at once, with no cache of anything that can change, so that a change made a moment
 * ago, on any instance, is seen.
 */
export class FreshHandOverState implements HandOverStateSource {
  constructor(private readonly read: HandOverReaders) {}

  async load(messages: readonly Message[], now: number): Promise<HandOverState> {
    const senderIds = [...new Set(messages.map((m) => m.senderId).filter((id): id is number => id !== null))];
    const senders = await this.read.senderFacts(senderIds);
    const contactsByGroup = new Map<number, Set<number>>();
    for (const message of messages) {
      const groupId = message.senderId === null ? undefined : senders.get(message.senderId)?.groupId;
      if (groupId === undefined || message.contactId === null) continue;
      const contacts = contactsByGroup.get(groupId) ?? new Set<number>();
      contactsByGroup.set(groupId, contacts.add(message.contactId));
    }
    const [{ closedWindows, cancelled, expired, neverOpen }, law, contexts, statuses] = await Promise.all([
      this.read.campaignVerdicts(messages, now),
      this.read.lawVerdicts?.(messages, now),
      this.read.routingContexts([...new Set([...senders.values()].map((s) => s.groupId))]),
      Promise.all([...contactsByGroup].map(async ([groupId, contactIds]) => ({ groupId, found: await this.read.membershipStatuses(groupId, [...contactIds]) }))),
    ]);
    for (const [index, opening] of law?.closedWindows ?? []) closedWindows.set(index, opening);
    const memberships = new Map<string, SubscriptionStatus>();
    for (const { groupId, found } of statuses) for (const [contactId, status] of found) memberships.set(membershipKey(groupId, contactId), status);
    return { senders, contexts, memberships, closedWindows, cancelled, expired, neverOpen, frequency: law?.frequency };
  }
}
