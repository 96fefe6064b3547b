import { decode, encode, useIdSecret, type IdType } from '../src/core/ids';
import { bootApp, describeEachDatabase, type GraphQLResponse, type TestApp } from './helpers/app';
import { databaseKinds, freshDatabase } from './helpers/databases';
import { createAccount } from './helpers/fixtures';
import { rawId } from './helpers/ids';
import { conversationWith, messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';
import { subscribe, wsClient } from './helpers/ws-client';

// The types whose rows this test makes (webhook endpoints and deliveries have tests of their own).
const TYPES = ['acc', 'key', 'grp', 'snd', 'ctc', 'cmp', 'cnv', 'msg', 'blk'] as const satisfies readonly IdType[];
type TestedType = (typeof TYPES)[number];

describe('the id codec', () => {
  const SECRET = 'codec-test-secret-0123456789abcdef';
  let release: () => void;
  beforeAll(() => {
    release = useIdSecret(SECRET);
  });
  afterAll(() => release());

  it.each([1, 2, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1])('decodes the id of key %d back to it, for every type', (n) => {
    for (const type of TYPES) expect(decode(type, encode(type, n))).toBe(n);
  });

  it.each([0, -1, 1.5, 2 ** 53, Number.NaN])('makes no id of key %p', (n) => {
    expect(() => encode('acc', n)).toThrow();
  });

  it('reads a plain integer as the key itself, as ids were shown before', () => {
    expect(decode('acc', '42')).toBe(42);
    expect(decode('grp', '9007199254740991')).toBe(2 ** 53 - 1);
  });

  it('decodes nothing of an id made under another secret', () => {
    const ours = encode('acc', 7);
    release();
    const releaseOther = useIdSecret('another-deployment-secret-0123456789');
    try {
      expect(decode('acc', ours)).toBeNull();
      expect(encode('acc', 7)).not.toBe(ours);
    } finally {
      releaseOther();
      release = useIdSecret(SECRET);
    }
  });

  it('refuses a second secret while one is in use: one process serves one deployment', () => {
    expect(() => useIdSecret('another-deployment-secret-0123456789')).toThrow(/another secret/);
    expect(decode('acc', encode('acc', 3))).toBe(3);
  });
});

interface World {
  inbox: InboxFixture;
  ids: Record<TestedType, string>;
}

async function buildWorld(app: TestApp): Promise<World> {
  const inbox = await setupInbox(app, 'Ids');
  const key = inbox.account.key;
  const from = usNumber();
  expect((await postInbound(app, { MessageSid: messageSid(), From: from, To: inbox.senderValue, Body: 'hello' })).status).toBe(200);
  const conversation = await conversationWith(app, inbox, from);
  const made = await app.ok(
    `mutation($a: ID!, $g: ID!) {
      createApiKey(accountId: $a, name: "second") { apiKey { id } }
      blockPrefix(accountId: $a, prefix: "+4477") { id }
      createCampaign(input: { groupId: $g, name: "Ids", body: "Hi" }) { id }
    }`,
    { a: inbox.account.id, g: inbox.groupId },
    key,
  );
  return {
    inbox,
    ids: {
      acc: inbox.account.id,
      key: made.createApiKey.apiKey.id,
      grp: inbox.groupId,
      snd: inbox.senderId,
      ctc: conversation.contact.id,
      cmp: made.createCampaign.id,
      cnv: conversation.id,
      msg: conversation.lastMessage.id,
      blk: made.blockPrefix.id,
    },
  };
}

/** What a call naming an id got: found, null, or the error's code. */
function outcome(res: GraphQLResponse, field: string): string {
  if (res.errors?.length) return res.errors[0].extensions?.code ?? 'NO CODE';
  return res.data?.[field] === null ? 'null' : 'found';
}

const LOOK_UPS: Array<[string, TestedType]> = [['account', 'acc'], ['subscriptionGroup', 'grp'], ['contact', 'ctc'], ['campaign', 'cmp'], ['conversation', 'cnv'], ['message', 'msg']];

// Each call, and the id it expects.
const CALLS: Array<{ field: string; type: TestedType; doc: string }> = [
  ...LOOK_UPS.map(([field, type]) => ({ field, type, doc: `query($id: ID!) { ${field}(id: $id) { id } }` })),
  { field: 'createApiKey', type: 'acc', doc: 'mutation($id: ID!) { createApiKey(accountId: $id, name: "x") { secret } }' },
  { field: 'revokeApiKey', type: 'key', doc: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }' },
  { field: 'removeSender', type: 'snd', doc: 'mutation($id: ID!) { removeSender(id: $id) }' },
  { field: 'unblockPrefix', type: 'blk', doc: 'mutation($id: ID!) { unblockPrefix(id: $id) }' },
  { field: 'launchCampaign', type: 'cmp', doc: 'mutation($id: ID!) { launchCampaign(id: $id) { id } }' },
  { field: 'sendReply', type: 'cnv', doc: 'mutation($id: ID!) { sendReply(conversationId: $id, body: "x") { id } }' },
  { field: 'addSender', type: 'grp', doc: 'mutation($id: ID!) { addSender(groupId: $id, input: { type: LONG_CODE, value: "+12025550199" }) { id } }' },
];

/** A query answers what the key may not see with null, a mutation with NOT_FOUND. */
const notFound = (doc: string) => (doc.startsWith('query') ? 'null' : 'NOT_FOUND');

// Ids that name nothing, made from a real id of the type the call expects.
const prefix = (id: string) => id.slice(0, 4);
const TAMPERED: Array<{ what: string; from: (id: string) => string }> = [
  { what: 'its last character changed', from: (id) => id.slice(0, -1) + (id.endsWith('a') ? 'b' : 'a') },
  { what: 'its first character after the prefix changed', from: (id) => `${prefix(id)}${id[4] === 'Z' ? 'Y' : 'Z'}${id.slice(5)}` },
  { what: 'one character short', from: (id) => id.slice(0, -1) },
  { what: 'one character more', from: (id) => `${id}a` },
  { what: 'over 2^128', from: (id) => `${prefix(id)}${'z'.repeat(22)}` },
  { what: 'all zeros', from: (id) => `${prefix(id)}${'0'.repeat(22)}` },
  { what: 'an upper-case prefix', from: (id) => id.toUpperCase().slice(0, 4) + id.slice(4) },
  { what: 'no prefix', from: (id) => id.slice(4) },
  { what: 'an unknown prefix', from: (id) => `usr_${id.slice(4)}` },
  { what: 'letters outside base62', from: (id) => `${id.slice(0, -2)}ü-` },
  { what: 'empty', from: () => '' },
  { what: 'zero', from: () => '0' },
  { what: 'a negative integer', from: () => '-5' },
  { what: 'an integer with a leading zero', from: () => '007' },
  { what: 'an integer past 2^53', from: () => '9'.repeat(17) },
  { what: 'an exponent', from: () => '1e3' },
  { what: 'a long string', from: (id) => prefix(id) + 'a'.repeat(5000) },
];

describeEachDatabase('opaque ids', (app) => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(app());
  });

  it.each(TYPES)('shows a %s id as its prefix and 22 base62 characters', (type) => {
    expect(world.ids[type]).toMatch(new RegExp(`^${type}_[0-9A-Za-z]{22}$`));
  });

  it('shows the ids of 20 accounts made one after another in no order and with no long common start', async () => {
    const made: string[] = [];
    for (let i = 0; i < 20; i++) made.push((await createAccount(app(), `Order ${i}`)).id);
    const keys = made.map(rawId);
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    // Of 19 neighbours about half are in order, as in a shuffle; a sequence has nearly all.
    const inOrder = made.slice(1).filter((id, i) => made[i] < id).length;
    expect(inOrder).toBeGreaterThanOrEqual(3);
    expect(inOrder).toBeLessThanOrEqual(16);
    for (const a of made) {
      for (const b of made.filter((other) => other !== a)) {
        let common = 4;
        while (a[common] === b[common]) common++;
        expect(common - 4).toBeLessThan(4);
      }
    }
  });

  it.each(CALLS.filter((c) => c.doc.startsWith('query')))('finds with $field what an id of its type names', async ({ field, type, doc }) => {
    expect(outcome(await app().gql(doc, { id: world.ids[type] }, world.inbox.account.key), field)).toBe('found');
  });

  describe.each(CALLS)('$field', ({ field, type, doc }) => {
    it.each(TYPES.filter((t) => t !== type))('answers an id of type %s as not found', async (other) => {
      const res = await app().gql(doc, { id: world.ids[other] }, world.inbox.account.key);
      expect(outcome(res, field)).toBe(notFound(doc));
    });

    it.each(TAMPERED)('answers an id with $what as not found, never a server error', async ({ from }) => {
      const res = await app().gql(doc, { id: from(world.ids[type]) }, world.inbox.account.key);
      expect(outcome(res, field)).toBe(notFound(doc));
    });
  });

  it('still takes the plain integer ids shown before, and answers with the opaque ones', async () => {
    const key = world.inbox.account.key;
    const legacy = (type: TestedType) => String(rawId(world.ids[type]));
    const data = await app().ok(
      `query($a: ID!, $g: ID!, $c: ID!, $m: ID!) {
        account(id: $a) { id }
        subscriptionGroup(id: $g) { id }
        conversation(id: $c) { id }
        message(id: $m) { id }
        conversations(groupId: $g, accountId: $a) { nodes { id } }
      }`,
      { a: legacy('acc'), g: legacy('grp'), c: legacy('cnv'), m: legacy('msg') },
      key,
    );
    expect(data.account.id).toBe(world.ids.acc);
    expect(data.subscriptionGroup.id).toBe(world.ids.grp);
    expect(data.conversation.id).toBe(world.ids.cnv);
    expect(data.message.id).toBe(world.ids.msg);
    expect(data.conversations.nodes.map((c: { id: string }) => c.id)).toContain(world.ids.cnv);
  });

  it.each([
    { what: 'an opaque group id', groupId: (w: World) => w.ids.grp },
    { what: 'a plain integer group id', groupId: (w: World) => String(rawId(w.ids.grp)) },
  ])('narrows replyReceived by $what, with opaque ids in the event', async ({ groupId }) => {
    const client = wsClient(app().url, world.inbox.account.key);
    const live = subscribe(client, 'subscription($g: ID) { replyReceived(groupId: $g) { message { id body } conversation { id group { id } } } }', { g: groupId(world) });
    try {
      let event: any;
      for (let attempt = 0; !event && attempt < 50; attempt++) {
        await postInbound(app(), { MessageSid: messageSid(), From: usNumber(), To: world.inbox.senderValue, Body: 'narrowed' });
        event = await live.next(200).catch(() => undefined);
      }
      expect(event.replyReceived.conversation.group.id).toBe(world.ids.grp);
      expect(event.replyReceived.message.id).toMatch(/^msg_/);
      expect(event.replyReceived.conversation.id).toMatch(/^cnv_/);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription narrowed by an id of another type as NOT_FOUND', async () => {
    const client = wsClient(app().url, world.inbox.account.key);
    const live = subscribe(client, 'subscription($g: ID) { replyReceived(groupId: $g) { keyword } }', { g: world.ids.snd });
    await expect(live.error).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    await client.dispose();
  });
});

for (const kind of databaseKinds()) {
  describe(`ids across servers [${kind}]`, () => {
    it('shows the same ids from two servers over one database, and after a restart', async () => {
      const database = await freshDatabase(kind);
      const a = await bootApp(kind, { database });
      const b = await bootApp(kind, { database });
      let legacy = '';
      try {
        const made = await createAccount(a, 'Shared');
        legacy = String(rawId(made.id));
        expect((await b.ok('{ viewer { id } }', {}, made.key)).viewer.id).toBe(made.id);
        expect((await b.ok('query($id: ID!) { account(id: $id) { id } }', { id: made.id })).account.id).toBe(made.id);
        await b.restart();
        expect((await b.ok('{ viewer { id } }', {}, made.key)).viewer.id).toBe(made.id);
      } finally {
        await a.close();
        await b.close();
      }
      // ID_SECRET takes the place of the stored secret: other ids, the same rows.
      const other = await bootApp(kind, { database, env: { ID_SECRET: 'an-operator-chosen-secret-0123456789' } });
      try {
        const accounts = await other.ok('query($id: ID!) { account(id: $id) { id name } }', { id: legacy });
        expect(accounts.account.name).toBe('Shared');
        expect(accounts.account.id).toMatch(/^acc_/);
      } finally {
        await other.close();
        await database.drop();
      }
    });
  });
}
