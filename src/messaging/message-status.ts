import { MessageStatus } from './message.entity';

// Statuses only move forward: QUEUED < SENDING < SENT < DELIVERED / UNDELIVERED / FAILED.
const RANK: Partial<Record<MessageStatus, number>> = {
  [MessageStatus.QUEUED]: 0,
  [MessageStatus.SENDING]: 1,
  [MessageStatus.SENT]: 2,
  [MessageStatus.DELIVERED]: 3,
  [MessageStatus.UNDELIVERED]: 3,
  [MessageStatus.FAILED]: 3,
};

export const FINAL_STATUSES = [MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.FAILED];

/** True when a message in `from` may move to `to`: forward only, and a final status is never replaced. */
export function movesForward(from: MessageStatus, to: MessageStatus): boolean {
  const a = RANK[from];
  const b = RANK[to];
  return a !== undefined && b !== undefined && a < 3 && b > a;
}

/** A status's place in the forward order (QUEUED first); statuses outside it last. */
export function statusRank(status: MessageStatus): number {
  return RANK[status] ?? 4;
}

/** Twilio's MessageStatus values, as the contract maps them; null for one we do not know. */
export function fromTwilioStatus(value: string): MessageStatus | null {
  switch (value.trim().toLowerCase()) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return MessageStatus.QUEUED;
    case 'sending':
      return MessageStatus.SENDING;
    case 'sent':
      return MessageStatus.SENT;
    case 'delivered':
    // A read receipt implies delivery.
    case 'read':
      return MessageStatus.DELIVERED;
    case 'undelivered':
      return MessageStatus.UNDELIVERED;
    case 'failed':
    case 'canceled':
      return MessageStatus.FAILED;
    default:
      return null;
  }
}

/** Short descriptions of the carrier error codes Twilio reports most, for the message's error text. */
const TWILIO_ERRORS: Record<number, string> = {
  30001: 'Queue overflow',
  30002: 'Account suspended',
  30003: 'Unreachable destination handset',
  30004: 'Message blocked',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Carrier violation (message filtered)',
  30008: 'Unknown error',
  30034: 'Message from an unregistered number',
  21211: "Invalid 'To' phone number",
  21408: 'Permission to send an SMS has not been enabled for the region',
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
  21606: "The 'From' phone number provided is not a valid message-capable phone number for this destination",
  21617: 'The concatenated message body exceeds the 1600 character limit',
};

export function describeTwilioError(code: number | null, status: MessageStatus): string {
  const what = status === MessageStatus.UNDELIVERED ? 'undelivered' : 'failed';
  if (code === null) return `the carrier reports the message ${what}`;
  return `the carrier reports the message ${what}: error ${code}${TWILIO_ERRORS[code] ? ` (${TWILIO_ERRORS[code]})` : ''}`;
}
