import WebSocket from 'ws';
import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';
import { clientsClosedAfterEach, subscribe, subscribed, type LiveSubscription } from './helpers/ws-client';

// One reply goes to many inboxes: the server executes and serialises it once per (document,
// variables, visibility) and writes the same bytes to each socket (core/live-fan-out.ts).
// These tests attack the sharing: each subscriber must still get exactly its own events, under
// its own subscription id, as a text frame, whatever its neighbours do.

const FULL = `subscription($g: ID) { replyReceived(groupId: $g) { message { body providerSid } conversation { account { id } group { id } sender { value } } } }`;
const SLIM = `subscription { replyReceived { message { body } } }`;

type Event = { replyReceived: { message: { body: string; providerSid?: string }; conversation?: { account: { id: string }; group: { id: string }; sender: { value: string } } } };

async function say(app: TestApp, inbox: InboxFixture, body: string): Promise<void> {
  const res = await postInbound(app, { MessageSid: messageSid(), From: usNumber(), To: inbox.senderValue, Body: body });
  expect(res.status).toBe(200);
}

const bodies = (sub: LiveSubscription<Event>) => sub.events.map((e) => e.replyReceived.message.body);

/** Posts a marker to each inbox until every subscription that should see one has it: later events cannot be missing then. */
async function untilMarked(app: TestApp, marks: Array<[InboxFixture, Array<LiveSubscription<Event>>]>): Promise<void> {
  for (const [inbox, subs] of marks) {
    await say(app, inbox, `marker ${inbox.groupId}`);
    await Promise.all(subs.map(async (sub) => {
      for (let n = sub.events.length + 1; !bodies(sub).includes(`marker ${inbox.groupId}`); n++) await sub.waitFor(n);
    }));
  }
}

/** A raw graphql-transport-ws connection: every frame as the socket received it. */
async function rawSubscriber(url: string, token: string, subscriptions: Record<string, { query: string; variables?: object }>) {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const frames: Array<{ text: string; binary: boolean }> = [];
  socket.on('message', (data, binary) => frames.push({ text: String(data), binary }));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  // graphql-ws closes a socket that subscribes before it is acknowledged.
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => JSON.parse(String(data)).type === 'connection_ack' && resolve());
    socket.once('close', (code) => reject(new Error(`closed with ${code} before connection_ack`)));
  });
  for (const [id, payload] of Object.entries(subscriptions)) socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
  return { socket, frames, nexts: () => frames.filter((f) => f.text.includes('"next"')).map((f) => ({ ...f, message: JSON.parse(f.text) })) };
}

describeEachDatabase('shared reply fan-out', (app) => {
  const open = clientsClosedAfterEach(() => app().url);

  it('gives each subscriber exactly its own events, whatever document, variables and tenant it shares with others', async () => {
    const a = await setupInbox(app(), 'Fan A');
    const a2 = await setupInbox(app(), 'Fan A second group', a.account);
    const b = await setupInbox(app(), 'Fan B');
    const twoOnOneSocket = open(a.account.key);
    const subs = await subscribed(app().url, () => [
      ...Array.from({ length: 5 }, () => subscribe<Event>(open(a.account.key), FULL)),
      subscribe<Event>(open(a.account.key), FULL, { g: a2.groupId }),
      subscribe<Event>(open(a.account.key), SLIM),
      ...Array.from({ length: 3 }, () => subscribe<Event>(open(b.account.key), FULL)),
      subscribe<Event>(open(b.account.key), FULL, { g: b.groupId }),
      subscribe<Event>(twoOnOneSocket, FULL),
      subscribe<Event>(twoOnOneSocket, FULL),
      subscribe<Event>(open(ADMIN_TOKEN), SLIM),
    ]);
    const [aAll, aGroup2, aSlim, bAll, bOwnGroup, sameSocket, operator] = [subs.slice(0, 5), subs[5], subs[6], subs.slice(7, 10), subs[10], subs.slice(11, 13), subs[13]];

    for (let i = 0; i < 3; i++) {
      await say(app(), a, `A1 ${i}`);
      await say(app(), a2, `A2 ${i}`);
      await say(app(), b, `B ${i}`);
    }
    await untilMarked(app(), [[a, [...aAll, aSlim, ...sameSocket]], [a2, [aGroup2]], [b, [...bAll, bOwnGroup]]]);

    const replies = (sub: LiveSubscription<Event>) => bodies(sub).filter((body) => !body.startsWith('marker') && !body.startsWith('probe'));
    const forA = ['A1 0', 'A2 0', 'A1 1', 'A2 1', 'A1 2', 'A2 2'];
    for (const sub of [...aAll, ...sameSocket]) {
      expect(replies(sub)).toEqual(forA);
      for (const event of sub.events) {
        expect(event.replyReceived.conversation!.account.id).toBe(a.account.id);
        const inbox = event.replyReceived.message.body.startsWith('A2') || event.replyReceived.message.body === `marker ${a2.groupId}` ? a2 : a;
        expect(event.replyReceived.conversation).toEqual({ account: { id: a.account.id }, group: { id: inbox.groupId }, sender: { value: inbox.senderValue } });
      }
    }
    expect(replies(aSlim)).toEqual(forA);
    // The other document's subscribers get that document's shape, not the shared one's.
    expect(aSlim.events.every((e) => Object.keys(e.replyReceived).join() === 'message' && Object.keys(e.replyReceived.message).join() === 'body')).toBe(true);
    expect(replies(aGroup2)).toEqual(['A2 0', 'A2 1', 'A2 2']);
    for (const sub of [...bAll, bOwnGroup]) {
      expect(replies(sub)).toEqual(['B 0', 'B 1', 'B 2']);
      expect(sub.events.every((e) => e.replyReceived.conversation!.account.id === b.account.id)).toBe(true);
    }
    expect(replies(operator)).toEqual(expect.arrayContaining([...forA, 'B 0', 'B 1', 'B 2']));
  });

  it('sends each subscription its shared result as a text frame under its own id', async () => {
    const a = await setupInbox(app(), 'Raw frames');
    const raws = await Promise.all([
      rawSubscriber(app().url, a.account.key, { one: { query: FULL }, two: { query: FULL }, slim: { query: SLIM } }),
      rawSubscriber(app().url, a.account.key, { one: { query: FULL } }),
    ]);
    try {
      // Until every subscription has its event: they are live once one arrives.
      for (let attempt = 0; raws[0].nexts().length < 3 || raws[1].nexts().length < 1; attempt++) {
        if (attempt > 50) throw new Error('the raw subscriptions never went live');
        await say(app(), a, 'probe');
        await new Promise((r) => setTimeout(r, 100));
      }
      const seen = raws.map((r) => r.nexts().length);
      await say(app(), a, 'raw');
      for (let attempt = 0; raws[0].nexts().length < seen[0] + 3 || raws[1].nexts().length < seen[1] + 1; attempt++) {
        if (attempt > 100) throw new Error('the event never reached every raw subscription');
        await new Promise((r) => setTimeout(r, 50));
      }
      const latest = (raw: (typeof raws)[number], id: string) => raw.nexts().filter((n) => n.message.id === id && n.message.payload.data.replyReceived.message.body === 'raw');
      const full = { message: { body: 'raw', providerSid: expect.stringMatching(/^SM/) }, conversation: { account: { id: a.account.id }, group: { id: a.groupId }, sender: { value: a.senderValue } } };
      for (const [raw, id, expected] of [[raws[0], 'one', full], [raws[0], 'two', full], [raws[0], 'slim', { message: { body: 'raw' } }], [raws[1], 'one', full]] as const) {
        const frames = latest(raw, id);
        expect(frames).toHaveLength(1);
        expect(frames[0].binary).toBe(false);
        expect(frames[0].message).toEqual({ id, type: 'next', payload: { data: { replyReceived: expected } } });
      }
      // Shared bytes: the same reply reads the same in both sockets' "one".
      expect(latest(raws[0], 'one')[0].text).toBe(latest(raws[1], 'one')[0].text);
    } finally {
      for (const raw of raws) raw.socket.terminate();
    }
  });

  it('keeps delivering to the rest when subscribers drop in the middle of a fan-out', async () => {
    const a = await setupInbox(app(), 'Dropping inboxes');
    const stayers = Array.from({ length: 15 }, () => open(a.account.key));
    const raws = await Promise.all(Array.from({ length: 15 }, () => rawSubscriber(app().url, a.account.key, { s: { query: FULL } })));
    const subs = await subscribed(app().url, () => stayers.map((c) => subscribe<Event>(c, FULL)));
    for (let attempt = 0; raws.some((r) => !r.nexts().length); attempt++) {
      if (attempt > 50) throw new Error('the raw subscriptions never went live');
      await say(app(), a, 'probe');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The leavers go while the first reply is being written to them: on the first frame any of
    // them receives, the rest are cut without a close handshake.
    const counted = raws.map((r) => r.nexts().length);
    raws.forEach((raw, i) => raw.socket.on('message', () => {
      if (raw.nexts().length > counted[i]) raws.forEach((r) => r.socket.terminate());
    }));
    await say(app(), a, 'during the drop');
    for (let i = 0; i < 3; i++) await say(app(), a, `after the drop ${i}`);
    await untilMarked(app(), [[a, subs]]);
    for (const sub of subs) {
      expect(bodies(sub).filter((body) => !body.startsWith('probe') && !body.startsWith('marker'))).toEqual(['during the drop', 'after the drop 0', 'after the drop 1', 'after the drop 2']);
    }
    expect((await fetch(`${app().url}/healthz`)).ok).toBe(true);
  });
});
