import { describeEachDatabase } from './helpers/app';
import { importContacts, usPhone } from './helpers/campaign-fixtures';
import { messageSid, postInbound, setupInbox, usNumber, type InboxFixture } from './helpers/inbox';

const connections: Array<{ name: string; query: string; page: (data: any) => any; node?: string }> = [
  { name: 'messages', query: 'query($after: String) { messages(first: 2, after: $after) { ...Page } }', page: (d) => d.messages },
  { name: 'campaigns', query: 'query($after: String) { campaigns(first: 2, after: $after) { ...Page } }', page: (d) => d.campaigns },
  { name: 'conversations', query: 'query($after: String) { conversations(first: 2, after: $after) { ...Page } }', page: (d) => d.conversations },
  { name: 'group members', query: 'query($g: ID!, $after: String) { subscriptionGroup(id: $g) { members(first: 2, after: $after) { ...Page } } }', page: (d) => d.subscriptionGroup.members, node: 'contact { id }' },
];

describeEachDatabase('Relay connections', (app) => {
  let inbox: InboxFixture;

  beforeAll(async () => {
    inbox = await setupInbox(app(), 'Relay');
    for (let i = 0; i < 3; i++) {
      expect((await postInbound(app(), { MessageSid: messageSid(), From: usNumber(), To: inbox.senderValue, Body: `hello ${i}` })).status).toBe(200);
      await app().ok('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { groupId: inbox.groupId, name: `Relay ${i}`, body: 'Hi' } }, inbox.account.key);
    }
    await importContacts(app(), inbox.account, inbox.groupId, [{ phoneNumber: usPhone() }, { phoneNumber: usPhone() }, { phoneNumber: usPhone() }]);
  });

  it.each(connections)('offers edges { cursor node } beside nodes on $name, each cursor continuing after its node', async ({ query, page, node = 'id' }) => {
    const typed = query.replace('...Page', `nodes { ${node} } edges { cursor node { ${node} } } pageInfo { endCursor hasNextPage }`);
    const first = page(await app().ok(typed, { g: inbox.groupId }, inbox.account.key));
    expect(first.edges.map((e: any) => e.node)).toEqual(first.nodes);
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, endCursor: first.edges[1].cursor });
    // The first edge's cursor continues with the second node, as Relay's `after` must.
    const fromFirst = page(await app().ok(typed, { g: inbox.groupId, after: first.edges[0].cursor }, inbox.account.key));
    expect(fromFirst.nodes[0]).toEqual(first.nodes[1]);
  });
});
