import { getNamedType } from 'graphql';
import { DEFAULT_REPLIES_BY_LANGUAGE } from '../src/groups/consent-languages';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { createCampaign, waitForCampaign } from './helpers/campaign-fixtures';
import { conversationWith, eventually, messageSid, messagesOf, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

const RECORD = 'id oldStatus newStatus source cause apiKeyId consentText createdAt';
const SET = `mutation($g: ID!, $p: String!, $s: SubscriptionStatus!, $t: String) { setSubscription(groupId: $g, phoneNumber: $p, status: $s, consentText: $t) { status source history { ${RECORD} } } }`;
const IMPORT = `mutation($g: ID!, $c: [ContactInput!]!, $t: String) { importContacts(groupId: $g, contacts: $c, consentText: $t) { created subscribed pending rejected { index } } }`;
const MEMBERS = `query($g: ID!) { subscriptionGroup(id: $g) { members(first: 500) { nodes { status source contact { phoneNumber } history { ${RECORD} } } } } }`;
const EXPORT = `query($g: ID!, $since: DateTime, $first: Int, $after: String) { consentRecords(groupId: $g, since: $since, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } nodes { ${RECORD} } } }`;

async function membersOf(app: TestApp, inbox: InboxFixture): Promise<any[]> {
  return (await app.ok(MEMBERS, { g: inbox.groupId }, inbox.account.key)).subscriptionGroup.members.nodes;
}

async function historyOf(app: TestApp, inbox: InboxFixture, phoneNumber: string): Promise<any[]> {
  return (await membersOf(app, inbox)).find((m) => m.contact.phoneNumber === phoneNumber)?.history ?? [];
}

/** The whole export, page by page. */
async function exportAll(app: TestApp, inbox: InboxFixture, since?: string): Promise<any[]> {
  const records: any[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await app.ok(EXPORT, { g: inbox.groupId, since, first: 2, after }, inbox.account.key)).consentRecords;
    records.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return records;
    after = page.pageInfo.endCursor;
  }
}

describeEachDatabase('consent ledger', (app) => {
  let inbox: InboxFixture;

  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Ledger');
  });

  it('records a setSubscription change once, with the API key and the consent text, and nothing for a repeat', async () => {
    const phone = usNumber();
    const on = await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED', t: '  Yes, send me offers (web form v3)  ' }, inbox.account.key);
    expect(on.setSubscription.history).toEqual([expect.objectContaining({ oldStatus: null, newStatus: 'SUBSCRIBED', source: 'API', cause: 'api', consentText: 'Yes, send me offers (web form v3)' })]);
    expect(on.setSubscription.history[0].apiKeyId).toMatch(/^key_/);
    const again = await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    expect(again.setSubscription.history).toHaveLength(1);
    const off = await app().ok(SET, { g: inbox.groupId, p: phone, s: 'UNSUBSCRIBED' }, inbox.account.key);
    expect(off.setSubscription.history.map((r: any) => [r.oldStatus, r.newStatus, r.consentText])).toEqual([['SUBSCRIBED', 'UNSUBSCRIBED', null], [null, 'SUBSCRIBED', 'Yes, send me offers (web form v3)']]);
    // The operator has no key: the record says so.
    const byOperator = await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' });
    expect(byOperator.setSubscription.history[0]).toMatchObject({ oldStatus: 'UNSUBSCRIBED', newStatus: 'SUBSCRIBED', apiKeyId: null });
  });

  it('records each member an import makes, in bulk, under one import call id, and none for members it leaves alone', async () => {
    const existing = usNumber();
    await app().ok(SET, { g: inbox.groupId, p: existing, s: 'UNSUBSCRIBED' }, inbox.account.key);
    const fresh = Array.from({ length: 25 }, () => usNumber());
    const result = await app().ok(IMPORT, { g: inbox.groupId, c: [...fresh, existing].map((phoneNumber) => ({ phoneNumber })), t: 'Signed up at the till' }, inbox.account.key);
    expect(result.importContacts).toMatchObject({ subscribed: 25, pending: 0, rejected: [] });
    const members = await membersOf(app(), inbox);
    const imported = fresh.map((p) => members.find((m) => m.contact.phoneNumber === p).history);
    for (const history of imported) expect(history).toEqual([expect.objectContaining({ oldStatus: null, newStatus: 'SUBSCRIBED', source: 'IMPORT', consentText: 'Signed up at the till' })]);
    const causes = new Set(imported.map((h) => h[0].cause));
    expect(causes.size).toBe(1);
    expect([...causes][0]).toMatch(/^import:[0-9a-f-]{36}$/);
    expect(await historyOf(app(), inbox, existing)).toEqual([expect.objectContaining({ newStatus: 'UNSUBSCRIBED', source: 'API' })]);
  });

  it('records keywords and plain-words opt-outs with the inbound message and its words, answering in their language', async () => {
    const phone = usNumber();
    const stopSid = messageSid();
    expect((await postInbound(app(), { MessageSid: stopSid, From: phone, To: inbox.senderValue, Body: 'Arrêt' })).status).toBe(200);
    const siSid = messageSid();
    expect((await postInbound(app(), { MessageSid: siSid, From: phone, To: inbox.senderValue, Body: 'Sí' })).status).toBe(200);
    const plainSid = messageSid();
    expect((await postInbound(app(), { MessageSid: plainSid, From: phone, To: inbox.senderValue, Body: 'please remove me from this list' })).status).toBe(200);
    // HELP changes nothing and records nothing.
    expect((await postInbound(app(), { MessageSid: messageSid(), From: phone, To: inbox.senderValue, Body: 'hilfe' })).status).toBe(200);
    expect((await historyOf(app(), inbox, phone)).map((r) => [r.oldStatus, r.newStatus, r.source, r.cause, r.consentText])).toEqual([
      ['SUBSCRIBED', 'UNSUBSCRIBED', 'KEYWORD', `inbound:${plainSid}`, 'please remove me from this list'],
      ['UNSUBSCRIBED', 'SUBSCRIBED', 'KEYWORD', `inbound:${siSid}`, 'Sí'],
      [null, 'UNSUBSCRIBED', 'KEYWORD', `inbound:${stopSid}`, 'Arrêt'],
    ]);
    const conversation = await conversationWith(app(), inbox, phone);
    const answers = await eventually(async () => {
      const outbound = (await messagesOf(app(), inbox, conversation.id)).filter((m) => m.direction === 'OUTBOUND').map((m) => m.body).reverse();
      expect(outbound).toHaveLength(4);
      return outbound;
    });
    expect(answers).toEqual([DEFAULT_REPLIES_BY_LANGUAGE.fr.OPT_OUT, DEFAULT_REPLIES_BY_LANGUAGE.es.OPT_IN, DEFAULT_REPLIES_BY_LANGUAGE.en.OPT_OUT, DEFAULT_REPLIES_BY_LANGUAGE.de.HELP]);
  });

  it('keeps emoji-only, question and 2,000-character replies as plain messages: stored, threaded, no change', async () => {
    const phone = usNumber();
    await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    const bodies = ['🛑🛑', 'when does the sale stop?', "don't stop, I love it", 'please stop '.repeat(166).trim()];
    for (const Body of bodies) expect((await postInbound(app(), { MessageSid: messageSid(), From: phone, To: inbox.senderValue, Body })).status).toBe(200);
    const conversation = await conversationWith(app(), inbox, phone);
    const messages = await messagesOf(app(), inbox, conversation.id);
    expect(messages.map((m) => m.body).reverse()).toEqual(bodies);
    expect(messages.every((m) => m.direction === 'INBOUND')).toBe(true);
    expect(await historyOf(app(), inbox, phone)).toHaveLength(1);
  });

  it('takes no plain-words opt-out in a group that turned them off, and still takes the keyword', async () => {
    const quiet = await setupInbox(app(), 'Quiet', inbox.account);
    await app().ok('mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { plainWordsOptOut: false }) { plainWordsOptOut } }', { id: quiet.groupId }, inbox.account.key);
    const phone = usNumber();
    await app().ok(SET, { g: quiet.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    await postInbound(app(), { MessageSid: messageSid(), From: phone, To: quiet.senderValue, Body: 'please stop' });
    expect((await historyOf(app(), quiet, phone))[0]).toMatchObject({ newStatus: 'SUBSCRIBED' });
    await postInbound(app(), { MessageSid: messageSid(), From: phone, To: quiet.senderValue, Body: 'STOP' });
    expect((await historyOf(app(), quiet, phone))[0]).toMatchObject({ newStatus: 'UNSUBSCRIBED', source: 'KEYWORD' });
  });

  it("records the carrier's 21610 with the refused message", async () => {
    // A group of its own, whose one member the simulator refuses with 21610.
    const carrier = await setupInbox(app(), 'Carrier', inbox.account);
    const refused = '+15005550004';
    await app().ok(IMPORT, { g: carrier.groupId, c: [{ phoneNumber: refused }] }, inbox.account.key);
    const id = await createCampaign(app(), { account: inbox.account, groupId: carrier.groupId, senders: [] }, 'Carrier says no');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, inbox.account.key);
    const done = await waitForCampaign(app(), inbox.account.key, id, ['COMPLETED']);
    const message = done.messages.nodes.find((m: any) => m.to === refused);
    expect(message).toMatchObject({ status: 'FAILED', error: { providerCode: 21610 } });
    const history = await historyOf(app(), carrier, refused);
    expect(history[0]).toMatchObject({ oldStatus: 'SUBSCRIBED', newStatus: 'UNSUBSCRIBED', source: 'CARRIER', cause: `carrier:21610:${message.id}`, apiKeyId: null });
  });

  it('records each change once when API calls and keywords race for one member', async () => {
    const phone = usNumber();
    await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 3 === 0
      ? postInbound(app(), { MessageSid: messageSid(), From: phone, To: inbox.senderValue, Body: i % 2 ? 'STOP' : 'START' })
      : app().ok(SET, { g: inbox.groupId, p: phone, s: i % 2 ? 'UNSUBSCRIBED' : 'SUBSCRIBED' }, inbox.account.key))));
    const member = (await membersOf(app(), inbox)).find((m) => m.contact.phoneNumber === phone);
    expect(member.history[0].newStatus).toBe(member.status);
    member.history.forEach((record: any, i: number) => {
      expect(record.oldStatus).toBe(i + 1 < member.history.length ? member.history[i + 1].newStatus : null);
      expect(record.oldStatus).not.toBe(record.newStatus);
    });
  });

  it('holds a record for every change of every member: each history is an unbroken chain ending in the status', async () => {
    const members = await membersOf(app(), inbox);
    expect(members.length).toBeGreaterThan(25);
    for (const member of members) {
      const history = member.history;
      expect(history.length).toBeGreaterThan(0);
      expect(history[0].newStatus).toBe(member.status);
      expect(history[0].source).toBe(member.source);
      history.forEach((record: any, i: number) => expect(record.oldStatus).toBe(i + 1 < history.length ? history[i + 1].newStatus : null));
    }
  });

  it('exports the group ledger in pages, oldest first, from `since` on, and the same records as the histories', async () => {
    const all = await exportAll(app(), inbox);
    const histories = (await membersOf(app(), inbox)).flatMap((m) => m.history);
    expect(all.map((r) => r.id).sort()).toEqual(histories.map((r: any) => r.id).sort());
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (let i = 1; i < all.length; i++) expect(all[i].createdAt >= all[i - 1].createdAt).toBe(true);
    const since = all[all.length - 3].createdAt;
    const recent = await exportAll(app(), inbox, since);
    expect(recent.length).toBeGreaterThanOrEqual(3);
    expect(recent.every((r) => r.createdAt >= since)).toBe(true);
    const other = await setupInbox(app(), 'Other tenant');
    const foreign = await app().gql(EXPORT, { g: inbox.groupId }, other.account.key);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const badCursor = await app().gql(EXPORT, { g: inbox.groupId, after: 'nope' }, inbox.account.key);
    expect(badCursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('offers no way to change a record: no mutation takes or returns one, and records stay as written', async () => {
    const schema = app().server.schema;
    // The ledger's only types are output types; no input type, and no mutation, is about it.
    expect(Object.keys(schema.getTypeMap()).filter((name) => /consent/i.test(name)).sort()).toEqual(['ConsentRecord', 'ConsentRecordConnection', 'ConsentRecordEdge']);
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.filter((field) => /consent|ledger|record/i.test(field.name) || getNamedType(field.type).name.startsWith('ConsentRecord')).map((f) => f.name)).toEqual([]);
    const before = await exportAll(app(), inbox);
    await app().ok(SET, { g: inbox.groupId, p: usNumber(), s: 'UNSUBSCRIBED' }, inbox.account.key);
    const after = await exportAll(app(), inbox);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);

  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const phone = usNumber();
    const unknown = await app().gql(SET, { g: inbox.groupId, p: phone, s: 'MAYBE' }, inbox.account.key);
    expect(unknown.errors?.[0].message).toMatch(/SubscriptionStatus/);
    const pending = await app().gql(SET, { g: inbox.groupId, p: phone, s: 'PENDING' }, inbox.account.key);
    expect(pending.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    const long = await app().gql(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED', t: 'x'.repeat(2001) }, inbox.account.key);
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'consentText' });
    const longImport = await app().gql(IMPORT, { g: inbox.groupId, c: [{ phoneNumber: phone }], t: '€'.repeat(100_000) }, inbox.account.key);
    expect(longImport.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'consentText' });
    expect(await historyOf(app(), inbox, phone)).toEqual([]);
    const contact = await app().ok('query($p: String!) { contactByPhone(phoneNumber: $p) { id } }', { p: phone }, inbox.account.key);
    expect(contact.contactByPhone).toBeNull();
  });
});
