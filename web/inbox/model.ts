// The shapes the page reads from the public GraphQL API (see queries.ts), and nothing more.

export type MessageStatus = 'QUEUED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'UNDELIVERED' | 'FAILED' | 'REJECTED' | 'RECEIVED';
export type ConversationStatus = 'OPEN' | 'CLOSED';
export type KeywordCategory = 'OPT_OUT' | 'OPT_IN' | 'HELP';

export interface SendError {
  code: string;
  message: string;
  providerCode?: number | null;
}

export interface InboxMessage {
  id: string;
  direction: 'INBOUND' | 'OUTBOUND';
  body: string;
  status: MessageStatus;
  createdAt: string;
  error: SendError | null;
  contact: { id: string } | null;
  sender: { id: string } | null;
  campaign: { id: string; name: string } | null;
}

export interface InboxContact {
  id: string;
  phoneNumber: string;
  firstName: string | null;
  lastName: string | null;
}

export interface InboxConversation {
  id: string;
  status: ConversationStatus;
  unreadCount: number;
  lastMessageAt: string;
  contact: InboxContact;
  sender: { id: string; value: string };
  group: { id: string; name: string };
  lastMessage: InboxMessage | null;
}

export interface InboxGroup {
  id: string;
  name: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export function contactName(contact: InboxContact): string | null {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ').trim();
  return name || null;
}
