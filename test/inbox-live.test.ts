import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createSubaccount } from './helpers/fixtures';
import { messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';
import { clientsClosedAfterEach, subscribe, type LiveSubscription } from './helpers/ws-client';

const REPLIES = `subscription($g: ID, $c: ID) {
  replyReceived(groupId: $g, conversationId: $c) {
    keyword
    message { id direction status body from to providerSid }
    conversation { id status unreadCount account { id } group { id } contact { phoneNumber } sender { value } lastMessage { id } }
  }
}`;

type Reply = { replyReceived: { keyword: string | null; message: any; conversation: any } };

async function say(app: TestApp, inbox: InboxFixture, from: string, body: string): Promise<string> {
  const sid = messageSid();
  const res = await postInbound(app, { MessageSid: sid, From: from, To: inbox.senderValue, Body: body });
  expect(res.status).toBe(200);
  return sid;
}

/**
 * A subscription is live once an event reaches it: replies are posted until one arrives,
 * so no test depends on how long the server takes to register it. The probes are then dropped.
 */
async function untilLive(sub: LiveSubscription<Reply>, poke: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await poke();
    try {
      await sub.next(200);
      // A probe that arrives later still is left out by replies() below.
      sub.events.splice(0);
      return;
    } catch {
      // not live yet
    }
  }
  throw new Error('the subscription never went live');
}

/**
 * Posts a marker reply and waits until each subscription has it. Events reach a subscription in
 * the order they were published, so an event wrongly routed to it before the marker is there by now.
 */
async function untilMarked(subs: Array<LiveSubscription<Reply>>, mark: () => Promise<unknown>): Promise<void> {
  await mark();
  const marked = (sub: LiveSubscription<Reply>) => sub.events.some((e) => e.replyReceived.message.body === MARKER);
  await Promise.all(subs.map(async (sub) => {
    for (let n = sub.events.length + 1; !marked(sub); n++) await sub.waitFor(n);
  }));
}

const MARKER = 'marker';
/** What a subscription received but the probes and markers. */
const replies = (sub: LiveSubscription<Reply>) => sub.events.filter((e) => e.replyReceived.message.body !== MARKER && e.replyReceived.message.body !== 'probe');

describeEachDatabase('live reply inbox', (app) => {
  const open = clientsClosedAfterEach(() => app().url);

  it("keeps two accounts' open inboxes apart: each sees its own replies and none of the other's", async () => {
    const a = await setupInbox(app(), 'Tenant A');
    const b = await setupInbox(app(), 'Tenant B');
    const subA = subscribe<Reply>(open(a.account.key), REPLIES);
    const subB = subscribe<Reply>(open(b.account.key), REPLIES);
    await untilLive(subA, () => say(app(), a, usNumber(), 'probe'));
    await untilLive(subB, () => say(app(), b, usNumber(), 'probe'));

    const sent = { a: [] as string[], b: [] as string[] };
    for (let i = 0; i < 3; i++) {
      sent.a.push(await say(app(), a, usNumber(), `for A ${i}`));
      sent.b.push(await say(app(), b, usNumber(), `for B ${i}`));
    }
    await untilMarked([subA], () => say(app(), a, usNumber(), MARKER));
    await untilMarked([subB], () => say(app(), b, usNumber(), MARKER));
    expect(replies(subA).map((e) => e.replyReceived.message.providerSid)).toEqual(sent.a);
    expect(replies(subB).map((e) => e.replyReceived.message.providerSid)).toEqual(sent.b);
    expect(subA.events.every((e) => e.replyReceived.conversation.account.id === a.account.id)).toBe(true);
    expect(subB.events.every((e) => e.replyReceived.conversation.account.id === b.account.id)).toBe(true);
  });

  it('carries the message and its thread, with the keyword set for keyword messages', async () => {
    const inbox = await setupInbox(app(), 'Keywords live');
    const sub = subscribe<Reply>(open(inbox.account.key), REPLIES);
    await untilLive(sub, () => say(app(), inbox, usNumber(), 'probe'));
    const n = usNumber();
    const plain = await say(app(), inbox, n, 'Is this the right number?');
    const stop = await say(app(), inbox, n, '  Stop ');
    for (let n = 1; replies(sub).length < 2; n++) await sub.waitFor(n);
    const [first, second] = replies(sub).map((e) => e.replyReceived);
    expect(first).toMatchObject({
      keyword: null,
      message: { direction: 'INBOUND', status: 'RECEIVED', body: 'Is this the right number?', from: n, to: inbox.senderValue, providerSid: plain },
      conversation: { status: 'OPEN', unreadCount: 1, group: { id: inbox.groupId }, contact: { phoneNumber: n }, sender: { value: inbox.senderValue } },
    });
    expect(first.conversation.lastMessage.id).toBe(first.message.id);
    expect(second).toMatchObject({ keyword: 'OPT_OUT', message: { body: '  Stop ', providerSid: stop }, conversation: { id: first.conversation.id, unreadCount: 2 } });
  });

  it('narrows to one group or one conversation', async () => {
    const inbox = await setupInbox(app(), 'Narrow');
    const otherGroup = await setupInbox(app(), 'Narrow second group', inbox.account);
    const n = usNumber();
    await say(app(), inbox, n, 'start the thread');
    const conversationId = (await app().ok(`query { conversations(first: 1) { nodes { id } } }`, {}, inbox.account.key)).conversations.nodes[0].id;

    const byGroup = subscribe<Reply>(open(inbox.account.key), REPLIES, { g: otherGroup.groupId });
    const byConversation = subscribe<Reply>(open(inbox.account.key), REPLIES, { c: conversationId });
    await untilLive(byGroup, () => say(app(), otherGroup, usNumber(), 'probe'));
    await untilLive(byConversation, () => say(app(), inbox, n, 'probe'));

    await say(app(), inbox, usNumber(), 'first group, other thread');
    await say(app(), otherGroup, usNumber(), 'second group');
    await say(app(), inbox, n, 'the watched thread');
    await untilMarked([byGroup], () => say(app(), otherGroup, usNumber(), MARKER));
    await untilMarked([byConversation], () => say(app(), inbox, n, MARKER));
    expect(replies(byGroup).map((e) => e.replyReceived.message.body)).toEqual(['second group']);
    expect(replies(byConversation).map((e) => e.replyReceived.message.body)).toEqual(['the watched thread']);
  });

  it("shows a master its subaccounts' replies, a subaccount only its own, and the operator all", async () => {
    const master = await setupInbox(app(), 'Master live');
    const subA = await setupInbox(app(), 'Sub A live', await createSubaccount(app(), master.account, 'Sub A'));
    const subB = await setupInbox(app(), 'Sub B live', await createSubaccount(app(), master.account, 'Sub B'));
    const forMaster = subscribe<Reply>(open(master.account.key), REPLIES);
    const forSubA = subscribe<Reply>(open(subA.account.key), REPLIES);
    const forOperator = subscribe<Reply>(open(ADMIN_TOKEN), REPLIES);
    await untilLive(forMaster, () => say(app(), master, usNumber(), 'probe'));
    await untilLive(forSubA, () => say(app(), subA, usNumber(), 'probe'));
    await untilLive(forOperator, () => say(app(), master, usNumber(), 'probe'));
    forMaster.events.splice(0);

    await say(app(), master, usNumber(), 'to master');
    await say(app(), subA, usNumber(), 'to sub A');
    await say(app(), subB, usNumber(), 'to sub B');
    await untilMarked([forMaster, forSubA, forOperator], () => say(app(), subA, usNumber(), MARKER));
    const bodies = (sub: LiveSubscription<Reply>) => replies(sub).map((e) => e.replyReceived.message.body);
    expect(bodies(forMaster)).toEqual(['to master', 'to sub A', 'to sub B']);
    expect(bodies(forSubA)).toEqual(['to sub A']);
    expect(bodies(forOperator)).toEqual(['to master', 'to sub A', 'to sub B']);
  });
});
