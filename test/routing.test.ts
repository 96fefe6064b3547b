import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, createSubaccount, enableCountries, type AccountFixture } from './helpers/fixtures';
import { postTwilioWebhook } from './helpers/twilio-webhook';

interface SenderSpec {
  type: 'SHORT_CODE' | 'LONG_CODE' | 'TOLL_FREE' | 'ALPHANUMERIC';
  value: string;
  country?: string;
}

async function makeGroup(app: TestApp, owner: AccountFixture, name: string, internationalFallback: boolean, senders: SenderSpec[]): Promise<string> {
  const { createSubscriptionGroup: group } = await app.ok(
    `mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id } }`,
    { input: { name, internationalFallback } },
    owner.key,
  );
  for (const sender of senders) {
    await app.ok(`mutation($g: ID!, $s: SenderInput!) { addSender(groupId: $g, input: $s) { id } }`, { g: group.id, s: sender }, owner.key);
  }
  return group.id;
}

const ROUTE = `query($g: ID!, $p: String!) { route(groupId: $g, phoneNumber: $p) { phoneNumber country allowed sender { type value country } error { code providerCode message } } }`;

/**
 * One row per situation of the contract's "Sending" section: the group (by fixture name), the
 * number asked about, and either the sender value expected or the refusal code.
 */
type Expect = { sender: string; type?: string } | { error: string };
const CASES: Array<[title: string, group: string, phone: string, expected: Expect, country?: string | null]> = [
  // type priority within the recipient's region
  ['US: a short code beats long code and toll-free', 'priority', '+12125550123', { sender: '12345', type: 'SHORT_CODE' }, 'US'],
  ['US: a national-format number is read in the home country', 'priority', '(212) 555-0124', { sender: '12345' }, 'US'],
  ['CA: toll-free comes before the long code', 'priority', '+14165550123', { sender: '+18885551234', type: 'TOLL_FREE' }, 'CA'],
  ['PR under +1 gets its own long code, not the US short code', 'priority', '+17872345678', { sender: '+17875550123', type: 'LONG_CODE' }, 'PR'],
  ['GB: alphanumeric beats the long code outside US/CA', 'priority', '+447400123457', { sender: 'Acme', type: 'ALPHANUMERIC' }, 'GB'],
  ['DE: the long code comes before toll-free', 'priority', '+4915123456789', { sender: '+4930123456', type: 'LONG_CODE' }, 'DE'],
  ['FR: the short code beats alphanumeric and long code', 'priority', '+33612345679', { sender: '38100', type: 'SHORT_CODE' }, 'FR'],
  ['AU: a toll-free number alone is used', 'priority', '+61412345678', { sender: '+611800123456', type: 'TOLL_FREE' }, 'AU'],
  // account checks, in the contract's order
  ['IN is not enabled: geo-denied', 'priority', '+919876543210', { error: 'GEO_PERMISSION_DENIED' }, 'IN'],
  ['MX is not enabled: geo-denied', 'priority', '+525512345678', { error: 'GEO_PERMISSION_DENIED' }, 'MX'],
  ['GG (+447911) is its own region, not enabled', 'priority', '+447911123456', { error: 'GEO_PERMISSION_DENIED' }, 'GG'],
  ['a blocked prefix refuses the number', 'priority', '+442071838750', { error: 'PREFIX_BLOCKED' }, 'GB'],
  ['too short to be a number', 'priority', '12', { error: 'INVALID_PHONE_NUMBER' }, null],
  ['letters are not a number', 'priority', 'not a number', { error: 'INVALID_PHONE_NUMBER' }, null],
  ['a +1 number of too few digits', 'priority', '+1 555 0000', { error: 'INVALID_PHONE_NUMBER' }, null],
  ['a non-geographic +882 number is not valid', 'priority', '+882345678901', { error: 'INVALID_PHONE_NUMBER' }, null],
  // international fallback on: home country first, long/toll-free only
  ['fallback: DE goes out from the home-country long code', 'fallback', '+4915123456780', { sender: '+13125550100', type: 'LONG_CODE' }, 'DE'],
  ['fallback: GB still uses its own short code', 'fallback', '+447400123457', { sender: '60060', type: 'SHORT_CODE' }, 'GB'],
  ['fallback: CA (enabled) gets the US long code across +1', 'fallback', '+14165551234', { sender: '+13125550100' }, 'CA'],
  ['fallback: FR uses its local alphanumeric ID', 'fallback', '+33612345678', { sender: 'FRONLY', type: 'ALPHANUMERIC' }, 'FR'],
  ['fallback without home senders: another region\'s long code', 'fallback-abroad', '+4915123456789', { sender: '+447400123458', type: 'LONG_CODE' }, 'DE'],
  ['fallback without home senders reaches the home country too', 'fallback-abroad', '+12125550123', { sender: '+447400123458' }, 'US'],
  ['a short code never crosses a border, fallback or not', 'short-only', '+14165550123', { error: 'NO_ELIGIBLE_SENDER' }, 'CA'],
  ['an alphanumeric ID never crosses a border', 'short-only', '+4915123456789', { error: 'NO_ELIGIBLE_SENDER' }, 'DE'],
  ['the short code serves its own region', 'short-only', '+12125550123', { sender: '22222' }, 'US'],
  ['alphanumeric is never used for the US', 'alpha-gb', '+12125550123', { error: 'NO_ELIGIBLE_SENDER' }, 'US'],
  // international fallback off
  ['fallback off: no DE sender, refused', 'no-fallback', '+4915123456789', { error: 'NO_ELIGIBLE_SENDER' }, 'DE'],
  ['fallback off: a US long code does not reach CA', 'no-fallback', '+14165550123', { error: 'NO_ELIGIBLE_SENDER' }, 'CA'],
  ['fallback off: the US long code serves the US', 'no-fallback', '+12125550123', { sender: '+12025550178' }, 'US'],
  ['a group without senders refuses', 'empty', '+12125550123', { error: 'NO_ELIGIBLE_SENDER' }, 'US'],
  ['a removed sender is no longer chosen', 'removed', '+12125550123', { sender: '+12025559876', type: 'LONG_CODE' }, 'US'],
  // a US-home account with only the US enabled
  ['US-home account does not reach CA through +1', 'us-only', '+14165550123', { error: 'GEO_PERMISSION_DENIED' }, 'CA'],
  ['US-home account does not reach PR through +1', 'us-only', '+17872345678', { error: 'GEO_PERMISSION_DENIED' }, 'PR'],
  ['US-home account reaches the US', 'us-only', '+12125550123', { sender: '+12025551234' }, 'US'],
  // suspension comes before everything
  ['a suspended parent stops its subaccount', 'suspended', '+12125550123', { error: 'ACCOUNT_SUSPENDED' }, 'US'],
  ['suspension is reported before an invalid number', 'suspended', '12', { error: 'ACCOUNT_SUSPENDED' }, null],
  // opt-out state
  ['an unsubscribed member is refused', 'priority', '+12125550199', { error: 'RECIPIENT_UNSUBSCRIBED' }, 'US'],
  ['a subscribed member is routed', 'priority', '+12125550198', { sender: '12345' }, 'US'],
  ['a blocked prefix is reported before the opt-out', 'priority', '+442071838751', { error: 'PREFIX_BLOCKED' }, 'GB'],
];

describeEachDatabase('routing: route(groupId, phoneNumber)', (app) => {
  const groups: Record<string, string> = {};
  let main: AccountFixture;

  beforeAll(async () => {
    main = await createAccount(app(), 'Routing Co', 'US');
    await enableCountries(app(), main, ['CA', 'PR', 'GB', 'DE', 'FR', 'AU']);
    await app().ok(`mutation($a: ID!) { blockPrefix(accountId: $a, prefix: "+4420") { id } }`, { a: main.id }, main.key);
    groups.priority = await makeGroup(app(), main, 'priority', false, [
      { type: 'SHORT_CODE', value: '12345', country: 'US' },
      { type: 'LONG_CODE', value: '+14155550100' },
      { type: 'TOLL_FREE', value: '+18005550199' },
      { type: 'LONG_CODE', value: '+16135550123' },
      { type: 'TOLL_FREE', value: '+18885551234', country: 'CA' },
      { type: 'LONG_CODE', value: '+17875550123' },
      { type: 'ALPHANUMERIC', value: 'Acme', country: 'GB' },
      { type: 'LONG_CODE', value: '+447400123456' },
      { type: 'LONG_CODE', value: '+4930123456' },
      { type: 'TOLL_FREE', value: '+498001234567' },
      { type: 'SHORT_CODE', value: '38100', country: 'FR' },
      { type: 'ALPHANUMERIC', value: 'AcmeFR', country: 'FR' },
      { type: 'LONG_CODE', value: '+33612345678' },
      { type: 'TOLL_FREE', value: '+611800123456' },
    ]);
    groups.fallback = await makeGroup(app(), main, 'fallback', true, [
      { type: 'LONG_CODE', value: '+13125550100' },
      { type: 'SHORT_CODE', value: '60060', country: 'GB' },
      { type: 'ALPHANUMERIC', value: 'FRONLY', country: 'FR' },
    ]);
    groups['fallback-abroad'] = await makeGroup(app(), main, 'fallback abroad', true, [
      { type: 'SHORT_CODE', value: '38200', country: 'FR' },
      { type: 'TOLL_FREE', value: '+611800123457' },
      { type: 'LONG_CODE', value: '+447400123458' },
    ]);
    groups['short-only'] = await makeGroup(app(), main, 'short only', true, [
      { type: 'SHORT_CODE', value: '22222', country: 'US' },
      { type: 'ALPHANUMERIC', value: 'SHOP', country: 'GB' },
    ]);
    groups['alpha-gb'] = await makeGroup(app(), main, 'alpha gb', true, [{ type: 'ALPHANUMERIC', value: 'ALPHA1', country: 'GB' }]);
    groups['no-fallback'] = await makeGroup(app(), main, 'no fallback', false, [{ type: 'LONG_CODE', value: '+12025550178' }]);
    groups.empty = await makeGroup(app(), main, 'empty', true, []);
    groups.removed = await makeGroup(app(), main, 'removed', false, [
      { type: 'SHORT_CODE', value: '33333', country: 'US' },
      { type: 'LONG_CODE', value: '+12025559876' },
    ]);
    const removed = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { senders { id value } } }`, { g: groups.removed }, main.key);
    const shortCode = removed.subscriptionGroup.senders.find((s: { value: string }) => s.value === '33333');
    await app().ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id: shortCode.id }, main.key);

    for (const [phone, status] of [['+12125550199', 'UNSUBSCRIBED'], ['+12125550198', 'SUBSCRIBED'], ['+442071838751', 'UNSUBSCRIBED']]) {
      await app().ok(`mutation($g: ID!, $p: String!, $s: SubscriptionStatus!) { setSubscription(groupId: $g, phoneNumber: $p, status: $s) { status } }`, { g: groups.priority, p: phone, s: status }, main.key);
    }

    const usOnly = await createAccount(app(), 'US Only Co', 'US');
    groups['us-only'] = await makeGroup(app(), usOnly, 'us only', true, [
      { type: 'LONG_CODE', value: '+12025551234' },
      { type: 'LONG_CODE', value: '+16135551234' },
      { type: 'LONG_CODE', value: '+17875551234' },
    ]);

    const parent = await createAccount(app(), 'Suspended Parent', 'US');
    const child = await createSubaccount(app(), parent, 'Child');
    groups.suspended = await makeGroup(app(), child, 'child group', false, [{ type: 'LONG_CODE', value: '+12025550100' }]);
    await app().ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "unpaid invoice") { status } }`, { id: parent.id }, ADMIN_TOKEN);
  });

  it.each(CASES)('%s', async (_title, group, phone, expected, country) => {
    const { route } = await app().ok(ROUTE, { g: groups[group], p: phone }, ADMIN_TOKEN);
    if (country !== undefined) expect(route.country).toBe(country);
    if ('sender' in expected) {
      expect(route).toMatchObject({ allowed: true, error: null, sender: { value: expected.sender } });
      if (expected.type) expect(route.sender.type).toBe(expected.type);
    } else {
      expect(route).toMatchObject({ allowed: false, sender: null, error: { code: expected.error } });
      expect(route.error.message.length).toBeGreaterThan(0);
    }
  });

  it('answers with E.164 for a valid number and the input as given for an invalid one', async () => {
    const valid = await app().ok(ROUTE, { g: groups.priority, p: '212-555-0123' }, main.key);
    expect(valid.route.phoneNumber).toBe('+12125550123');
    const invalid = await app().ok(ROUTE, { g: groups.priority, p: 'call me' }, main.key);
    expect(invalid.route).toMatchObject({ phoneNumber: 'call me', error: { code: 'INVALID_PHONE_NUMBER', providerCode: 21211 } });
  });

  it('gives one recipient the same one of several senders every time, and spreads recipients', async () => {
    const values = ['+14155550101', '+14155550102', '+14155550103', '+14155550104'];
    const group = await makeGroup(app(), main, 'four long codes', false, values.map((value) => ({ type: 'LONG_CODE' as const, value })));
    const first = await app().ok(ROUTE, { g: group, p: '+12125550123' }, main.key);
    const again = await app().ok(ROUTE, { g: group, p: '+1 212 555 0123' }, main.key);
    expect(again.route.sender.value).toBe(first.route.sender.value);
    const used = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { route } = await app().ok(ROUTE, { g: group, p: `+1212555${String(1000 + i)}` }, main.key);
      used.add(route.sender.value);
    }
    expect(used.size).toBeGreaterThanOrEqual(3);
    expect([...used].every((v) => values.includes(v))).toBe(true);
  });

  it('keeps a contact on the sender it already talks with, until that sender is removed', async () => {
    const values = ['+14155550111', '+14155550112', '+14155550113', '+14155550114'];
    const group = await makeGroup(app(), main, 'sticky', false, values.map((value) => ({ type: 'LONG_CODE' as const, value })));
    const phone = '+12125550177';
    const hashed = (await app().ok(ROUTE, { g: group, p: phone }, main.key)).route.sender.value;
    const talkedTo = values.find((v) => v !== hashed)!;
    const inbound = await postTwilioWebhook(app(), '/webhooks/twilio/inbound', {
      MessageSid: `SM${'7'.repeat(32)}`, AccountSid: `AC${'0'.repeat(32)}`, From: phone, To: talkedTo, Body: 'hello', NumMedia: '0',
    });
    expect(inbound.status).toBe(200);
    expect((await app().ok(ROUTE, { g: group, p: phone }, main.key)).route.sender.value).toBe(talkedTo);
    // A later conversation with another sender of the group takes over: the most recent wins.
    const later = values.find((v) => v !== hashed && v !== talkedTo)!;
    // The most recent conversation wins by its time: let the clock move on so the two differ.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await postTwilioWebhook(app(), '/webhooks/twilio/inbound', {
      MessageSid: `SM${'8'.repeat(32)}`, AccountSid: `AC${'0'.repeat(32)}`, From: phone, To: later, Body: 'again', NumMedia: '0',
    });
    expect((await app().ok(ROUTE, { g: group, p: phone }, main.key)).route.sender.value).toBe(later);

    const senders = (await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { senders { id value } } }`, { g: group }, main.key)).subscriptionGroup.senders;
    const remove = (value: string) => app().ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id: senders.find((s: { value: string }) => s.value === value).id }, main.key);
    await remove(later);
    expect((await app().ok(ROUTE, { g: group, p: phone }, main.key)).route.sender.value).toBe(talkedTo);
    await remove(talkedTo);
    expect((await app().ok(ROUTE, { g: group, p: phone }, main.key)).route.sender.value).toBe(hashed);
  });

  it('answers a group the key may not see as NOT_FOUND', async () => {
    const stranger = await createAccount(app(), 'Stranger', 'US');
    const res = await app().gql(ROUTE, { g: groups.priority, p: '+12125550123' }, stranger.key);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(res.data).toBeNull();
  });
});
