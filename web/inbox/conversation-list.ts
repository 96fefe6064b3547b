import type { InboxConversation, InboxMessage } from './model';

// The conversation list as the page keeps it: pages fetched by cursor and live events merged in,
// newest activity first, as the server orders it, so that paging and live updates agree.

export type Show = 'all' | 'open' | 'closed' | 'unread';

export interface ListFilter {
  show: Show;
  groupId: string | null;
}

/** The `conversations` query's arguments for a filter. */
export function queryArguments(filter: ListFilter): { status: 'OPEN' | 'CLOSED' | null; unreadOnly: boolean; groupId: string | null } {
  return {
    status: filter.show === 'open' ? 'OPEN' : filter.show === 'closed' ? 'CLOSED' : null,
    unreadOnly: filter.show === 'unread',
    groupId: filter.groupId,
  };
}

export function matchesFilter(conversation: InboxConversation, filter: ListFilter): boolean {
  if (filter.groupId !== null && conversation.group.id !== filter.groupId) return false;
  if (filter.show === 'open') return conversation.status === 'OPEN';
  if (filter.show === 'closed') return conversation.status === 'CLOSED';
  if (filter.show === 'unread') return conversation.unreadCount > 0;
  return true;
}

const time = (iso: string) => Date.parse(iso);

/**
 * The server's order, lastMessageAt descending. Ids are opaque, so conversations of the same
 * millisecond keep the order they came in (the server's, for those of one page).
 */
export function byNewestActivity(a: InboxConversation, b: InboxConversation): number {
  return time(b.lastMessageAt) - time(a.lastMessageAt);
}

/** Of two copies of one conversation, the one with the later activity; on a tie the incoming one, read later. */
function fresher(held: InboxConversation, incoming: InboxConversation): InboxConversation {
  return time(held.lastMessageAt) > time(incoming.lastMessageAt) ? held : incoming;
}

/**
 * Conversations merged into the list: each once, the fresher copy kept, those the filter no
 * longer admits (a closed thread that a reply reopened, seen under "closed") dropped.
 */
export function mergeConversations(list: readonly InboxConversation[], incoming: readonly InboxConversation[], filter: ListFilter): InboxConversation[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  for (const conversation of incoming) {
    const held = byId.get(conversation.id);
    const kept = held ? fresher(held, conversation) : conversation;
    if (matchesFilter(kept, filter)) byId.set(conversation.id, kept);
    else byId.delete(conversation.id);
  }
  return [...byId.values()].sort(byNewestActivity);
}

/**
 * An outbound message (an agent's reply, from this tab or another) seen in a delivery event:
 * it becomes its conversation's last message when it is the newest, and moves it up.
 */
export function applyOutbound(list: readonly InboxConversation[], message: InboxMessage): InboxConversation[] {
  const index = list.findIndex((c) => c.contact.id === message.contact?.id && c.sender.id === message.sender?.id);
  if (index < 0) return [...list];
  const conversation = list[index];
  const last = conversation.lastMessage;
  const isNewest = !last || last.id === message.id || time(message.createdAt) > time(last.createdAt);
  if (!isNewest) return [...list];
  const lastMessageAt = time(message.createdAt) > time(conversation.lastMessageAt) ? message.createdAt : conversation.lastMessageAt;
  const updated = { ...conversation, lastMessage: message, lastMessageAt };
  return list.map((c, i) => (i === index ? updated : c)).sort(byNewestActivity);
}

/** A change made by this page (read, closed, reopened) applied to its copy in the list. */
export function updateConversation(list: readonly InboxConversation[], id: string, change: Partial<InboxConversation>): InboxConversation[] {
  return list.map((c) => (c.id === id ? { ...c, ...change } : c));
}
