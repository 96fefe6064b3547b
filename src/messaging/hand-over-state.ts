import type { SubscriptionStatus } from '../contacts/membership.entity';
import type { RoutingContext } from '../routing/routing';
import type { Sender } from '../groups/sender.entity';
import type { SendError } from '../core/send-error';
import { membershipKey, type HandOverState, type HandOverStateSource } from './hand-over-guard';
import type { Message } from './message.entity';

/** What the guard reads, each from the domain that owns it. */
export interface HandOverReaders {
  sendersByIds(ids: readonly number[]): Promise<Sender[]>;
  routingContexts(groupIds: readonly number[]): Promise<Map<number, RoutingContext>>;
  membershipStatuses(groupId: number, contactIds: readonly number[]): Promise<Map<number, SubscriptionStatus>>;
  campaignVerdicts(messages: readonly Message[], now: number): Promise<{ closedWindows: Map<number, number>; cancelled: Set<number>; expired?: Set<number>; neverOpen?: Map<number, SendError> }>;
  /** The law's hours for messages outside campaigns, and the frequency caps (src/compliance/hand-over-law.ts). */
  lawVerdicts?(messages: readonly Message[], now: number): Promise<Pick<HandOverState, 'frequency'> & { closedWindows: Map<number, number> }>;
}

/**
 * Reads the state of every rule for a batch about to be handed over, in a fixed number of
 * queries per batch and with no cache, so that a change made a moment ago, on any instance,
 * is seen.
 */
export class FreshHandOverState implements HandOverStateSource {
  constructor(private readonly read: HandOverReaders) {}

  async load(messages: readonly Message[], now: number): Promise<HandOverState> {
    const senderIds = [...new Set(messages.map((m) => m.senderId).filter((id): id is number => id !== null))];
    const [senderRows, { closedWindows, cancelled, expired, neverOpen }, law] = await Promise.all([this.read.sendersByIds(senderIds), this.read.campaignVerdicts(messages, now), this.read.lawVerdicts?.(messages, now)]);
    for (const [index, opening] of law?.closedWindows ?? []) closedWindows.set(index, opening);
    const senders = new Map(senderRows.map((s) => [s.id, s]));
    const contactsByGroup = new Map<number, Set<number>>();
    for (const message of messages) {
      const sender = message.senderId === null ? undefined : senders.get(message.senderId);
      if (!sender || message.contactId === null) continue;
      const contacts = contactsByGroup.get(sender.groupId) ?? new Set<number>();
      contactsByGroup.set(sender.groupId, contacts.add(message.contactId));
    }
    const groupIds = [...new Set(senderRows.map((s) => s.groupId))];
    const [contexts, statuses] = await Promise.all([
      this.read.routingContexts(groupIds),
      Promise.all([...contactsByGroup].map(async ([groupId, contactIds]) => ({ groupId, found: await this.read.membershipStatuses(groupId, [...contactIds]) }))),
    ]);
    const memberships = new Map<string, SubscriptionStatus>();
    for (const { groupId, found } of statuses) for (const [contactId, status] of found) memberships.set(membershipKey(groupId, contactId), status);
    return { senders, contexts, memberships, closedWindows, cancelled, expired, neverOpen, frequency: law?.frequency };
  }
}
