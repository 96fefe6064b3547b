import { describeEachDatabase, type TestApp } from './helpers/app';
import { messageSid, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';
import { postTwilioWebhook } from './helpers/twilio-webhook';

/** As JSON text: the test's own JSON.stringify cannot write 5,000 levels. */
function nestedJson(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{"leaf":true}' + '}'.repeat(depth - 1);
}

/** Posts variables given as JSON text, so that they reach the server exactly as written. */
async function postRaw(app: TestApp, query: string, variablesJson: string, token: string) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
  });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describeEachDatabase('bad input', (app) => {
  let inbox: InboxFixture;

  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Bad input');
  });

  // GraphQL: each refused with BAD_USER_INPUT naming the field, nothing stored.
  const graphqlCases: Array<{ name: string; query: string; variables: (i: InboxFixture) => string; field: string }> = [
    {
      name: 'contact attributes nested 5,000 deep',
      query: 'mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }',
      variables: (i) => `{"g":"${i.groupId}","c":[{"phoneNumber":"+14155550100","attributes":${nestedJson(5000)}}]}`,
      field: 'contacts[0].attributes',
    },
    {
      name: 'contact attributes nested 11 deep',
      query: 'mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }',
      variables: (i) => `{"g":"${i.groupId}","c":[{"phoneNumber":"+14155550100","attributes":${nestedJson(11)}}]}`,
      field: 'contacts[0].attributes',
    },
    {
      name: '50,000 keywords',
      query: 'mutation($g: ID!, $k: [String!]!) { setKeywords(groupId: $g, category: HELP, keywords: $k) { id } }',
      variables: (i) => JSON.stringify({ g: i.groupId, k: Array.from({ length: 50_000 }, (_, n) => `KW${n}`) }),
      field: 'keywords',
    },
    ...['messages', 'campaigns', 'conversations'].map((root) => ({
      name: `a cursor of ["x"] on ${root}`,
      query: `query($after: String) { ${root}(after: $after) { totalCount } }`,
      variables: () => JSON.stringify({ after: cursorOf(root === 'conversations' ? ['2024-01-01T00:00:00.000Z', 'x'] : ['x']) }),
      field: 'after',
    })),
    {
      name: 'a cursor of [1.5] on members',
      query: 'query($g: ID!, $after: String) { subscriptionGroup(id: $g) { members(after: $after) { totalCount } } }',
      variables: (i) => JSON.stringify({ g: i.groupId, after: cursorOf([1.5]) }),
      field: 'after',
    },
  ];

  it.each(graphqlCases)('refuses $name with BAD_USER_INPUT on $field', async ({ query, variables, field }) => {
    const res = await postRaw(app(), query, variables(inbox), inbox.account.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0].message.startsWith(`${field}:`)).toBe(true);
  });

  it('still takes 100 keywords and attributes nested 10 deep', async () => {
    await app().ok('mutation($g: ID!, $k: [String!]!) { setKeywords(groupId: $g, category: HELP, keywords: $k) { id } }', { g: inbox.groupId, k: Array.from({ length: 100 }, (_, n) => `K${'W'.repeat(31)}${n}`.slice(0, 34)) }, inbox.account.key);
    const res = await app().ok('mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }', { g: inbox.groupId, c: [{ phoneNumber: '+14155550101', attributes: JSON.parse(nestedJson(10)) }] }, inbox.account.key);
    expect(res.importContacts.created).toBe(1);
  });

  // Signed webhooks: each refused with 400 naming the parameter, so nothing is mis-stored.
  const webhookCases: Array<{ name: string; path: '/webhooks/twilio/inbound' | '/webhooks/twilio/status'; params: (i: InboxFixture, sid: string) => Record<string, string | string[]>; named: string }> = [
    { name: 'an inbound Body over 16,000 characters (64 KB)', path: '/webhooks/twilio/inbound', params: (i, sid) => ({ MessageSid: sid, From: usNumber(), To: i.senderValue, Body: 'x'.repeat(65 * 1024) }), named: 'Body' },
    { name: 'an inbound Body of 16,001 characters', path: '/webhooks/twilio/inbound', params: (i, sid) => ({ MessageSid: sid, From: usNumber(), To: i.senderValue, Body: 'a'.repeat(16_001) }), named: 'Body' },
    { name: 'a MediaUrl over 2,048 characters', path: '/webhooks/twilio/inbound', params: (i, sid) => ({ MessageSid: sid, From: usNumber(), To: i.senderValue, Body: 'hi', NumMedia: '1', MediaUrl0: `https://example.com/${'m'.repeat(3000)}` }), named: 'MediaUrl0' },
    { name: 'Body repeated', path: '/webhooks/twilio/inbound', params: (i, sid) => ({ MessageSid: sid, From: usNumber(), To: i.senderValue, Body: ['first', 'second'] }), named: 'Body' },
    { name: 'MessageSid repeated', path: '/webhooks/twilio/inbound', params: (i, sid) => ({ MessageSid: [sid, messageSid()], From: usNumber(), To: i.senderValue, Body: 'hi' }), named: 'MessageSid' },
    { name: 'MessageStatus repeated', path: '/webhooks/twilio/status', params: (_i, sid) => ({ MessageSid: sid, MessageStatus: ['sent', 'delivered'] }), named: 'MessageStatus' },
  ];

  it.each(webhookCases)('answers 400 to a signed webhook with $name, storing nothing', async ({ path, params, named }) => {
    const sid = messageSid();
    const res = await postTwilioWebhook(app(), path, params(inbox, sid));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(new RegExp(`^${named}:`));
    expect(await storedMessages(app(), sid)).toBe(0);
  });

  it('stores an inbound Body of 16,000 characters of three bytes whole, on both databases', async () => {
    const sid = messageSid();
    const body = '€'.repeat(16_000);
    const res = await postTwilioWebhook(app(), '/webhooks/twilio/inbound', { MessageSid: sid, From: usNumber(), To: inbox.senderValue, Body: body, NumMedia: '0' });
    expect(res.status).toBe(200);
    const [row] = await app().server.services.dataSource.query('SELECT body FROM messages WHERE provider_sid = ?', [sid]);
    expect(row.body).toBe(body);
  });
});

async function storedMessages(app: TestApp, sid: string): Promise<number> {
  const [row] = await app.server.services.dataSource.query('SELECT COUNT(*) AS n FROM messages WHERE provider_sid = ?', [sid]);
  return Number(row.n);
}
