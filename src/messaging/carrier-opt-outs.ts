import type { ConsentCause } from '../contacts/consent-ledger';
import { SubscriptionStatus } from '../contacts/membership.entity';
import { encode } from '../core/ids';
import type { Logger } from '../core/logger';
import type { Sender } from '../groups/sender.entity';
import type { Message } from './message.entity';

/** Twilio's error for a recipient who replied STOP to the carrier itself. */
export const CARRIER_OPT_OUT_CODE = 21610;

export interface CarrierOptOutWriters {
  senderById(id: number): Promise<Sender | null>;
  contactIdByPhone(accountId: number, e164: string): Promise<number | null>;
  setMembership(groupId: number, contactId: number, status: SubscriptionStatus.UNSUBSCRIBED, cause: ConsentCause & { source: 'CARRIER' }): Promise<unknown>;
}

/**
 * The carrier's opt-outs count as the recipient's own: a 21610 (from the REST answer or a status
 * callback) unsubscribes the contact from the group of the message's sender, so that later
 * messages are refused before they cost a request.
 */
export class CarrierOptOuts {
  constructor(
    private readonly writers: CarrierOptOutWriters,
    private readonly log: Logger,
  ) {}

  async record(message: Message): Promise<void> {
    const sender = message.senderId === null ? null : await this.writers.senderById(message.senderId);
    const contactId = message.contactId ?? (await this.writers.contactIdByPhone(message.accountId, message.to));
    if (!sender || contactId === null) {
      this.log.warn({ messageId: message.id }, 'carrier opt-out (21610) for a message with no sender or contact: nothing to unsubscribe');
      return;
    }
    await this.writers.setMembership(sender.groupId, contactId, SubscriptionStatus.UNSUBSCRIBED, { source: 'CARRIER', cause: `carrier:${CARRIER_OPT_OUT_CODE}:${encode('msg', message.id)}` });
    this.log.info({ messageId: message.id, groupId: sender.groupId, contactId }, 'the carrier reports an opt-out (21610): membership UNSUBSCRIBED');
  }
}
