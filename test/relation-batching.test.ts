import { describeEachDatabase } from './helpers/app';
import { createCampaign, setupWorld, usPhone, type CampaignWorld } from './helpers/campaign-fixtures';
import { createAccount, createSubaccount } from './helpers/fixtures';
import { queriesDuring } from './helpers/query-count';

const MESSAGES = `query($first: Int) { messages(first: $first) { totalCount nodes {
  id campaign { id name group { id account { id } } } contact { id phoneNumber } sender { id value group { id name } } conversation { id }
} } }`;

const CAMPAIGNS = `query($first: Int) { campaigns(first: $first) { totalCount nodes {
  id group { id name account { id name } } account { id name parent { id } }
} } }`;

const CAMPAIGN_STATS = `query($first: Int) { campaigns(first: $first) { nodes {
  id stats { recipients queued rejected replies optOuts planned planningStatus audience byCountry { country recipients } rejectedByReason { code count } }
} } }`;

const MEMBERS = `query($g: ID!, $first: Int) { subscriptionGroup(id: $g) { members(first: $first) { totalCount nodes {
  status contact { id phoneNumber } group { id name account { id } }
} } } }`;

const GROUPS = `query($a: ID) { subscriptionGroups(accountId: $a) { id senders { id value } countries keywords { category keywords } } }`;

const MEMBERS_WITH_LISTS = `query($g: ID!, $first: Int) { subscriptionGroup(id: $g) { members(first: $first) { nodes {
  history { newStatus source } contact { id memberships { status group { id } } }
} } } }`;

const ACCOUNT_LISTS = `query($a: ID!) { account(id: $a) { id apiKeys { id } subaccounts { id name apiKeys { id } } } }`;

const GROUP_TABLES = ['subscription_groups', 'senders', 'keyword_sets'];
const MEMBER_TABLES = ['memberships', 'consent_records', 'contacts', 'subscription_groups'];
const ACCOUNT_TABLES = ['accounts', 'api_keys'];

describeEachDatabase('a page with its relations', (app) => {
  const MEMBERS_PER_GROUP = 25;
  let worlds: CampaignWorld[];
  let masterKey: string;

  /**
   * The statements a page of `first` costs, and the page; with `tables`, only those that read one
   * of them (the launched campaigns' progress may count their stats meanwhile, on a timer).
   */
  async function cost(query: string, first: number, variables: Record<string, unknown> = {}, tables?: string[]): Promise<{ count: number; data: any }> {
    const { result, count, sql } = await queriesDuring(app().server.services.dataSource, () => app().ok(query, { first, ...variables }, masterKey));
    if (!tables) return { count, data: result };
    const names = new RegExp(`[\\s\`"](${tables.join('|')})[\\s\`"]`);
    return { count: sql.filter((statement) => names.test(statement)).length, data: result };
  }

  beforeAll(async () => {
    // A master account and a subaccount, a group each with its own sender and members, and
    // campaigns in both: so a page mixes accounts, groups, senders and contacts.
    const master = await createAccount(app(), 'Batching master');
    masterKey = master.key;
    const sub = await createSubaccount(app(), master, 'Batching sub');
    worlds = [];
    for (const [i, account] of [master, sub].entries()) {
      const contacts = Array.from({ length: MEMBERS_PER_GROUP }, () => ({ phoneNumber: usPhone() }));
      const world = await setupWorld(app(), `Batching ${i}`, { account, countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts });
      worlds.push(world);
      for (let c = 0; c < 12; c++) await createCampaign(app(), world, `Offer ${c}`);
      const launched = await createCampaign(app(), world, 'Hi {{first_name}}');
      await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: launched }, account.key);
    }
    // The launches' progress is counted about a second after their planning, on a timer: stopped
    // here, so that no test counts its statements along with a page's.
    await app().server.services.campaignProgress.stop();
  });

  it('answers a page of messages with campaign, contact, sender and conversation in the same statements for 5 rows as for 50', async () => {
    const small = await cost(MESSAGES, 5);
    const full = await cost(MESSAGES, 50);
    const nodes = full.data.messages.nodes;
    expect(nodes).toHaveLength(2 * MEMBERS_PER_GROUP);
    expect(new Set(nodes.map((m: any) => m.contact.id)).size).toBe(2 * MEMBERS_PER_GROUP);
    expect(new Set(nodes.map((m: any) => m.sender.value))).toEqual(new Set(worlds.map((w) => w.senders[0].value)));
    expect(nodes.every((m: any) => m.campaign.group.id === m.sender.group.id && m.contact.phoneNumber && m.conversation === null)).toBe(true);
    // Ten times the rows, the same statements: one per relation, not one per row.
    expect(full.count).toBe(small.count);
    expect(full.count).toBeLessThanOrEqual(12);
  });

  it('answers a page of campaigns with group, account and parent in the same statements for 14 rows as for 26', async () => {
    // The 13 newest are the subaccount's: 14 reach a campaign of the master too, so both pages load both accounts.
    const small = await cost(CAMPAIGNS, 14);
    const full = await cost(CAMPAIGNS, 50);
    const nodes = full.data.campaigns.nodes;
    expect(nodes).toHaveLength(26);
    expect(new Set(nodes.map((c: any) => c.account.id)).size).toBe(2);
    expect(nodes.every((c: any) => c.group.account.id === c.account.id)).toBe(true);
    const parents = nodes.map((c: any) => c.account.parent?.id ?? null);
    expect(new Set(parents)).toEqual(new Set([null, worlds[0].account.id]));
    expect(full.count).toBe(small.count);
    expect(full.count).toBeLessThanOrEqual(12);
  });

  it('answers a page of campaigns with their stats in the same statements for 1 campaign as for 26', async () => {
    // The newest is the subaccount's launched campaign: a page of one counts a launched campaign's stats too.
    const one = await cost(CAMPAIGN_STATS, 1);
    const full = await cost(CAMPAIGN_STATS, 50);
    expect(one.data.campaigns.nodes).toHaveLength(1);
    expect(one.data.campaigns.nodes[0].stats.planningStatus).toBe('DONE');
    const nodes = full.data.campaigns.nodes;
    expect(nodes).toHaveLength(26);
    const launched = nodes.filter((c: any) => c.stats.planningStatus !== null);
    expect(launched).toHaveLength(2);
    for (const { stats } of launched) {
      expect(stats).toMatchObject({ recipients: MEMBERS_PER_GROUP, queued: MEMBERS_PER_GROUP, rejected: 0, planned: MEMBERS_PER_GROUP, audience: MEMBERS_PER_GROUP, planningStatus: 'DONE' });
      expect(stats.byCountry).toEqual([{ country: 'US', recipients: MEMBERS_PER_GROUP }]);
    }
    expect(nodes.filter((c: any) => c.stats.planningStatus === null).every((c: any) => c.stats.recipients === 0 && c.stats.audience === null && c.stats.byCountry.length === 0)).toBe(true);
    expect(full.count).toBe(one.count);
  });

  it('answers a page of group members with contact and group in the same statements for 5 rows as for 25', async () => {
    const small = await cost(MEMBERS, 5, { g: worlds[0].groupId });
    const full = await cost(MEMBERS, 50, { g: worlds[0].groupId });
    const nodes = full.data.subscriptionGroup.members.nodes;
    expect(nodes).toHaveLength(MEMBERS_PER_GROUP);
    expect(new Set(nodes.map((m: any) => m.contact.id)).size).toBe(MEMBERS_PER_GROUP);
    expect(nodes.every((m: any) => m.group.id === worlds[0].groupId && m.group.account.id === worlds[0].account.id)).toBe(true);
    expect(full.count).toBe(small.count);
    expect(full.count).toBeLessThanOrEqual(12);
  });

  it("answers a group's senders, regions and keywords in the same statements for 1 group as for 6", async () => {
    const one = await cost(GROUPS, 0, { a: worlds[1].account.id }, GROUP_TABLES);
    for (let g = 0; g < 5; g++) {
      const extra = await app().ok('mutation($a: ID!, $n: String!) { createSubscriptionGroup(input: { accountId: $a, name: $n }) { id } }', { a: worlds[0].account.id, n: `Extra ${g}` }, masterKey);
      await app().ok('mutation($g: ID!, $v: String!) { addSender(groupId: $g, input: { type: LONG_CODE, value: $v }) { id } }', { g: extra.createSubscriptionGroup.id, v: usPhone() }, masterKey);
    }
    const six = await cost(GROUPS, 0, { a: worlds[0].account.id }, GROUP_TABLES);
    const groups = six.data.subscriptionGroups;
    expect(groups).toHaveLength(6);
    expect(groups.every((g: any) => g.senders.length === 1 && g.countries.join() === 'US' && g.keywords.map((k: any) => k.category).join() === 'OPT_OUT,OPT_IN,HELP')).toBe(true);
    expect(new Set(groups.map((g: any) => g.senders[0].value)).size).toBe(6);
    expect(one.count).toBeGreaterThanOrEqual(3);
    expect(six.count).toBe(one.count);
  });

  it("answers members' consent history and their contacts' memberships in the same statements for 5 rows as for 25", async () => {
    const small = await cost(MEMBERS_WITH_LISTS, 5, { g: worlds[0].groupId }, MEMBER_TABLES);
    const full = await cost(MEMBERS_WITH_LISTS, 50, { g: worlds[0].groupId }, MEMBER_TABLES);
    const nodes = full.data.subscriptionGroup.members.nodes;
    expect(nodes).toHaveLength(MEMBERS_PER_GROUP);
    expect(nodes.every((m: any) => m.history.length === 1 && m.history[0].newStatus === 'SUBSCRIBED')).toBe(true);
    expect(nodes.every((m: any) => m.contact.memberships.length === 1 && m.contact.memberships[0].group.id === worlds[0].groupId)).toBe(true);
    expect(small.count).toBeGreaterThanOrEqual(4);
    expect(full.count).toBe(small.count);
  });

  it("answers a master's subaccounts and every one's keys in the same statements for 1 subaccount as for 3", async () => {
    const master = worlds[0].account;
    const one = await cost(ACCOUNT_LISTS, 0, { a: master.id }, ACCOUNT_TABLES);
    expect(one.data.account.subaccounts).toHaveLength(1);
    for (const name of ['Second sub', 'Third sub']) await createSubaccount(app(), master, name);
    const three = await cost(ACCOUNT_LISTS, 0, { a: master.id }, ACCOUNT_TABLES);
    expect(three.data.account.subaccounts.map((a: any) => a.name)).toEqual(['Batching sub', 'Second sub', 'Third sub']);
    expect(three.data.account.subaccounts.every((a: any) => a.apiKeys.length === 1)).toBe(true);
    expect(one.count).toBeGreaterThanOrEqual(3);
    expect(three.count).toBe(one.count);
  });
}, { env: { SWITCHBOARD_WORKERS: 'off' } });
