import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createSubaccount, enableCountries } from './helpers/fixtures';
import { conversationWith, eventually, messagesOf, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';
import { queriesDuring } from './helpers/query-count';

const INBOX = `query($a: ID, $status: ConversationStatus, $unread: Boolean, $g: ID, $c: ID, $first: Int, $after: String) {
  conversations(accountId: $a, status: $status, unreadOnly: $unread, groupId: $g, contactId: $c, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id status unreadCount contact { id phoneNumber } lastMessage { body } }
  }
}`;

async function inboxPage(app: TestApp, key: string, vars: Record<string, unknown> = {}) {
  return (await app.ok<{ conversations: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: any[] } }>(INBOX, vars, key)).conversations;
}

async function say(app: TestApp, inbox: InboxFixture, from: string, body: string) {
  const res = await postInbound(app, { MessageSid: `SM${Math.random().toString(16).slice(2)}${Date.now()}`, From: from, To: inbox.senderValue, Body: body });
  expect(res.status).toBe(200);
}

const SEND_REPLY = `mutation($id: ID!, $body: String!) { sendReply(conversationId: $id, body: $body) { id direction status from to body } }`;

describeEachDatabase('conversations', (app) => {
  let inbox: InboxFixture;
  const numbers = [usNumber(), usNumber(), usNumber()];

  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Threads');
    for (const [i, n] of numbers.entries()) await say(app(), inbox, n, `hello ${i}`);
  });

  it('lists the inbox newest activity first, and moves a thread up when it gets a reply', async () => {
    let page = await inboxPage(app(), inbox.account.key);
    expect(page.nodes.map((c) => c.contact.phoneNumber)).toEqual([...numbers].reverse());
    expect(page.totalCount).toBe(3);
    await say(app(), inbox, numbers[0], 'me again');
    page = await inboxPage(app(), inbox.account.key);
    expect(page.nodes.map((c) => c.contact.phoneNumber)).toEqual([numbers[0], numbers[2], numbers[1]]);
    expect(page.nodes[0]).toMatchObject({ unreadCount: 2, lastMessage: { body: 'me again' } });
  });

  it('filters by status, unread, group and contact', async () => {
    const target = await conversationWith(app(), inbox, numbers[1]);
    await app().ok(`mutation($id: ID!) { closeConversation(id: $id) { id } markConversationRead(id: $id) { unreadCount } }`, { id: target.id }, inbox.account.key);
    const closed = await inboxPage(app(), inbox.account.key, { status: 'CLOSED' });
    expect(closed.nodes.map((c) => c.id)).toEqual([target.id]);
    const open = await inboxPage(app(), inbox.account.key, { status: 'OPEN' });
    expect(open.nodes.map((c) => c.id)).not.toContain(target.id);
    expect(open.totalCount).toBe(2);
    const unread = await inboxPage(app(), inbox.account.key, { unread: true });
    expect(unread.nodes.every((c) => c.unreadCount > 0)).toBe(true);
    expect(unread.nodes.map((c) => c.id)).not.toContain(target.id);
    expect((await inboxPage(app(), inbox.account.key, { g: inbox.groupId })).totalCount).toBe(3);
    const byContact = await inboxPage(app(), inbox.account.key, { c: target.contact.id });
    expect(byContact.nodes.map((c) => c.id)).toEqual([target.id]);
    const reopened = await app().ok(`mutation($id: ID!) { reopenConversation(id: $id) { status unreadCount } }`, { id: target.id }, inbox.account.key);
    expect(reopened.reopenConversation).toEqual({ status: 'OPEN', unreadCount: 0 });
  });

  it('pages with cursors that neither repeat nor skip a thread while new replies arrive', async () => {
    const busy = await setupInbox(app(), 'Busy inbox');
    const senders = Array.from({ length: 7 }, () => usNumber());
    for (const n of senders) await say(app(), busy, n, 'hi');
    const first = await inboxPage(app(), busy.account.key, { first: 3 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    // A thread already seen and one not yet seen both get new replies between pages.
    await say(app(), busy, first.nodes[1].contact.phoneNumber, 'seen, now newer');
    const unseen = senders[1];
    await say(app(), busy, unseen, 'not seen yet, now newest');
    const seen = [...first.nodes];
    let after = first.pageInfo.endCursor;
    for (;;) {
      const page = await inboxPage(app(), busy.account.key, { first: 3, after });
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const ids = seen.map((c) => c.contact.phoneNumber);
    expect(new Set(ids).size).toBe(ids.length);
    // Every thread that did not move is seen exactly once; the one that jumped ahead is at the top of a fresh first page.
    expect(new Set(ids)).toEqual(new Set(senders.filter((n) => n !== unseen)));
    expect((await inboxPage(app(), busy.account.key, { first: 1 })).nodes[0].contact.phoneNumber).toBe(unseen);
  });

  it('refuses a cursor it did not issue and a page size out of range', async () => {
    const bad = await app().gql(INBOX, { after: 'not-a-cursor' }, inbox.account.key);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(bad.errors?.[0].message).toMatch(/^after/);
    const big = await app().gql(INBOX, { first: 10_000 }, inbox.account.key);
    expect(big.errors?.[0].message).toMatch(/^first/);
  });

  it('pages the messages of a thread newest first', async () => {
    const n = usNumber();
    for (const body of ['one', 'two', 'three']) await say(app(), inbox, n, body);
    const conversation = await conversationWith(app(), inbox, n);
    const query = `query($id: ID!, $after: String) { conversation(id: $id) { messages(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { body } } } }`;
    const p1 = (await app().ok(query, { id: conversation.id }, inbox.account.key)).conversation.messages;
    expect(p1.nodes.map((m: any) => m.body)).toEqual(['three', 'two']);
    expect(p1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const p2 = (await app().ok(query, { id: conversation.id, after: p1.pageInfo.endCursor }, inbox.account.key)).conversation.messages;
    expect(p2.nodes.map((m: any) => m.body)).toEqual(['one']);
    expect(p2.pageInfo.hasNextPage).toBe(false);
  });

  it('sends an agent reply from the conversation sender and moves the thread up', async () => {
    const conversation = await conversationWith(app(), inbox, numbers[2]);
    const { sendReply } = await app().ok(SEND_REPLY, { id: conversation.id, body: 'Thanks, we are on it' }, inbox.account.key);
    expect(sendReply).toMatchObject({ direction: 'OUTBOUND', from: inbox.senderValue, to: numbers[2], body: 'Thanks, we are on it' });
    const page = await inboxPage(app(), inbox.account.key);
    expect(page.nodes[0]).toMatchObject({ id: conversation.id, lastMessage: { body: 'Thanks, we are on it' } });
    // It leaves through the normal send path and is tracked to delivery by status callbacks.
    await eventually(async () => {
      const sent = (await messagesOf(app(), inbox, conversation.id)).find((m) => m.id === sendReply.id);
      expect(['SENT', 'DELIVERED', 'UNDELIVERED']).toContain(sent.status);
      expect(sent.providerSid).toMatch(/^SM/);
    });
  });

  describe('campaign replies', () => {
    const launch = async (fixture: InboxFixture, name: string) => {
      const { createCampaign } = await app().ok(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, { i: { groupId: fixture.groupId, name, body: `${name}: 20% off today` } }, fixture.account.key);
      await app().ok(`mutation($id: ID!) { launchCampaign(id: $id) { id } }`, { id: createCampaign.id }, fixture.account.key);
      await eventually(async () => {
        const { campaign } = await app().ok(`query($id: ID!) { campaign(id: $id) { status } }`, { id: createCampaign.id }, fixture.account.key);
        expect(campaign.status).toBe('COMPLETED');
      }, 15_000);
      return createCampaign.id as string;
    };
    const stats = async (fixture: InboxFixture, id: string) =>
      (await app().ok(`query($id: ID!) { campaign(id: $id) { stats { replies optOuts } } }`, { id }, fixture.account.key)).campaign.stats;

    it('threads the campaign message sent before the reply, and counts replies and opt-outs for the latest campaign', async () => {
      const shop = await setupInbox(app(), 'Campaign shop');
      const [buyer, leaver] = [usNumber(), usNumber()];
      await app().ok(`mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }`,
        { g: shop.groupId, c: [{ phoneNumber: buyer }, { phoneNumber: leaver }] }, shop.account.key);
      const first = await launch(shop, 'Spring');

      await say(app(), shop, buyer, 'Yes, I want one');
      await say(app(), shop, leaver, 'STOP');
      expect(await stats(shop, first)).toEqual({ replies: 2, optOuts: 1 });

      const thread = await conversationWith(app(), shop, buyer);
      const messages = (await app().ok(`query($id: ID!) { conversation(id: $id) { messages { nodes { direction body campaign { id } } } } }`, { id: thread.id }, shop.account.key)).conversation.messages.nodes;
      expect(messages).toEqual([
        { direction: 'INBOUND', body: 'Yes, I want one', campaign: null },
        { direction: 'OUTBOUND', body: 'Spring: 20% off today', campaign: { id: first } },
      ]);

      // A later campaign reaches only the one still subscribed; the next reply counts for it, not the first.
      const second = await launch(shop, 'Summer');
      await say(app(), shop, buyer, 'And one more');
      expect(await stats(shop, second)).toEqual({ replies: 1, optOuts: 0 });
      expect(await stats(shop, first)).toEqual({ replies: 2, optOuts: 1 });

      // After an agent's own message, a reply answers the agent: no campaign gets it.
      await app().ok(SEND_REPLY, { id: thread.id, body: 'Which size?' }, shop.account.key);
      await say(app(), shop, buyer, 'Large');
      expect(await stats(shop, second)).toEqual({ replies: 1, optOuts: 0 });
    });
  });

  describe('sendReply refusals', () => {
    const refusal = async (key: string, id: string, body = 'hello') => {
      const res = await app().gql(SEND_REPLY, { id, body }, key);
      expect(res.data).toBeNull();
      return res.errors![0];
    };

    it('refuses a reply to a contact who opted out, with RECIPIENT_UNSUBSCRIBED', async () => {
      const n = usNumber();
      await say(app(), inbox, n, 'STOP');
      const conversation = await conversationWith(app(), inbox, n);
      const error = await refusal(inbox.account.key, conversation.id);
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', sendError: { code: 'RECIPIENT_UNSUBSCRIBED', providerCode: 21610 } });
    });

    it('refuses an empty or too long body as bad input on body', async () => {
      const conversation = await conversationWith(app(), inbox, numbers[0]);
      for (const body of ['', 'x'.repeat(1601)]) {
        const error = await refusal(inbox.account.key, conversation.id, body);
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(/^body/);
      }
    });

    it('refuses a reply to a region the geo permissions do not enable', async () => {
      const canadian = '+16135550123';
      await say(app(), inbox, canadian, 'bonjour');
      const conversation = await conversationWith(app(), inbox, canadian);
      const error = await refusal(inbox.account.key, conversation.id);
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', sendError: { code: 'GEO_PERMISSION_DENIED' } });
    });

    it('refuses a reply to a short code, which is no phone number', async () => {
      await say(app(), inbox, '72345', 'code 4242');
      const conversation = await conversationWith(app(), inbox, '72345');
      const error = await refusal(inbox.account.key, conversation.id);
      expect(error.extensions).toMatchObject({ sendError: { code: 'INVALID_PHONE_NUMBER' } });
    });

    it('refuses a reply when the conversation sender was removed', async () => {
      const own = await setupInbox(app(), 'Removed sender');
      const n = usNumber();
      await say(app(), own, n, 'hi');
      const conversation = await conversationWith(app(), own, n);
      await app().ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id: own.senderId }, own.account.key);
      const error = await refusal(own.account.key, conversation.id);
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', sendError: { code: 'NO_ELIGIBLE_SENDER' } });
      expect(error.message).toMatch(/removed/);
    });

    it('refuses a reply from a suspended account', async () => {
      const own = await setupInbox(app(), 'Suspended');
      const n = usNumber();
      await say(app(), own, n, 'hi');
      const conversation = await conversationWith(app(), own, n);
      await app().ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "unpaid") { status } }`, { id: own.account.id }, ADMIN_TOKEN);
      const error = await refusal(own.account.key, conversation.id);
      expect(error.extensions).toMatchObject({ sendError: { code: 'ACCOUNT_SUSPENDED' } });
    });
  });

  describe('tenants', () => {
    it("answers another account's conversation as if it did not exist", async () => {
      const other = await setupInbox(app(), 'Other tenant');
      const theirs = await conversationWith(app(), inbox, numbers[0]);
      const read = await app().ok(`query($id: ID!) { conversation(id: $id) { id } }`, { id: theirs.id }, other.account.key);
      expect(read.conversation).toBeNull();
      for (const mutation of ['markConversationRead(id: $id) { id }', 'closeConversation(id: $id) { id }', 'reopenConversation(id: $id) { id }']) {
        const res = await app().gql(`mutation($id: ID!) { ${mutation} }`, { id: theirs.id }, other.account.key);
        expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      }
      const reply = await app().gql(SEND_REPLY, { id: theirs.id, body: 'hijack' }, other.account.key);
      expect(reply.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await messagesOf(app(), inbox, theirs.id)).some((m) => m.body === 'hijack')).toBe(false);
      for (const vars of [{ a: inbox.account.id }, { g: inbox.groupId }, { c: theirs.contact.id }]) {
        const res = await app().gql(INBOX, vars, other.account.key);
        expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      }
      const own = await inboxPage(app(), other.account.key);
      expect(own.totalCount).toBe(0);
    });

    it('shows a master its subaccounts\u2019 threads, and a subaccount only its own', async () => {
      const sub = await createSubaccount(app(), inbox.account, 'Branch');
      const branch = await setupInbox(app(), 'Branch', sub);
      const n = usNumber();
      await say(app(), branch, n, 'branch reply');
      const master = await inboxPage(app(), inbox.account.key, { first: 500 });
      expect(master.nodes.map((c) => c.contact.phoneNumber)).toContain(n);
      const onlyBranch = await inboxPage(app(), inbox.account.key, { a: sub.id });
      expect(onlyBranch.nodes.map((c) => c.contact.phoneNumber)).toEqual([n]);
      const own = await inboxPage(app(), sub.key, { first: 500 });
      expect(own.nodes.map((c) => c.contact.phoneNumber)).toEqual([n]);
      const parents = await app().gql(INBOX, { a: inbox.account.id }, sub.key);
      expect(parents.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const ops = await inboxPage(app(), ADMIN_TOKEN, { a: sub.id });
      expect(ops.totalCount).toBe(1);
    });
  });

  it('reaches a contact abroad from the same sender once the region is enabled', async () => {
    const own = await setupInbox(app(), 'Abroad');
    await app().ok(`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { internationalFallback: true }) { id } }`, { id: own.groupId }, own.account.key);
    await enableCountries(app(), own.account, ['CA']);
    const canadian = '+16135550188';
    await say(app(), own, canadian, 'hello from Ottawa');
    const conversation = await conversationWith(app(), own, canadian);
    const { sendReply } = await app().ok(SEND_REPLY, { id: conversation.id, body: 'Hello!' }, own.account.key);
    expect(sendReply).toMatchObject({ from: own.senderValue, to: canadian });
  });
});

describeEachDatabase('conversation inbox batching', (app) => {
  const PAGE = `query($first: Int) { conversations(first: $first) { totalCount nodes {
    id account { id name } group { id name } contact { id phoneNumber } sender { id value } lastMessage { id body }
  } } }`;

  async function queriesFor(key: string, first: number): Promise<{ count: number; nodes: any[]; sql: string[] }> {
    const { result, count, sql } = await queriesDuring(app().server.services.dataSource, () => app().ok(PAGE, { first }, key));
    return { count, nodes: result.conversations.nodes, sql };
  }

  it('answers a page of 50 conversations with contact, sender, group, account and last message in a fixed handful of queries', async () => {
    const inbox = await setupInbox(app(), 'Batching');
    for (let i = 0; i < 50; i++) await say(app(), inbox, usNumber(), `reply ${i}`);
    const small = await queriesFor(inbox.account.key, 5);
    const full = await queriesFor(inbox.account.key, 50);
    expect(full.nodes).toHaveLength(50);
    expect(full.nodes.every((c) => c.contact.phoneNumber && c.sender.value === inbox.senderValue && c.lastMessage.body.startsWith('reply ') && c.group.id === inbox.groupId)).toBe(true);
    // Ten times the rows, the same statements: one per relation, not one per row.
    expect(full.count).toBe(small.count);
    expect(full.count).toBeLessThanOrEqual(12);
  });
}, { env: { SWITCHBOARD_WORKERS: 'off' } });
