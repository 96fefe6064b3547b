import type { InboxConversation, InboxMessage, MessageStatus } from './model';

// One conversation's messages as the thread view keeps them: fetched pages, the agent's own
// sends and delivery events merged, oldest first, each status only ever moving forward.

const STATUS_RANK: Record<MessageStatus, number> = {
  QUEUED: 0,
  SENDING: 1,
  SENT: 2,
  DELIVERED: 3,
  UNDELIVERED: 3,
  FAILED: 3,
  REJECTED: 3,
  RECEIVED: 3,
};

/** A message of this page's own, not yet answered by the server, has an id of this prefix. */
export const PENDING_PREFIX = 'pending-';

const isPending = (message: InboxMessage) => message.id.startsWith(PENDING_PREFIX);

const DIRECTION_RANK = { INBOUND: 0, OUTBOUND: 1 };

/**
 * The server's messages by the time they were written (ids are opaque and say nothing of
 * order), a reply before its answer within one millisecond; then the pending ones in the
 * order they were typed.
 */
function oldestFirst(a: InboxMessage, b: InboxMessage): number {
  if (isPending(a) !== isPending(b)) return isPending(a) ? 1 : -1;
  if (isPending(a)) return Number(a.id.slice(PENDING_PREFIX.length)) - Number(b.id.slice(PENDING_PREFIX.length));
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || DIRECTION_RANK[a.direction] - DIRECTION_RANK[b.direction];
}

/** Of two copies of one message, the one further on; a final status is never replaced. */
function furtherOn(held: InboxMessage, incoming: InboxMessage): InboxMessage {
  return STATUS_RANK[incoming.status] >= STATUS_RANK[held.status] ? incoming : held;
}

/** A delivery event may bring the agent's message before the answer to its send: it takes the place of its pending copy. */
function dropPendingCopy(byId: Map<string, InboxMessage>, message: InboxMessage): void {
  if (message.direction !== 'OUTBOUND') return;
  for (const [id, held] of byId) {
    if (isPending(held) && held.body === message.body) {
      byId.delete(id);
      return;
    }
  }
}

export function mergeMessages(thread: readonly InboxMessage[], incoming: readonly InboxMessage[]): InboxMessage[] {
  const byId = new Map(thread.map((m) => [m.id, m]));
  for (const message of incoming) {
    const held = byId.get(message.id);
    if (!held && !isPending(message)) dropPendingCopy(byId, message);
    byId.set(message.id, held ? furtherOn(held, message) : message);
  }
  return [...byId.values()].sort(oldestFirst);
}

/** The server's answer to a send takes the place of its pending copy (a delivery event may have brought it first). */
export function settlePending(thread: readonly InboxMessage[], pendingId: string, sent: InboxMessage | null): InboxMessage[] {
  const rest = thread.filter((m) => m.id !== pendingId);
  return sent ? mergeMessages(rest, [sent]) : rest;
}

/** A thread holds every message between its contact and its sender, campaign messages included. */
export function belongsTo(message: InboxMessage, conversation: Pick<InboxConversation, 'contact' | 'sender'>): boolean {
  return message.contact?.id === conversation.contact.id && message.sender?.id === conversation.sender.id;
}

const STATUS_WORDS: Record<MessageStatus, string> = {
  QUEUED: 'Queued',
  SENDING: 'Sending',
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  UNDELIVERED: 'Undelivered',
  FAILED: 'Failed',
  REJECTED: 'Not sent',
  RECEIVED: 'Received',
};

/** An outbound message's delivery status in words, with the reason when it did not arrive. */
export function statusLabel(message: InboxMessage): string {
  if (isPending(message)) return 'Sending';
  const words = STATUS_WORDS[message.status];
  return message.error ? `${words}: ${message.error.message}` : words;
}
