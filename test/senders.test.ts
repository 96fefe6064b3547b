import { describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, createSubaccount, type AccountFixture } from './helpers/fixtures';

const ADD = `mutation($g: ID!, $s: SenderInput!) { addSender(groupId: $g, input: $s) { id type value country twoWay maxPerSecond createdAt group { id name } } }`;

async function newGroup(app: TestApp, owner: AccountFixture, name: string): Promise<string> {
  const res = await app.ok(`mutation($n: String!) { createSubscriptionGroup(input: { name: $n }) { id } }`, { n: name }, owner.key);
  return res.createSubscriptionGroup.id;
}

describeEachDatabase('senders', (app) => {
  let acme: AccountFixture;
  let group: string;

  beforeAll(async () => {
    acme = await createAccount(app(), 'Sender Co', 'US');
    group = await newGroup(app(), acme, 'senders');
  });

  it.each([
    ['a long code, region from the number', { type: 'LONG_CODE', value: '+1 (415) 555-0100' }, { value: '+14155550100', country: 'US', twoWay: true, maxPerSecond: 1 }],
    ['a long code abroad, 10 a second', { type: 'LONG_CODE', value: '+44 7400 123456' }, { value: '+447400123456', country: 'GB', twoWay: true, maxPerSecond: 10 }],
    ['a toll-free number, 3 a second', { type: 'TOLL_FREE', value: '+18005550199' }, { value: '+18005550199', country: 'US', maxPerSecond: 3 }],
    ['a Canadian toll-free number by explicit country', { type: 'TOLL_FREE', value: '+18885551234', country: 'ca' }, { country: 'CA', maxPerSecond: 3 }],
    ['a short code, 100 a second', { type: 'SHORT_CODE', value: '12345', country: 'US' }, { value: '12345', country: 'US', twoWay: true, maxPerSecond: 100 }],
    ['an alphanumeric ID, one-way', { type: 'ALPHANUMERIC', value: 'Acme Shop', country: 'GB' }, { value: 'Acme Shop', country: 'GB', twoWay: false, maxPerSecond: 10 }],
    ['a custom rate', { type: 'LONG_CODE', value: '+4930123456', maxPerSecond: 0.5 }, { country: 'DE', maxPerSecond: 0.5 }],
  ])('adds %s', async (_title, input, expected) => {
    const { addSender } = await app().ok(ADD, { g: group, s: input }, acme.key);
    expect(addSender).toMatchObject({ type: input.type, group: { id: group }, ...expected });
    expect(Date.parse(addSender.createdAt)).not.toBeNaN();
  });

  it.each([
    ['a malformed number', { type: 'LONG_CODE', value: '415-555' }, 'value'],
    ['a number without +', { type: 'LONG_CODE', value: '4155550111' }, 'value'],
    ['a mobile number as toll-free', { type: 'TOLL_FREE', value: '+447400123499' }, 'value'],
    ['a toll-free number as long code', { type: 'LONG_CODE', value: '+18665550100' }, 'type'],
    ['a number of another region than the one named', { type: 'LONG_CODE', value: '+14155550123', country: 'GB' }, 'country'],
    ['a short code without a region', { type: 'SHORT_CODE', value: '54321' }, 'country'],
    ['a short code of 2 digits', { type: 'SHORT_CODE', value: '12', country: 'US' }, 'value'],
    ['a short code of 9 digits', { type: 'SHORT_CODE', value: '123456789', country: 'US' }, 'value'],
    ['a short code with letters', { type: 'SHORT_CODE', value: '12A45', country: 'US' }, 'value'],
    ['a short code of an unknown region', { type: 'SHORT_CODE', value: '54321', country: 'XX' }, 'country'],
    ['an alphanumeric ID with punctuation', { type: 'ALPHANUMERIC', value: 'Acme!', country: 'GB' }, 'value'],
    ['an alphanumeric ID of 12 characters', { type: 'ALPHANUMERIC', value: 'ABCDEFGHIJKL', country: 'GB' }, 'value'],
    ['an alphanumeric ID of digits only', { type: 'ALPHANUMERIC', value: '12345', country: 'GB' }, 'value'],
    ['an alphanumeric ID without a region', { type: 'ALPHANUMERIC', value: 'Acme' }, 'country'],
    ['an alphanumeric ID for the US', { type: 'ALPHANUMERIC', value: 'Acme', country: 'US' }, 'country'],
    ['an alphanumeric ID for Canada', { type: 'ALPHANUMERIC', value: 'Acme', country: 'CA' }, 'country'],
    ['a rate of zero', { type: 'LONG_CODE', value: '+4930123457', maxPerSecond: 0 }, 'maxPerSecond'],
    ['a rate over 10000', { type: 'SHORT_CODE', value: '777', country: 'US', maxPerSecond: 10001 }, 'maxPerSecond'],
    ['an empty value', { type: 'LONG_CODE', value: '  ' }, 'value'],
  ])('refuses %s, naming the field', async (_title, input, field) => {
    const res = await app().gql(ADD, { g: group, s: input }, acme.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0].message.startsWith(`${field}:`)).toBe(true);
  });

  it('refuses a value another group holds, in any format or case, and frees it once removed', async () => {
    const other = await createAccount(app(), 'Other Co', 'GB');
    const otherGroup = await newGroup(app(), other, 'other');
    const first = await app().ok(ADD, { g: otherGroup, s: { type: 'LONG_CODE', value: '+447400111222' } }, other.key);
    for (const [g, key, value] of [[group, acme.key, '+44 7400 111222'], [otherGroup, other.key, '+447400111222']]) {
      const dup = await app().gql(ADD, { g, s: { type: 'LONG_CODE', value } }, key);
      expect(dup.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'value' });
    }
    await app().ok(ADD, { g: otherGroup, s: { type: 'ALPHANUMERIC', value: 'Brand', country: 'GB' } }, other.key);
    const caseDup = await app().gql(ADD, { g: group, s: { type: 'ALPHANUMERIC', value: 'BRAND', country: 'DE' } }, acme.key);
    expect(caseDup.errors?.[0].extensions?.field).toBe('value');

    expect((await app().ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id: first.addSender.id }, other.key)).removeSender).toBe(true);
    const moved = await app().ok(ADD, { g: group, s: { type: 'LONG_CODE', value: '+447400111222' } }, acme.key);
    expect(moved.addSender.group.id).toBe(group);
  });

  it('lets only one of two simultaneous adds of a value win', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => app().gql(ADD, { g: group, s: { type: 'SHORT_CODE', value: '424242', country: 'US' } }, acme.key)));
    expect(results.filter((r) => r.data?.addSender).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'BAD_USER_INPUT').length).toBe(3);
  });

  it('drops a removed sender from the group, its countries and a second removal', async () => {
    const g = await newGroup(app(), acme, 'removal');
    const fr = await app().ok(ADD, { g, s: { type: 'SHORT_CODE', value: '38111', country: 'FR' } }, acme.key);
    await app().ok(ADD, { g, s: { type: 'LONG_CODE', value: '+4930123499' } }, acme.key);
    const before = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { countries senders { value } } }`, { g }, acme.key);
    expect(before.subscriptionGroup.countries).toEqual(['DE', 'FR']);
    await app().ok(`mutation($id: ID!) { removeSender(id: $id) }`, { id: fr.addSender.id }, acme.key);
    const after = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { countries senders { value } } }`, { g }, acme.key);
    expect(after.subscriptionGroup).toEqual({ countries: ['DE'], senders: [{ value: '+4930123499' }] });
    const again = await app().gql(`mutation($id: ID!) { removeSender(id: $id) }`, { id: fr.addSender.id }, acme.key);
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('hides senders and groups of other tenants: NOT_FOUND, nothing changed', async () => {
    const stranger = await createAccount(app(), 'Stranger Co', 'US');
    const sub = await createSubaccount(app(), acme, 'Acme Sub');
    const subGroup = await newGroup(app(), sub, 'sub group');
    const target = await app().ok(ADD, { g: group, s: { type: 'LONG_CODE', value: '+14155550177' } }, acme.key);

    const add = await app().gql(ADD, { g: group, s: { type: 'LONG_CODE', value: '+14155550178' } }, stranger.key);
    expect(add.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const remove = await app().gql(`mutation($id: ID!) { removeSender(id: $id) }`, { id: target.addSender.id }, stranger.key);
    expect(remove.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // A subaccount does not reach its parent's groups; the parent manages the subaccount's.
    const up = await app().gql(ADD, { g: group, s: { type: 'LONG_CODE', value: '+14155550179' } }, sub.key);
    expect(up.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const down = await app().ok(ADD, { g: subGroup, s: { type: 'LONG_CODE', value: '+14155550179' } }, acme.key);
    expect(down.addSender.group.id).toBe(subGroup);
    const still = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { senders { id } } }`, { g: group }, acme.key);
    expect(still.subscriptionGroup.senders.map((s: { id: string }) => s.id)).toContain(target.addSender.id);
  });
});
