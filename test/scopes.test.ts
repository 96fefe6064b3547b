import { describeEachDatabase, type TestApp } from './helpers/app';
import { setupWorld, type CampaignWorld } from './helpers/campaign-fixtures';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';
import { allows, ApiKeyScope, requiredScope } from '../src/accounts/scopes';

type Scope = 'READ' | 'SEND' | 'CAMPAIGNS' | 'ADMIN';

interface Operation {
  name: string;
  needs: Scope;
  run: (app: TestApp, world: CampaignWorld, key: string) => Promise<{ errors?: Array<{ extensions?: { code?: string } }> }>;
}

const OPERATIONS: Operation[] = [
  { name: 'a query (viewer)', needs: 'READ', run: (app, _w, key) => app.gql('{ viewer { id } }', {}, key) },
  { name: 'a query (messages)', needs: 'READ', run: (app, _w, key) => app.gql('{ messages(first: 1) { totalCount } }', {}, key) },
  { name: 'sendMessage', needs: 'SEND', run: (app, w, key) => app.gql('mutation($i: SendMessageInput!) { sendMessage(input: $i) { error { code } } }', { i: { groupId: w.groupId, to: '+33612345678', body: 'x' } }, key) },
  { name: 'sendReply', needs: 'SEND', run: (app, _w, key) => app.gql('mutation { sendReply(conversationId: "cnv_0000000000000000000000", body: "x") { id } }', {}, key) },
  { name: 'createCampaign', needs: 'CAMPAIGNS', run: (app, w, key) => app.gql('mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', { i: { groupId: w.groupId, name: 'c', body: 'hi' } }, key) },
  { name: 'blockPrefix (account settings)', needs: 'ADMIN', run: (app, w, key) => app.gql('mutation($a: ID!) { blockPrefix(accountId: $a, prefix: "+88299") { id } }', { a: w.account.id }, key) },
  { name: 'createApiKey', needs: 'ADMIN', run: (app, w, key) => app.gql('mutation($a: ID!) { createApiKey(accountId: $a, name: "n") { secret } }', { a: w.account.id }, key) },
];

const SCOPE_SETS: Array<Scope[] | null> = [null, ['READ'], ['SEND'], ['CAMPAIGNS'], ['ADMIN'], ['READ', 'SEND']];

const allowed = (set: Scope[] | null, needs: Scope) => set === null || set.includes('ADMIN') || set.includes(needs);

describe('the scope rule', () => {
  it('lets a key without stored scopes (every key made before scopes) do everything', () => {
    for (const scope of Object.values(ApiKeyScope)) expect(allows(null, scope)).toBe(true);
  });

  it.each([
    ['Query', 'anything', ApiKeyScope.READ],
    ['Subscription', 'deliveryEvents', ApiKeyScope.READ],
    ['Mutation', 'sendMessage', ApiKeyScope.SEND],
    ['Mutation', 'sendReply', ApiKeyScope.SEND],
    ['Mutation', 'launchCampaign', ApiKeyScope.CAMPAIGNS],
    ['Mutation', 'a mutation added tomorrow', ApiKeyScope.ADMIN],
  ] as const)('%s %s needs %s', (operation, field, scope) => {
    expect(requiredScope(operation, field)).toBe(scope);
  });
});

describeEachDatabase('scoped API keys', (app) => {
  let world: CampaignWorld;
  const keys = new Map<string, string>();
  const label = (set: Scope[] | null) => (set ? set.join('+') : 'no scopes stored');

  beforeAll(async () => {
    world = await setupWorld(app(), 'Scopes', { countries: ['US'], senders: [{ type: 'LONG_CODE', value: '+12025550140' }], contacts: [] });
    for (const set of SCOPE_SETS) {
      const data = await app().ok(`mutation($a: ID!, $s: [ApiKeyScope!]) { createApiKey(accountId: $a, name: "k", scopes: $s) { secret apiKey { scopes } } }`, { a: world.account.id, s: set }, world.account.key);
      expect(data.createApiKey.apiKey.scopes).toEqual(set ? [...set].sort() : ['ADMIN']);
      keys.set(label(set), data.createApiKey.secret);
    }
  });

  const cases = SCOPE_SETS.flatMap((set) => OPERATIONS.map((op) => [label(set), op.name, allowed(set, op.needs) ? 'allowed' : 'FORBIDDEN', set, op] as const));

  it.each(cases)('a key with %s: %s is %s', async (_l, _o, expected, set, op) => {
    const res = await op.run(app(), world, keys.get(label(set))!);
    const code = res.errors?.[0]?.extensions?.code;
    if (expected === 'FORBIDDEN') expect(code).toBe('FORBIDDEN');
    else expect(code).not.toBe('FORBIDDEN');
  });

  it('refuses an empty scope list, naming the field', async () => {
    const res = await app().gql(`mutation($a: ID!) { createApiKey(accountId: $a, name: "k", scopes: []) { secret } }`, { a: world.account.id }, world.account.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
  });

  it.each([
    ['SEND', 'FORBIDDEN'],
    ['READ', 'allowed'],
  ] as const)('over graphql-ws, a key with %s subscribing to deliveryEvents is %s', async (scope, expected) => {
    const client = wsClient(app().url, keys.get(scope)!);
    const open = () => [subscribe(client, 'subscription { deliveryEvents { status } }')];
    try {
      if (expected === 'FORBIDDEN') {
        const [live] = open();
        await expect(live.error).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
      } else {
        // The server listens for it: it was not refused.
        const [live] = await subscribed(app().url, open);
        await live.close();
      }
    } finally {
      await client.dispose();
    }
  });
});
