import { DEFAULT_KEYWORDS } from '../src/groups/keyword.service';
import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, createSubaccount, type AccountFixture } from './helpers/fixtures';

const CREATE = `mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id name description internationalFallback createdAt account { id } senders { id } countries memberCount keywords { category keywords reply } } }`;
const SET_KEYWORDS = `mutation($g: ID!, $c: KeywordCategory!, $k: [String!]!, $r: String) { setKeywords(groupId: $g, category: $c, keywords: $k, reply: $r) { keywords { category keywords reply } } }`;

async function newGroup(app: TestApp, owner: AccountFixture, name = 'group'): Promise<string> {
  return (await app.ok(CREATE, { input: { name } }, owner.key)).createSubscriptionGroup.id;
}

describeEachDatabase('subscription groups', (app) => {
  let acme: AccountFixture;

  beforeAll(async () => {
    acme = await createAccount(app(), 'Groups Co', 'US');
  });

  it('creates a group in the caller\'s account with the default keywords and replies', async () => {
    const { createSubscriptionGroup: group } = await app().ok(CREATE, { input: { name: '  Newsletter ', description: 'weekly' } }, acme.key);
    expect(group).toMatchObject({ name: 'Newsletter', description: 'weekly', internationalFallback: false, account: { id: acme.id }, senders: [], countries: [], memberCount: 0 });
    const byCategory = Object.fromEntries(group.keywords.map((k: { category: string }) => [k.category, k]));
    // The English defaults come first, then the other five languages' words.
    expect(byCategory.OPT_OUT.keywords.slice(0, 8)).toEqual(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
    expect(byCategory.OPT_OUT.keywords).toEqual(expect.arrayContaining(['BAJA', 'PARAR', 'ARRET', 'STOPP', 'ANNULLA', 'SAIR']));
    expect(byCategory.OPT_IN.keywords).toEqual(expect.arrayContaining(['START', 'YES', 'UNSTOP', 'SI', 'OUI', 'JA', 'SIM']));
    expect(byCategory.HELP.keywords).toEqual(['HELP', 'INFO', 'AYUDA', 'AIDE', 'HILFE', 'AJUDA', 'AIUTO']);
    expect(byCategory.OPT_OUT.reply).toMatch(/unsubscribed/i);
    expect(byCategory.OPT_OUT.reply).toMatch(/START/);
    expect(byCategory.OPT_IN.reply).toMatch(/STOP/);
    expect(byCategory.HELP.reply).toMatch(/STOP/);
    expect(byCategory.HELP.reply).toMatch(/rates may apply/i);
  });

  it('updates only the fields given', async () => {
    const id = await newGroup(app(), acme, 'Before');
    const res = await app().ok(`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { internationalFallback: true }) { name internationalFallback } }`, { id }, acme.key);
    expect(res.updateSubscriptionGroup).toEqual({ name: 'Before', internationalFallback: true });
    const renamed = await app().ok(`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { name: "After", description: "d" }) { name description internationalFallback } }`, { id }, acme.key);
    expect(renamed.updateSubscriptionGroup).toEqual({ name: 'After', description: 'd', internationalFallback: true });
    const empty = await app().gql(`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { name: " " }) { name } }`, { id }, acme.key);
    expect(empty.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
  });

  it('refuses an empty name', async () => {
    const res = await app().gql(CREATE, { input: { name: '' } }, acme.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(res.errors?.[0].message).toMatch(/^name:/);
  });

  it('lists the caller\'s groups by default and a subaccount\'s for its master', async () => {
    const master = await createAccount(app(), 'Lister', 'US');
    const sub = await createSubaccount(app(), master, 'Lister Sub');
    const own = await newGroup(app(), master, 'master group');
    const subs = (await app().ok(CREATE, { input: { name: 'made by parent', accountId: sub.id } }, master.key)).createSubscriptionGroup;
    expect(subs.account.id).toBe(sub.id);

    const mine = await app().ok(`{ subscriptionGroups { id } }`, {}, master.key);
    expect(mine.subscriptionGroups).toEqual([{ id: own }]);
    const ofSub = await app().ok(`query($a: ID) { subscriptionGroups(accountId: $a) { id name } }`, { a: sub.id }, master.key);
    expect(ofSub.subscriptionGroups).toEqual([{ id: subs.id, name: 'made by parent' }]);
    expect((await app().ok(`{ subscriptionGroups { id } }`, {}, sub.key)).subscriptionGroups).toEqual([{ id: subs.id }]);
    // The master updates its subaccount's group.
    const upd = await app().ok(`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { name: "renamed by parent" }) { name } }`, { id: subs.id }, master.key);
    expect(upd.updateSubscriptionGroup.name).toBe('renamed by parent');

    // The subaccount sees neither its parent's groups nor creates there.
    const up = await app().gql(`query($a: ID) { subscriptionGroups(accountId: $a) { id } }`, { a: master.id }, sub.key);
    expect(up.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app().ok(`query($id: ID!) { subscriptionGroup(id: $id) { id } }`, { id: own }, sub.key)).subscriptionGroup).toBeNull();
    const create = await app().gql(CREATE, { input: { name: 'x', accountId: master.id } }, sub.key);
    expect(create.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('hides another tenant\'s group: null, NOT_FOUND on every mutation, nothing changed', async () => {
    const stranger = await createAccount(app(), 'Stranger', 'US');
    const id = await newGroup(app(), acme, 'private');
    expect((await app().ok(`query($id: ID!) { subscriptionGroup(id: $id) { id } }`, { id }, stranger.key)).subscriptionGroup).toBeNull();
    for (const [query, vars] of [
      [`mutation($id: ID!) { updateSubscriptionGroup(id: $id, input: { name: "pwned" }) { id } }`, { id }],
      [SET_KEYWORDS, { g: id, c: 'HELP', k: ['PWNED'], r: null }],
      [`mutation($g: ID!) { importContacts(groupId: $g, contacts: [{ phoneNumber: "+12125550123" }]) { created } }`, { g: id }],
      [`mutation($g: ID!) { setSubscription(groupId: $g, phoneNumber: "+12125550123", status: SUBSCRIBED) { status } }`, { g: id }],
    ] as const) {
      const res = await app().gql(query, vars, stranger.key);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const check = await app().ok(`query($id: ID!) { subscriptionGroup(id: $id) { name memberCount keywords { category keywords } } }`, { id }, acme.key);
    expect(check.subscriptionGroup.name).toBe('private');
    expect(check.subscriptionGroup.memberCount).toBe(0);
    expect(check.subscriptionGroup.keywords.find((k: { category: string }) => k.category === 'HELP').keywords).toEqual(DEFAULT_KEYWORDS.HELP.keywords);
    expect((await app().ok(`query($id: ID!) { subscriptionGroup(id: $id) { id } }`, { id: '99999999' }, acme.key)).subscriptionGroup).toBeNull();
    expect((await app().ok(`query($id: ID!) { subscriptionGroup(id: $id) { id } }`, { id: 'abc' }, acme.key)).subscriptionGroup).toBeNull();
  });

  it('the operator must name an account to create a group', async () => {
    const res = await app().gql(CREATE, { input: { name: 'op' } }, ADMIN_TOKEN);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'accountId' });
    const ok = await app().ok(CREATE, { input: { name: 'op', accountId: acme.id } }, ADMIN_TOKEN);
    expect(ok.createSubscriptionGroup.account.id).toBe(acme.id);
  });

  describe('keywords', () => {
    it('trims and upper-cases keywords and keeps the reply', async () => {
      const g = await newGroup(app(), acme);
      const res = await app().ok(SET_KEYWORDS, { g, c: 'HELP', k: [' help ', 'Aide', 'socorro'], r: 'Call 555.' }, acme.key);
      expect(res.setKeywords.keywords.find((k: { category: string }) => k.category === 'HELP')).toEqual({ category: 'HELP', keywords: ['HELP', 'AIDE', 'SOCORRO'], reply: 'Call 555.' });
      const noReply = await app().ok(SET_KEYWORDS, { g, c: 'OPT_IN', k: ['START'], r: null }, acme.key);
      expect(noReply.setKeywords.keywords.find((k: { category: string }) => k.category === 'OPT_IN')).toEqual({ category: 'OPT_IN', keywords: ['START'], reply: null });
    });

    it.each([
      ['a keyword with a space', 'HELP', ['NEED HELP'], null, 'keywords'],
      ['an empty keyword', 'HELP', ['HELP', ' '], null, 'keywords'],
      ['a keyword of 35 characters', 'HELP', ['A'.repeat(35)], null, 'keywords'],
      ['a keyword twice', 'HELP', ['HELP', 'help'], null, 'keywords'],
      ['a keyword of another category', 'HELP', ['STOP'], null, 'keywords'],
      ['a reply of 321 characters', 'HELP', ['HELP'], 'x'.repeat(321), 'reply'],
      ['no opt-out keyword at all', 'OPT_OUT', [], null, 'keywords'],
    ])('refuses %s and changes nothing', async (_title, c, k, r, field) => {
      const g = await newGroup(app(), acme);
      const res = await app().gql(SET_KEYWORDS, { g, c, k, r }, acme.key);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message.startsWith(`${field}:`)).toBe(true);
      const after = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { keywords { category keywords } } }`, { g }, acme.key);
      expect(after.subscriptionGroup.keywords.find((s: { category: string }) => s.category === c).keywords).toEqual(
        DEFAULT_KEYWORDS[c as 'HELP'].keywords,
      );
    });

    it('accepts a keyword of 34 characters and a reply of 320', async () => {
      const g = await newGroup(app(), acme);
      const res = await app().ok(SET_KEYWORDS, { g, c: 'HELP', k: ['B'.repeat(34)], r: 'y'.repeat(320) }, acme.key);
      expect(res.setKeywords.keywords.find((k: { category: string }) => k.category === 'HELP').keywords).toEqual(['B'.repeat(34)]);
    });

    it('frees a keyword moved out of one category for another', async () => {
      const g = await newGroup(app(), acme);
      await app().ok(SET_KEYWORDS, { g, c: 'OPT_IN', k: ['START', 'UNSTOP'], r: 'back' }, acme.key);
      const res = await app().ok(SET_KEYWORDS, { g, c: 'HELP', k: ['HELP', 'YES'], r: 'help' }, acme.key);
      expect(res.setKeywords.keywords.map((k: { keywords: string[] }) => k.keywords)).toEqual([
        DEFAULT_KEYWORDS.OPT_OUT.keywords, ['START', 'UNSTOP'], ['HELP', 'YES'],
      ]);
    });
  });

  describe('members', () => {
    let g: string;
    const numbers = Array.from({ length: 7 }, (_, i) => `+1212555${String(1100 + i)}`);

    beforeAll(async () => {
      g = await newGroup(app(), acme, 'members');
      await app().ok(`mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created } }`, { g, c: numbers.map((phoneNumber) => ({ phoneNumber })) }, acme.key);
      for (const p of [numbers[1], numbers[4]]) {
        await app().ok(`mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }`, { g, p }, acme.key);
      }
    });

    it('counts members by status', async () => {
      const res = await app().ok(`query($g: ID!) { subscriptionGroup(id: $g) { all: memberCount subscribed: memberCount(status: SUBSCRIBED) unsubscribed: memberCount(status: UNSUBSCRIBED) } }`, { g }, acme.key);
      expect(res.subscriptionGroup).toEqual({ all: 7, subscribed: 5, unsubscribed: 2 });
    });

    it('pages through members with opaque cursors, a stable order and the total count', async () => {
      const PAGE = `query($g: ID!, $after: String, $s: SubscriptionStatus) { subscriptionGroup(id: $g) { members(first: 3, after: $after, status: $s) { totalCount pageInfo { hasNextPage endCursor } nodes { status source updatedAt contact { phoneNumber } group { id } } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const res: any = await app().ok(PAGE, { g, after }, acme.key);
        const page = res.subscriptionGroup.members;
        expect(page.totalCount).toBe(7);
        seen.push(...page.nodes.map((n: { contact: { phoneNumber: string } }) => n.contact.phoneNumber));
        expect(page.nodes.every((n: { group: { id: string } }) => n.group.id === g)).toBe(true);
        pages += 1;
        if (!page.pageInfo.hasNextPage) break;
        expect(page.pageInfo.endCursor).not.toMatch(/^\d+$/);
        after = page.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(numbers);

      const unsub = await app().ok(PAGE, { g, after: null, s: 'UNSUBSCRIBED' }, acme.key);
      expect(unsub.subscriptionGroup.members.totalCount).toBe(2);
      expect(unsub.subscriptionGroup.members.nodes.map((n: any) => [n.contact.phoneNumber, n.source])).toEqual([[numbers[1], 'API'], [numbers[4], 'API']]);
    });

    it('refuses a forged cursor and a page size out of range', async () => {
      const forged = await app().gql(`query($g: ID!) { subscriptionGroup(id: $g) { members(after: "garbage") { totalCount } } }`, { g }, acme.key);
      expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      const big = await app().gql(`query($g: ID!) { subscriptionGroup(id: $g) { members(first: 100000) { totalCount } } }`, { g }, acme.key);
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    });
  });
});
