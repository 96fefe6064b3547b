import twilio from 'twilio';
import { In } from 'typeorm';
import { SIMULATOR_AUTH_TOKEN } from '../src/config';
import { DEFAULT_KEYWORDS } from '../src/groups/keyword.service';
import { Message } from '../src/messaging/message.entity';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { conversationWith, membershipOf, messageSid, messagesOf, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

type Posted = { status: number; body: string; contentType: string | null };

interface Row {
  name: string;
  /** The contact's address; a fresh US number when absent. */
  from?: string;
  body?: string;
  /** Extra or overriding form fields. */
  params?: (c: RowContext) => Record<string, string | undefined>;
  /** Sends the row's requests itself (retries, races); one plain post otherwise. */
  send?: (c: RowContext) => Promise<Posted[]>;
  /** Expected status of every response. */
  status: number;
  responseBody?: RegExp;
  /** How many messages end up stored under the row's sids. */
  stored: number;
  check?: (c: RowContext) => Promise<void>;
}

interface RowContext {
  app: TestApp;
  inbox: InboxFixture;
  from: string;
  sids: string[];
  /** A signed post from the row's contact to the inbox's number; a fresh sid unless given. */
  post(fields?: Record<string, string | undefined>, options?: { signature?: string; authToken?: string }): Promise<Posted>;
}

const OPT_OUT_REPLY = DEFAULT_KEYWORDS.OPT_OUT.reply;
const OPT_IN_REPLY = DEFAULT_KEYWORDS.OPT_IN.reply;
const HELP_REPLY = DEFAULT_KEYWORDS.HELP.reply;

async function thread(c: RowContext) {
  const conversation = await conversationWith(c.app, c.inbox, c.from);
  expect(conversation).not.toBeNull();
  return { conversation, messages: await messagesOf(c.app, c.inbox, conversation.id) };
}

async function expectKeyword(c: RowContext, status: string | null, replies: string[]) {
  const membership = await membershipOf(c.app, c.inbox, c.from);
  if (status === null) expect(membership).toBeNull();
  else expect(membership).toMatchObject({ status, source: 'KEYWORD' });
  const { messages } = await thread(c);
  const outbound = messages.filter((m) => m.direction === 'OUTBOUND');
  expect(outbound.map((m) => m.body).reverse()).toEqual(replies);
  for (const m of outbound) {
    expect(m.from).toBe(c.inbox.senderValue);
    expect(m.to).toBe(c.from);
    expect(['QUEUED', 'SENDING', 'SENT', 'DELIVERED']).toContain(m.status);
  }
}

const ucs2Body = 'Привет! '.repeat(200);

const rows: Row[] = [
  {
    name: 'stores a plain reply as RECEIVED and answers empty TwiML',
    body: 'Hi, is the offer still on?',
    status: 200,
    responseBody: /^<\?xml version="1.0" encoding="UTF-8"\?><Response\/>$/,
    stored: 1,
    check: async (c) => {
      const { conversation, messages } = await thread(c);
      expect(conversation).toMatchObject({ status: 'OPEN', unreadCount: 1, sender: { value: c.inbox.senderValue }, contact: { phoneNumber: c.from, country: 'US' } });
      expect(conversation.group.id).toBe(c.inbox.groupId);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ direction: 'INBOUND', status: 'RECEIVED', from: c.from, to: c.inbox.senderValue, body: 'Hi, is the offer still on?', encoding: 'GSM7', segments: 1, providerSid: c.sids[0], numMedia: 0, mediaUrls: [] });
      expect(conversation.lastMessage).toMatchObject({ id: messages[0].id, direction: 'INBOUND' });
    },
  },
  {
    name: "keeps Twilio's NumSegments and the media of an MMS",
    body: 'photo attached',
    params: () => ({ NumSegments: '2', NumMedia: '2', MediaUrl0: 'https://api.twilio.com/media/ME1', MediaUrl1: 'https://api.twilio.com/media/ME2' }),
    status: 200,
    stored: 1,
    check: async (c) => {
      const [message] = (await thread(c)).messages;
      expect(message).toMatchObject({ segments: 2, numMedia: 2, mediaUrls: ['https://api.twilio.com/media/ME1', 'https://api.twilio.com/media/ME2'] });
    },
  },
  {
    name: 'stores a retried MessageSid once',
    send: async (c) => {
      const sid = messageSid();
      return [await c.post({ MessageSid: sid, Body: 'once' }), await c.post({ MessageSid: sid, Body: 'once' })];
    },
    status: 200,
    stored: 1,
    check: async (c) => expect((await thread(c)).conversation.unreadCount).toBe(1),
  },
  {
    name: 'stores concurrent duplicates of one MessageSid once',
    send: async (c) => {
      const sid = messageSid();
      return Promise.all(Array.from({ length: 8 }, () => c.post({ MessageSid: sid, Body: 'racing' })));
    },
    status: 200,
    stored: 1,
    check: async (c) => {
      const { conversation, messages } = await thread(c);
      expect(conversation.unreadCount).toBe(1);
      expect(messages).toHaveLength(1);
    },
  },
  {
    name: 'stores a burst of concurrent replies to one thread once each, counting every one unread',
    send: async (c) => {
      const sids = Array.from({ length: 30 }, () => messageSid());
      // Each sid twice, all at once: batches of fresh replies meet duplicates of each other.
      return Promise.all([...sids, ...sids].map((sid, i) => c.post({ MessageSid: sid, Body: `burst ${i % 30}` })));
    },
    status: 200,
    stored: 30,
    check: async (c) => {
      const { conversation, messages } = await thread(c);
      expect(messages).toHaveLength(30);
      expect(new Set(messages.map((m) => m.body)).size).toBe(30);
      expect(conversation.unreadCount).toBe(30);
      expect(conversation.lastMessage.id).toBe(messages[0].id);
    },
  },
  {
    name: 'keeps the newest message last when an older one is retried after it',
    send: async (c) => {
      const older = messageSid();
      return [await c.post({ MessageSid: older, Body: 'first' }), await c.post({ Body: 'second' }), await c.post({ MessageSid: older, Body: 'first' })];
    },
    status: 200,
    stored: 2,
    check: async (c) => {
      const { conversation, messages } = await thread(c);
      expect(messages.map((m) => m.body)).toEqual(['second', 'first']);
      expect(conversation.lastMessage.body).toBe('second');
      expect(conversation.unreadCount).toBe(2);
    },
  },
  {
    name: 'answers 200 and stores nothing for a number no group holds',
    params: () => ({ To: usNumber() }),
    status: 200,
    responseBody: /<Response\/>/,
    stored: 0,
    check: async (c) => expect(await conversationWith(c.app, c.inbox, c.from)).toBeNull(),
  },
  { name: 'refuses a forged signature with 403', send: async (c) => [await c.post({}, { signature: 'bm90IGEgc2lnbmF0dXJl' })], status: 403, stored: 0 },
  { name: 'refuses a request signed with another auth token', send: async (c) => [await c.post({}, { authToken: 'someone-elses-token' })], status: 403, stored: 0 },
  { name: 'refuses a request without a signature', send: async (c) => [await c.post({}, { signature: '' })], status: 403, stored: 0 },
  {
    name: 'refuses a body changed after signing',
    send: async (c) => {
      const sid = messageSid();
      c.sids.push(sid);
      const signed = { AccountSid: 'AC00000000000000000000000000000000', NumMedia: '0', MessageSid: sid, From: c.from, To: c.inbox.senderValue, Body: 'yes' };
      const signature = twilio.getExpectedTwilioSignature(SIMULATOR_AUTH_TOKEN, c.app.server.services.config.publicUrl + '/webhooks/twilio/inbound', signed);
      return [await c.post({ MessageSid: sid, Body: 'STOP' }, { signature })];
    },
    status: 403,
    stored: 0,
  },
  { name: 'refuses a missing MessageSid with 400 naming it', params: () => ({ MessageSid: undefined }), status: 400, responseBody: /MessageSid/, stored: 0 },
  { name: 'refuses a missing From with 400 naming it', params: () => ({ From: undefined }), status: 400, responseBody: /From/, stored: 0 },
  { name: 'refuses a missing To with 400 naming it', params: () => ({ To: undefined }), status: 400, responseBody: /To/, stored: 0 },
  { name: 'refuses a From too long to be any address with 400', from: `+1${'2'.repeat(40)}`, status: 400, responseBody: /From/, stored: 0 },
  { name: 'unsubscribes on " stop " and answers from the same sender', body: ' stop ', status: 200, stored: 1, check: (c) => expectKeyword(c, 'UNSUBSCRIBED', [OPT_OUT_REPLY]) },
  { name: 'unsubscribes on "StOp" in odd case', body: 'StOp', status: 200, stored: 1, check: (c) => expectKeyword(c, 'UNSUBSCRIBED', [OPT_OUT_REPLY]) },
  { name: 'unsubscribes on "\\tUnsubscribe\\n" with tabs and newlines', body: '\tUnsubscribe\n', status: 200, stored: 1, check: (c) => expectKeyword(c, 'UNSUBSCRIBED', [OPT_OUT_REPLY]) },
  { name: 'unsubscribes on "stop please", a plain-words opt-out (not a keyword)', body: 'stop please', status: 200, stored: 1, check: (c) => expectKeyword(c, 'UNSUBSCRIBED', [OPT_OUT_REPLY]) },
  { name: 'does not treat "don\'t stop, I love it" as an opt-out', body: "don't stop, I love it", status: 200, stored: 1, check: (c) => expectKeyword(c, null, []) },
  { name: 'does not treat "S T O P" as a keyword', body: 'S T O P', status: 200, stored: 1, check: (c) => expectKeyword(c, null, []) },
  {
    name: 'resubscribes on START after STOP, answering each',
    send: async (c) => [await c.post({ Body: 'STOP' }), await c.post({ Body: ' Start' })],
    status: 200,
    stored: 2,
    check: (c) => expectKeyword(c, 'SUBSCRIBED', [OPT_OUT_REPLY, OPT_IN_REPLY]),
  },
  { name: 'answers HELP without changing the membership', body: 'help', status: 200, stored: 1, check: (c) => expectKeyword(c, null, [HELP_REPLY]) },
  {
    name: 'reopens a closed conversation on a new reply',
    send: async (c) => {
      const first = await c.post({ Body: 'first' });
      const { conversation } = await thread(c);
      await c.app.ok(`mutation($id: ID!) { markConversationRead(id: $id) { id } closeConversation(id: $id) { status } }`, { id: conversation.id }, c.inbox.account.key);
      expect((await thread(c)).conversation).toMatchObject({ status: 'CLOSED', unreadCount: 0 });
      return [first, await c.post({ Body: 'are you there?' })];
    },
    status: 200,
    stored: 2,
    check: async (c) => expect((await thread(c)).conversation).toMatchObject({ status: 'OPEN', unreadCount: 1 }),
  },
  {
    name: 'stores a reply from a short code, with no region',
    from: '72345',
    body: 'Your code is 1234',
    status: 200,
    stored: 1,
    check: async (c) => {
      const { conversation, messages } = await thread(c);
      expect(conversation.contact).toMatchObject({ phoneNumber: '72345', country: null });
      expect(messages[0]).toMatchObject({ from: '72345', body: 'Your code is 1234' });
    },
  },
  {
    name: 'stores a reply from an alphanumeric sender ID',
    from: 'ACMEBANK',
    body: 'Statement ready',
    status: 200,
    stored: 1,
    check: async (c) => expect((await thread(c)).conversation.contact).toMatchObject({ phoneNumber: 'ACMEBANK', country: null }),
  },
  {
    name: 'stores emoji exactly, as UCS-2',
    body: 'Yes please 👍🏽 see you 🎉',
    status: 200,
    stored: 1,
    check: async (c) => expect((await thread(c)).messages[0]).toMatchObject({ body: 'Yes please 👍🏽 see you 🎉', encoding: 'UCS2', segments: 1 }),
  },
  {
    name: 'stores a 1,600-character UCS-2 body whole',
    body: ucs2Body,
    status: 200,
    stored: 1,
    check: async (c) => {
      const [message] = (await thread(c)).messages;
      expect(message.body).toBe(ucs2Body);
      expect(message.body).toHaveLength(1600);
      expect(message).toMatchObject({ encoding: 'UCS2', segments: 24 });
    },
  },
  {
    name: 'stores a body of only spaces as sent, as no keyword',
    body: '    ',
    status: 200,
    stored: 1,
    check: async (c) => {
      expect((await thread(c)).messages[0].body).toBe('    ');
      await expectKeyword(c, null, []);
    },
  },
];

describeEachDatabase('inbound webhook', (app) => {
  let inbox: InboxFixture;

  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Inbound');
  });

  const storedCount = (sids: string[]) =>
    sids.length ? app().server.services.dataSource.getRepository(Message).countBy({ providerSid: In(sids) }) : Promise.resolve(0);

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const from = row.from ?? usNumber();
    const c: RowContext = {
      app: app(),
      inbox,
      from,
      sids: [],
      async post(fields = {}, options = {}) {
        const params: Record<string, string | undefined> = { MessageSid: messageSid(), From: from, To: inbox.senderValue, Body: row.body ?? 'hello', ...fields };
        if (params.MessageSid) c.sids.push(params.MessageSid);
        const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
        return postInbound(app(), defined, options);
      },
    };
    const responses = row.send ? await row.send(c) : [await c.post(row.params?.(c) ?? {})];
    for (const res of responses) {
      expect(res.status).toBe(row.status);
      if (row.status === 200) expect(res.contentType).toMatch(/^text\/xml/);
      if (row.responseBody) expect(res.body).toMatch(row.responseBody);
    }
    expect(await storedCount([...new Set(c.sids)])).toBe(row.stored);
    await row.check?.(c);
  });

  it('answers 5xx when the database cannot store the reply, and stores it on the retry', async () => {
    const from = usNumber();
    const sid = messageSid();
    const ds = app().server.services.dataSource;
    const mysql = ds.options.type === 'mysql';
    await ds.query(mysql
      ? `CREATE TRIGGER refuse_inbound BEFORE INSERT ON messages FOR EACH ROW BEGIN IF NEW.provider_sid = '${sid}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated storage failure'; END IF; END`
      : `CREATE TRIGGER refuse_inbound BEFORE INSERT ON messages WHEN NEW.provider_sid = '${sid}' BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`);
    let failed: Posted;
    try {
      failed = await postInbound(app(), { MessageSid: sid, From: from, To: inbox.senderValue, Body: 'STOP' });
    } finally {
      await ds.query('DROP TRIGGER refuse_inbound');
    }
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await storedCount([sid])).toBe(0);

    const retried = await postInbound(app(), { MessageSid: sid, From: from, To: inbox.senderValue, Body: 'STOP' });
    expect(retried.status).toBe(200);
    expect(await storedCount([sid])).toBe(1);
    await expectKeyword({ app: app(), inbox, from, sids: [sid], post: async () => retried }, 'UNSUBSCRIBED', [OPT_OUT_REPLY]);
  });
});
