import { randomBytes } from 'node:crypto';
import type { TestApp } from './app';
import { createAccount, type AccountFixture } from './fixtures';
import { postTwilioWebhook } from './twilio-webhook';

let numberSeq = 0;

/** A fresh valid US number each call (202-555-1xxx), so sender values never collide within a run. */
export function usNumber(): string {
  numberSeq += 1;
  return `+1202555${String(1000 + numberSeq).slice(-4)}`;
}

/** A Twilio-shaped MessageSid, unique. */
export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

export interface InboxFixture {
  account: AccountFixture;
  groupId: string;
  senderId: string;
  senderValue: string;
}

/** An account with one group and one US long code: the number contacts write to. */
export async function setupInbox(app: TestApp, name: string, account?: AccountFixture): Promise<InboxFixture> {
  const owner = account ?? (await createAccount(app, name, 'US'));
  const group = await app.ok<{ createSubscriptionGroup: { id: string } }>(
    `mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id } }`,
    { input: { name: `${name} group`, accountId: owner.id } },
    owner.key,
  );
  const senderValue = usNumber();
  const sender = await app.ok<{ addSender: { id: string } }>(
    `mutation($g: ID!, $input: SenderInput!) { addSender(groupId: $g, input: $input) { id } }`,
    { g: group.createSubscriptionGroup.id, input: { type: 'LONG_CODE', value: senderValue } },
    owner.key,
  );
  return { account: owner, groupId: group.createSubscriptionGroup.id, senderId: sender.addSender.id, senderValue };
}

/** Posts a signed inbound SMS as Twilio would; `params` override or add fields. */
export function postInbound(app: TestApp, params: Record<string, string>, options: { signature?: string; authToken?: string } = {}) {
  return postTwilioWebhook(app, '/webhooks/twilio/inbound', { AccountSid: 'AC00000000000000000000000000000000', NumMedia: '0', ...params }, options);
}

export const CONVERSATION_FIELDS = `
  id status unreadCount lastMessageAt createdAt
  account { id } group { id } sender { id value }
  contact { id phoneNumber country }
  lastMessage { id body direction }
`;

/** The account's conversation with a number, as its inbox sees it. */
export async function conversationWith(app: TestApp, inbox: InboxFixture, phoneNumber: string): Promise<any | null> {
  const data = await app.ok<{ conversations: { nodes: any[] } }>(
    `query($a: ID) { conversations(accountId: $a, first: 500) { nodes { ${CONVERSATION_FIELDS} } } }`,
    { a: inbox.account.id },
    inbox.account.key,
  );
  return data.conversations.nodes.find((c) => c.contact.phoneNumber === phoneNumber) ?? null;
}

export async function messagesOf(app: TestApp, inbox: InboxFixture, conversationId: string): Promise<any[]> {
  const data = await app.ok<{ conversation: { messages: { nodes: any[] } } }>(
    `query($id: ID!) { conversation(id: $id) { messages(first: 500) { nodes { id direction status body from to encoding segments providerSid createdAt numMedia mediaUrls } } } }`,
    { id: conversationId },
    inbox.account.key,
  );
  return data.conversation.messages.nodes;
}

export async function membershipOf(app: TestApp, inbox: InboxFixture, phoneNumber: string): Promise<{ status: string; source: string } | null> {
  const data = await app.ok<{ contactByPhone: { memberships: Array<{ status: string; source: string; group: { id: string } }> } | null }>(
    `query($p: String!, $a: ID) { contactByPhone(phoneNumber: $p, accountId: $a) { memberships { status source group { id } } } }`,
    { p: phoneNumber, a: inbox.account.id },
    inbox.account.key,
  );
  return data.contactByPhone?.memberships.find((m) => m.group.id === inbox.groupId) ?? null;
}

/** Waits until check passes (the send path is asynchronous), or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
