import { randomBytes } from 'node:crypto';
import { bootApp, describeEachDatabase, type TestApp } from './helpers/app';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { createAccount } from './helpers/fixtures';
import { InboundContactsRepository } from '../src/contacts/inbound-contacts.repository';
import { InboundThreadsRepository } from '../src/conversations/inbound-threads.repository';
import { encode } from '../src/core/ids';
import { InboundSendersRepository } from '../src/groups/inbound-senders.repository';
import { senderValueKey } from '../src/groups/sender-rules';
import { InboundMessagesRepository } from '../src/messaging/inbound-messages.repository';
import { queriesDuring } from './helpers/query-count';
import { conversationWith, membershipOf, messageSid, messagesOf, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

// Inbound look-ups are grouped under load (conversations/inbound-lookups.ts): replies arriving
// together share one statement. Each must still land in its own thread, and nothing about a
// sender is remembered between replies: a removed or moved number is seen by the very next one,
// on this instance or another.

async function post(app: TestApp, to: string, from: string, body: string): Promise<void> {
  const res = await postInbound(app, { MessageSid: messageSid(), From: from, To: to, Body: body });
  expect(res.status).toBe(200);
}

/** The contact's conversation with the inbox's group (one account may hold several groups). */
async function threadOf(app: TestApp, inbox: InboxFixture, from: string): Promise<any | null> {
  const data = await app.ok<{ conversations: { nodes: any[] } }>(
    `query($a: ID, $g: ID) { conversations(accountId: $a, groupId: $g, first: 500) { nodes { id unreadCount contact { phoneNumber } sender { value } group { id } } } }`,
    { a: inbox.account.id, g: inbox.groupId },
    inbox.account.key,
  );
  return data.conversations.nodes.find((c) => c.contact.phoneNumber === from) ?? null;
}

async function bodiesOf(app: TestApp, inbox: InboxFixture, from: string): Promise<string[] | null> {
  const conversation = await threadOf(app, inbox, from);
  if (!conversation) return null;
  return (await messagesOf(app, inbox, conversation.id)).filter((m) => m.direction === 'INBOUND').map((m) => m.body).sort();
}

async function addSender(app: TestApp, inbox: InboxFixture, value: string): Promise<string> {
  const data = await app.ok<{ addSender: { id: string } }>(`mutation($g: ID!, $i: SenderInput!) { addSender(groupId: $g, input: $i) { id } }`, { g: inbox.groupId, i: { type: 'LONG_CODE', value } }, inbox.account.key);
  return data.addSender.id;
}

async function removeSender(app: TestApp, inbox: InboxFixture, id: string): Promise<void> {
  await app.ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id }, inbox.account.key);
}

/** Removal, then the number added to another account's group: replies follow the number at once. */
async function moveNumberAcross(write: TestApp, read: TestApp): Promise<void> {
  const first = await setupInbox(write, 'Number owner');
  const second = await setupInbox(write, 'Number taker');
  const contact = usNumber();
  await post(read, first.senderValue, contact, 'before the move');
  expect(await bodiesOf(write, first, contact)).toEqual(['before the move']);

  await removeSender(write, first, first.senderId);
  await post(read, first.senderValue, contact, 'to a removed number');
  expect(await bodiesOf(write, first, contact)).toEqual(['before the move']);

  await addSender(write, second, first.senderValue);
  await post(read, first.senderValue, contact, 'after the move');
  expect(await bodiesOf(write, first, contact)).toEqual(['before the move']);
  expect(await bodiesOf(write, second, contact)).toEqual(['after the move']);
}

/** A suspended account still receives and records an opt-out, but nothing leaves it: no confirmation is queued. */
async function suspendThenStop(write: TestApp, read: TestApp): Promise<void> {
  const inbox = await setupInbox(write, 'Suspended inbox');
  const contact = usNumber();
  await post(read, inbox.senderValue, contact, 'hello');
  await write.ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "unpaid") { id } }`, { id: inbox.account.id });
  await post(read, inbox.senderValue, contact, 'STOP');
  const conversation = await conversationWith(write, inbox, contact);
  const messages = await messagesOf(write, inbox, conversation.id);
  expect(messages.filter((m) => m.direction === 'INBOUND').map((m) => m.body).sort()).toEqual(['STOP', 'hello']);
  expect(messages.filter((m) => m.direction === 'OUTBOUND')).toEqual([]);
  expect(await membershipOf(write, inbox, contact)).toMatchObject({ status: 'UNSUBSCRIBED' });
}

describeEachDatabase('grouped inbound look-ups', (app) => {
  it('threads a burst of replies to many numbers and contacts, new and known, each into its own conversation', async () => {
    const owner = await createAccount(app(), 'Burst owner');
    const inboxes = [await setupInbox(app(), 'Burst one', owner), await setupInbox(app(), 'Burst two', owner), await setupInbox(app(), 'Burst other tenant')];
    const contacts = Array.from({ length: 6 }, () => usNumber());
    // Half the threads exist before the burst, half are made by it.
    for (const inbox of inboxes) for (const contact of contacts.slice(0, 3)) await post(app(), inbox.senderValue, contact, `known ${contact}`);

    const expected = new Map<string, string[]>();
    const posts: Array<() => Promise<void>> = [];
    inboxes.forEach((inbox, i) => contacts.forEach((contact) => {
      const bodies = Array.from({ length: 4 }, (_, n) => `${i}:${contact}:${n}`);
      expected.set(`${i}:${contact}`, [...(contacts.indexOf(contact) < 3 ? [`known ${contact}`] : []), ...bodies].sort());
      for (const body of bodies) posts.push(() => post(app(), inbox.senderValue, contact, body));
    }));
    await Promise.all(posts.map((p) => p()));

    for (const [i, inbox] of inboxes.entries()) {
      for (const contact of contacts) expect(await bodiesOf(app(), inbox, contact)).toEqual(expected.get(`${i}:${contact}`));
      const conversation = await threadOf(app(), inbox, contacts[5]);
      expect(conversation).toMatchObject({ unreadCount: 4, sender: { value: inbox.senderValue }, group: { id: inbox.groupId } });
    }
  });

  it('sees a removed number, and the group it moved to, at the very next reply', async () => {
    await moveNumberAcross(app(), app());
  });

  it('records an opt-out to a suspended account without sending a confirmation', async () => {
    await suspendThenStop(app(), app());
  });
});

/** Rows each reading of the messages table `m` went through (MariaDB's ANALYZE runs the statement and counts). */
function rowsReadOfM(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  const here = node as Record<string, unknown>;
  const own = here.table_name === 'm' ? Number(here.r_rows ?? 0) * Number(here.r_loops ?? 1) : 0;
  return own + Object.values(here).reduce<number>((sum, child) => sum + rowsReadOfM(child), 0);
}

describeEachDatabase('the reply look-up on a long thread', (app) => {
  // A reply is credited to the campaign of the thread's latest outbound message. That read once
  // walked back over every reply since the last outbound message, so each reply of a long
  // thread cost more than the one before it; it must read the outbound rows only, alone and
  // when replies arriving together are looked up in one statement.
  let inbox: InboxFixture;
  const contact = usNumber();
  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Long thread');
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, n) => post(app(), inbox.senderValue, contact, `reply ${i + n}`)));
    }
  });

  it.each([
    { case: 'one reply alone', keys: ['thread'] },
    { case: 'replies looked up together', keys: ['thread', 'new contact', 'thread', 'unknown number'] },
  ])('reads none of the thread\'s earlier replies to find its campaign: $case', async ({ keys }) => {
    const ds = app().server.services.dataSource;
    const threads = new InboundThreadsRepository(ds, new InboundSendersRepository(ds), new InboundContactsRepository(ds), new InboundMessagesRepository(ds));
    const activeValue = senderValueKey(inbox.senderValue);
    const newContact = usNumber();
    const asked = keys.map((key) => (key === 'unknown number' ? { activeValue: senderValueKey(usNumber()), from: contact } : { activeValue, from: key === 'thread' ? contact : newContact }));
    const { result: answers, statements } = await queriesDuring(ds, () => threads.lookUpMany(asked));
    const lookUp = statements.find((q) => q.sql.includes('last_campaign_id'));
    if (!lookUp) throw new Error('the look-up ran no statement naming last_campaign_id');

    const thread = await threadOf(app(), inbox, contact);
    expect(answers.map((a) => a && { sender: a.sender.value, contact: a.contact?.phoneNumber ?? null, conversation: a.conversation ? encode('cnv', a.conversation.id) : null })).toEqual(keys.map((key) => (
      key === 'unknown number' ? null
        : key === 'thread' ? { sender: inbox.senderValue, contact, conversation: thread.id }
          : { sender: inbox.senderValue, contact: null, conversation: null })));
    if (ds.options.type === 'better-sqlite3') {
      const plan: Array<{ detail: string }> = await ds.query(`EXPLAIN QUERY PLAN ${lookUp.sql}`, lookUp.parameters);
      const ofM = plan.map((row) => row.detail).filter((detail) => /\bm\b/.test(detail));
      expect(ofM).toEqual([expect.stringMatching(/SEARCH m USING .*INDEX IDX_messages_contact_sender_direction \(contact_id=\? AND sender_id=\? AND direction=\?\)/)]);
    } else {
      const [analysed]: Array<Record<string, string>> = await ds.query(`ANALYZE FORMAT=JSON ${lookUp.sql}`, lookUp.parameters);
      expect(rowsReadOfM(JSON.parse(Object.values(analysed)[0]))).toBe(0);
    }
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;

for (const kind of databaseKinds()) {
  describeWithRedis(`inbound look-ups on two instances sharing Redis [${kind}]`, () => {
    let database: FreshDatabase;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      database = await freshDatabase(kind);
      const env = { REDIS_URL: REDIS_URL!, REDIS_PREFIX: `sbtest-${randomBytes(4).toString('hex')}` };
      a = await bootApp(kind, { database, env });
      b = await bootApp(kind, { database, env });
    });

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await database?.drop();
    });

    it('sees on one instance a number removed and moved on the other, at the very next reply', async () => {
      await moveNumberAcross(a, b);
    });

    it('sees on one instance an account suspended on the other, at the very next reply', async () => {
      await suspendThenStop(a, b);
    });
  });
}
