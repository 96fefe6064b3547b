import { describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, createSubaccount, type AccountFixture } from './helpers/fixtures';

const IMPORT = `mutation($g: ID!, $c: [ContactInput!]!, $s: Boolean) { importContacts(groupId: $g, contacts: $c, subscribe: $s) { created updated subscribed rejected { index phoneNumber error { code message } } } }`;
const BY_PHONE = `query($p: String!, $a: ID) { contactByPhone(phoneNumber: $p, accountId: $a) { id phoneNumber country firstName lastName attributes memberships { status source group { id } contact { id } } } }`;

async function newGroup(app: TestApp, owner: AccountFixture, name = 'contacts', accountId?: string): Promise<string> {
  const res = await app.ok(`mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id } }`, { input: { name, accountId } }, owner.key);
  return res.createSubscriptionGroup.id;
}

describeEachDatabase('contacts and import', (app) => {
  let acme: AccountFixture;
  let group: string;

  beforeAll(async () => {
    acme = await createAccount(app(), 'Contacts Co', 'US');
    group = await newGroup(app(), acme);
  });

  it('reads numbers in any common format, stores E.164 and region, and subscribes them', async () => {
    const rows = [
      { phoneNumber: '+44 7400 123456', firstName: 'Ann' },
      { phoneNumber: '(212) 555-0123', lastName: 'Home Country' },
      { phoneNumber: '020 7183 8750', defaultCountry: 'gb' },
      { phoneNumber: '00 49 30 123456', defaultCountry: 'DE' },
      { phoneNumber: '+33.6.12.34.56.78', attributes: { plan: 'gold', visits: 3 } },
      { phoneNumber: '1-416-555-0123' },
    ];
    const res = await app().ok(IMPORT, { g: group, c: rows }, acme.key);
    expect(res.importContacts).toEqual({ created: 6, updated: 0, subscribed: 6, rejected: [] });
    const expected = [['+447400123456', 'GB'], ['+12125550123', 'US'], ['+442071838750', 'GB'], ['+4930123456', 'DE'], ['+33612345678', 'FR'], ['+14165550123', 'CA']];
    for (const [e164, country] of expected) {
      const { contactByPhone } = await app().ok(BY_PHONE, { p: e164 }, acme.key);
      expect(contactByPhone).toMatchObject({ phoneNumber: e164, country, memberships: [{ status: 'SUBSCRIBED', source: 'IMPORT', group: { id: group } }] });
    }
    const fr = await app().ok(BY_PHONE, { p: '+33612345678' }, acme.key);
    expect(fr.contactByPhone.attributes).toEqual({ plan: 'gold', visits: 3 });
    const byNational = await app().ok(BY_PHONE, { p: '212 555 0123' }, acme.key);
    expect(byNational.contactByPhone).toMatchObject({ phoneNumber: '+12125550123', lastName: 'Home Country' });
  });

  it('rejects bad rows one by one, with index and error, and keeps the good ones', async () => {
    const g = await newGroup(app(), acme, 'mixed');
    const rows = [
      { phoneNumber: '+12125550140' },
      { phoneNumber: 'not a number' },
      { phoneNumber: '+12125550141' },
      { phoneNumber: '12' },
      { phoneNumber: '07400 123457', defaultCountry: 'ZZ' },
      { phoneNumber: '07400 123457' },
      { phoneNumber: '07400 123457', defaultCountry: 'GB' },
    ];
    const res = await app().ok(IMPORT, { g, c: rows }, acme.key);
    expect(res.importContacts).toMatchObject({ created: 3, updated: 0, subscribed: 3 });
    expect(res.importContacts.rejected.map((r: any) => [r.index, r.phoneNumber, r.error.code])).toEqual([
      [1, 'not a number', 'INVALID_PHONE_NUMBER'],
      [3, '12', 'INVALID_PHONE_NUMBER'],
      [4, '07400 123457', 'INVALID_PHONE_NUMBER'],
      [5, '07400 123457', 'INVALID_PHONE_NUMBER'],
    ]);
    expect(res.importContacts.rejected[2].error.message).toMatch(/^defaultCountry:/);
    expect(res.importContacts.rejected[0].error.message).toMatch(/^phoneNumber:/);
    const count = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { memberCount } }`, { g }, acme.key);
    expect(count.subscriptionGroup.memberCount).toBe(3);
  });

  it('upserts by number: updates names, merges attributes, counts created and updated', async () => {
    const g = await newGroup(app(), acme, 'upsert');
    await app().ok(IMPORT, { g, c: [{ phoneNumber: '+12125550150', firstName: 'Old', lastName: 'Name', attributes: { a: 1, b: 1 } }] }, acme.key);
    const res = await app().ok(IMPORT, { g, c: [
      { phoneNumber: '+1 212 555 0150', firstName: 'New', attributes: { b: 2, c: 3 } },
      { phoneNumber: '+12125550151' },
    ] }, acme.key);
    expect(res.importContacts).toEqual({ created: 1, updated: 1, subscribed: 1, rejected: [] });
    const { contactByPhone } = await app().ok(BY_PHONE, { p: '+12125550150' }, acme.key);
    expect(contactByPhone).toMatchObject({ firstName: 'New', lastName: 'Name', attributes: { a: 1, b: 2, c: 3 } });
  });

  it('merges a number named twice in one call into one contact', async () => {
    const g = await newGroup(app(), acme, 'twice');
    const res = await app().ok(IMPORT, { g, c: [
      { phoneNumber: '+12125550160', firstName: 'First' },
      { phoneNumber: '(212) 555-0160', lastName: 'Second' },
    ] }, acme.key);
    expect(res.importContacts).toEqual({ created: 1, updated: 1, subscribed: 1, rejected: [] });
    const { contactByPhone } = await app().ok(BY_PHONE, { p: '+12125550160' }, acme.key);
    expect(contactByPhone).toMatchObject({ firstName: 'First', lastName: 'Second' });
  });

  it('never re-subscribes a member who opted out, and subscribes nobody with subscribe: false', async () => {
    const g = await newGroup(app(), acme, 'opt-outs');
    await app().ok(`mutation($g: ID!) { setSubscription(groupId: $g, phoneNumber: "+12125550170", status: UNSUBSCRIBED) { status } }`, { g }, acme.key);
    const res = await app().ok(IMPORT, { g, c: [{ phoneNumber: '+12125550170' }, { phoneNumber: '+12125550171' }] }, acme.key);
    expect(res.importContacts).toEqual({ created: 1, updated: 1, subscribed: 1, rejected: [] });
    const counts = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { s: memberCount(status: SUBSCRIBED) u: memberCount(status: UNSUBSCRIBED) } }`, { g }, acme.key);
    expect(counts.subscriptionGroup).toEqual({ s: 1, u: 1 });

    const quiet = await app().ok(IMPORT, { g, c: [{ phoneNumber: '+12125550172' }], s: false }, acme.key);
    expect(quiet.importContacts).toEqual({ created: 1, updated: 0, subscribed: 0, rejected: [] });
    const { contactByPhone } = await app().ok(BY_PHONE, { p: '+12125550172' }, acme.key);
    expect(contactByPhone.memberships).toEqual([]);
  });

  it('imports 10,000 rows in one call', async () => {
    const g = await newGroup(app(), acme, 'big');
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ phoneNumber: `+1415${String(2000000 + i)}`, firstName: `n${i}` }));
    const res = await app().ok(IMPORT, { g, c: rows }, acme.key);
    expect(res.importContacts.created + res.importContacts.rejected.length).toBe(10_000);
    expect(res.importContacts.subscribed).toBe(res.importContacts.created);
    const count = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { memberCount members(first: 1) { totalCount } } }`, { g }, acme.key);
    expect(count.subscriptionGroup.memberCount).toBe(res.importContacts.created);
    expect(res.importContacts.created).toBeGreaterThan(9_000);
  }, 60_000);

  it('refuses 10,001 rows with the limit, naming contacts, and imports nothing', async () => {
    const g = await newGroup(app(), acme, 'too big');
    const rows = Array.from({ length: 10_001 }, (_, i) => ({ phoneNumber: `+1646${String(2000000 + i)}` }));
    const res = await app().gql(IMPORT, { g, c: rows }, acme.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contacts' });
    expect(res.errors?.[0].message).toMatch(/^contacts: at most 10000 rows/);
    const count = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { memberCount } }`, { g }, acme.key);
    expect(count.subscriptionGroup.memberCount).toBe(0);
  }, 60_000);

  it('refuses rows with unknown fields or over-long names, naming the field', async () => {
    const g = await newGroup(app(), acme, 'fields');
    const unknown = await app().gql(IMPORT, { g, c: [{ phoneNumber: '+12125550180' }, { phoneNumber: '+12125550181', email: 'a@b.c' }] }, acme.key);
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0].message).toMatch(/email/);
    const long = await app().gql(IMPORT, { g, c: [{ phoneNumber: '+12125550180' }, { phoneNumber: '+12125550181', firstName: 'x'.repeat(201) }] }, acme.key);
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contacts[1].firstName' });
    expect(long.errors?.[0].message).toMatch(/^contacts\[1\]\.firstName:/);
  });

  it('setSubscription makes the contact where needed and records the source', async () => {
    const g = await newGroup(app(), acme, 'set');
    const SET = `mutation($g: ID!, $p: String!, $s: SubscriptionStatus!) { setSubscription(groupId: $g, phoneNumber: $p, status: $s) { status source updatedAt contact { phoneNumber country } group { id } } }`;
    const on = await app().ok(SET, { g, p: '415 555 0190', s: 'SUBSCRIBED' }, acme.key);
    expect(on.setSubscription).toMatchObject({ status: 'SUBSCRIBED', source: 'API', contact: { phoneNumber: '+14155550190', country: 'US' }, group: { id: g } });
    const off = await app().ok(SET, { g, p: '+14155550190', s: 'UNSUBSCRIBED' }, acme.key);
    expect(off.setSubscription.status).toBe('UNSUBSCRIBED');
    const bad = await app().gql(SET, { g, p: 'nope', s: 'SUBSCRIBED' }, acme.key);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phoneNumber' });
  });

  it('keeps contacts per account: one number, two tenants, two contacts, neither visible to the other', async () => {
    const other = await createAccount(app(), 'Other Contacts', 'US');
    const otherGroup = await newGroup(app(), other, 'other');
    await app().ok(IMPORT, { g: otherGroup, c: [{ phoneNumber: '+12125550123', firstName: 'Theirs' }] }, other.key);
    const mine = await app().ok(BY_PHONE, { p: '+12125550123' }, acme.key);
    const theirs = await app().ok(BY_PHONE, { p: '+12125550123' }, other.key);
    expect(mine.contactByPhone.id).not.toBe(theirs.contactByPhone.id);
    expect(theirs.contactByPhone.firstName).toBe('Theirs');
    expect((await app().ok(`query($id: ID!) { contact(id: $id) { id } }`, { id: mine.contactByPhone.id }, other.key)).contact).toBeNull();
    expect((await app().ok(`query($id: ID!) { contact(id: $id) { id phoneNumber } }`, { id: mine.contactByPhone.id }, acme.key)).contact.phoneNumber).toBe('+12125550123');
    const cross = await app().gql(BY_PHONE, { p: '+12125550123', a: acme.id }, other.key);
    expect(cross.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lets a master import into its subaccount\'s group; the contacts are the subaccount\'s', async () => {
    const sub = await createSubaccount(app(), acme, 'Contacts Sub');
    const g = await newGroup(app(), acme, 'sub group', sub.id);
    const res = await app().ok(IMPORT, { g, c: [{ phoneNumber: '+12125550195' }] }, acme.key);
    expect(res.importContacts.created).toBe(1);
    expect((await app().ok(BY_PHONE, { p: '+12125550195', a: sub.id }, acme.key)).contactByPhone.phoneNumber).toBe('+12125550195');
    expect((await app().ok(BY_PHONE, { p: '+12125550195' }, sub.key)).contactByPhone).not.toBeNull();
    expect((await app().ok(BY_PHONE, { p: '+12125550195' }, acme.key)).contactByPhone).toBeNull();
  });
});
