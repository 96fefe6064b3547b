import { describeEachDatabase, type TestApp } from './helpers/app';
import { carrierMessages, createCampaign, until, waitForCampaign } from './helpers/campaign-fixtures';
import { eventually, messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

const SET = `mutation($g: ID!, $p: String!, $s: SubscriptionStatus!) { setSubscription(groupId: $g, phoneNumber: $p, status: $s) { status source pendingUntil } }`;
const MEMBER = `query($p: String!) { contactByPhone(phoneNumber: $p) { memberships { status source pendingUntil group { id } history { oldStatus newStatus source cause consentText } } } }`;
const REQUEST = 'Acme: reply YES to get our weekly deals. STOP to opt out.';

async function doubleOptInGroup(app: TestApp, name: string, extra: Record<string, unknown> = {}): Promise<InboxFixture> {
  const inbox = await setupInbox(app, name);
  const updated = await app.ok(
    'mutation($id: ID!, $input: UpdateSubscriptionGroupInput!) { updateSubscriptionGroup(id: $id, input: $input) { doubleOptIn confirmationRequest confirmationExpirySeconds } }',
    { id: inbox.groupId, input: { doubleOptIn: true, confirmationRequest: REQUEST, ...extra } },
    inbox.account.key,
  );
  expect(updated.updateSubscriptionGroup).toMatchObject({ doubleOptIn: true, confirmationRequest: REQUEST });
  return inbox;
}

async function membership(app: TestApp, inbox: InboxFixture, phone: string): Promise<any> {
  const data = await app.ok(MEMBER, { p: phone }, inbox.account.key);
  return data.contactByPhone?.memberships.find((m: any) => m.group.id === inbox.groupId) ?? null;
}

describeEachDatabase('double opt-in', (app) => {
  const carrier = () => `${app().url}/carrier`;

  it('makes a PENDING member who gets the confirmation request and nothing else, until YES makes it SUBSCRIBED', async () => {
    const inbox = await doubleOptInGroup(app(), 'Doi');
    const [pending, confirmed] = [usNumber(), usNumber()];
    const set = await app().ok(SET, { g: inbox.groupId, p: pending, s: 'SUBSCRIBED' }, inbox.account.key);
    expect(set.setSubscription).toMatchObject({ status: 'PENDING', source: 'API' });
    expect(new Date(set.setSubscription.pendingUntil).getTime()).toBeGreaterThan(Date.now() + 47 * 3600 * 1000);
    await app().ok(SET, { g: inbox.groupId, p: confirmed, s: 'SUBSCRIBED' }, inbox.account.key);
    await until('both requests taken by the carrier', async () => (await carrierMessages(carrier(), pending)).length === 1 && (await carrierMessages(carrier(), confirmed)).length === 1);
    expect((await carrierMessages(carrier(), pending)).map((m) => [m.from, m.body])).toEqual([[inbox.senderValue, REQUEST]]);

    const yes = messageSid();
    expect((await postInbound(app(), { MessageSid: yes, From: confirmed, To: inbox.senderValue, Body: 'yes' })).status).toBe(200);
    expect(await membership(app(), inbox, confirmed)).toMatchObject({
      status: 'SUBSCRIBED', source: 'DOUBLE_OPT_IN', pendingUntil: null,
      history: [
        { oldStatus: 'PENDING', newStatus: 'SUBSCRIBED', source: 'DOUBLE_OPT_IN', cause: `inbound:${yes}`, consentText: 'yes' },
        { oldStatus: null, newStatus: 'PENDING', source: 'API', cause: 'api' },
      ],
    });

    // A campaign reaches the confirmed member only; `route` refuses the pending one as launch and hand-over do.
    const route = await app().ok('query($g: ID!, $p: String!) { route(groupId: $g, phoneNumber: $p) { allowed error { code } } }', { g: inbox.groupId, p: pending }, inbox.account.key);
    expect(route.route).toEqual({ allowed: false, error: { code: 'RECIPIENT_NOT_CONFIRMED' } });
    const id = await createCampaign(app(), { account: inbox.account, groupId: inbox.groupId, senders: [] }, 'Weekly deals');
    const launched = await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { stats { recipients } } }', { id }, inbox.account.key);
    expect(launched.launchCampaign.stats.recipients).toBe(1);
    await waitForCampaign(app(), inbox.account.key, id, ['COMPLETED']);
    await eventually(async () => expect((await carrierMessages(carrier(), confirmed)).map((m) => m.body)).toEqual([REQUEST, expect.stringContaining('subscribed'), 'Weekly deals']));
    expect((await carrierMessages(carrier(), pending)).map((m) => m.body)).toEqual([REQUEST]);
  });

  it('re-sends the request once when asked again, never a third time', async () => {
    const inbox = await doubleOptInGroup(app(), 'Again');
    const phone = usNumber();
    await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    const third = await app().gql(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    expect(third.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await until('two requests', async () => (await carrierMessages(carrier(), phone)).length === 2);
    expect((await membership(app(), inbox, phone)).history).toHaveLength(1);
  });

  it('expires an unanswered request: UNSUBSCRIBED, recorded, and a later YES still subscribes', async () => {
    const inbox = await doubleOptInGroup(app(), 'Expiry', { confirmationExpirySeconds: 1 });
    const phone = usNumber();
    await app().ok(SET, { g: inbox.groupId, p: phone, s: 'SUBSCRIBED' }, inbox.account.key);
    const expired = await until('the request expires', async () => {
      const m = await membership(app(), inbox, phone);
      return m.status === 'UNSUBSCRIBED' ? m : null;
    }, 20000);
    expect(expired).toMatchObject({ source: 'DOUBLE_OPT_IN', pendingUntil: null, history: [{ oldStatus: 'PENDING', newStatus: 'UNSUBSCRIBED', source: 'DOUBLE_OPT_IN', cause: 'expired' }, { newStatus: 'PENDING' }] });
    expect(await carrierMessages(carrier(), phone)).toHaveLength(1);
    await postInbound(app(), { MessageSid: messageSid(), From: phone, To: inbox.senderValue, Body: 'YES' });
    expect(await membership(app(), inbox, phone)).toMatchObject({ status: 'SUBSCRIBED', source: 'KEYWORD' });
  });

  it('imports PENDING members, each asked once, and takes a YES from a number with no pending membership as an opt-in', async () => {
    const inbox = await doubleOptInGroup(app(), 'Import');
    const numbers = [usNumber(), usNumber(), usNumber()];
    const result = await app().ok('mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c, consentText: "paper form") { subscribed pending } }',
      { g: inbox.groupId, c: numbers.map((phoneNumber) => ({ phoneNumber })) }, inbox.account.key);
    expect(result.importContacts).toEqual({ subscribed: 0, pending: 3 });
    for (const phone of numbers) {
      expect(await membership(app(), inbox, phone)).toMatchObject({ status: 'PENDING', source: 'IMPORT', history: [{ newStatus: 'PENDING', source: 'IMPORT', consentText: 'paper form' }] });
    }
    await until('three requests', async () => (await Promise.all(numbers.map((p) => carrierMessages(carrier(), p)))).every((m) => m.length === 1));
    const stranger = usNumber();
    await postInbound(app(), { MessageSid: messageSid(), From: stranger, To: inbox.senderValue, Body: 'Oui' });
    expect(await membership(app(), inbox, stranger)).toMatchObject({ status: 'SUBSCRIBED', source: 'KEYWORD', history: [{ oldStatus: null, source: 'KEYWORD' }] });
  });

  it('refuses bad group settings naming the field', async () => {
    const inbox = await setupInbox(app(), 'Bad settings');
    const UPDATE = 'mutation($id: ID!, $input: UpdateSubscriptionGroupInput!) { updateSubscriptionGroup(id: $id, input: $input) { doubleOptIn } }';
    for (const [input, field] of [[{ confirmationExpirySeconds: 0 }, 'confirmationExpirySeconds'], [{ confirmationExpirySeconds: -5 }, 'confirmationExpirySeconds'], [{ confirmationRequest: 'x'.repeat(321) }, 'confirmationRequest']] as const) {
      const res = await app().gql(UPDATE, { id: inbox.groupId, input }, inbox.account.key);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
}, { env: { DOUBLE_OPT_IN_SWEEP_MS: '200' } });
