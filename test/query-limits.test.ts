import { getIntrospectionQuery } from 'graphql';
import { bootApp, describeEachDatabase, type TestApp } from './helpers/app';
import { databaseKinds, freshDatabase } from './helpers/databases';
import { importContacts, usPhone } from './helpers/campaign-fixtures';
import { createAccount, type AccountFixture } from './helpers/fixtures';
import { subscribe, wsClient } from './helpers/ws-client';

const repeat = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join(' ');

function fragmentBomb(levels: number): string {
  const fragments = ['fragment D0 on Query { __typename }'];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment D${i} on Query { ...D${i - 1} ...D${i - 1} }`);
  return `{ ...D${levels} } ${fragments.join(' ')}`;
}

function nested(levels: number): string {
  let selection = 'id';
  for (let i = 0; i < levels; i++) selection = `parent { ${selection} }`;
  return `{ viewer { ${selection} } }`;
}

// The attacks of the issue, each with the limit that must refuse it and whether it needs a key to try.
const attacks: Array<{ name: string; query: string; variables?: Record<string, unknown>; limit: string; keyless?: boolean }> = [
  { name: '1,000 aliases of messages(first: 500) with campaign and contact', query: `{ ${repeat(1000, (i) => `m${i}: messages(first: 500) { nodes { campaign { id } contact { id } } }`)} }`, limit: 'tokens' },
  { name: '100 aliases of messages(first: 500) with campaign and contact', query: `{ ${repeat(100, (i) => `m${i}: messages(first: 500) { nodes { campaign { id } contact { id } } }`)} }`, limit: 'aliases' },
  { name: '20 aliases of messages(first: 500): few aliases, a large cost', query: `{ ${repeat(20, (i) => `m${i}: messages(first: 500) { nodes { campaign { id name } contact { id } } }`)} }`, limit: 'cost' },
  { name: 'the cost hidden in a variable', query: `query($n: Int) { ${repeat(20, (i) => `m${i}: messages(first: $n) { nodes { campaign { id } contact { id } } }`)} }`, variables: { n: 500 }, limit: 'cost' },
  { name: 'a 165-byte query of nested member lists within the depth limit', query: '{subscriptionGroups{members(first:500){nodes{contact{memberships{group{members(first:500){nodes{contact{id}}}}}}}}}}', limit: 'cost' },
  { name: 'fragments that spread each other twice, 23 levels (937 bytes)', query: fragmentBomb(23), limit: 'cost', keyless: true },
  { name: '20,000 aliases of viewer', query: `{ ${repeat(20_000, (i) => `v${i}: viewer { id }`)} }`, limit: 'tokens', keyless: true },
  { name: '1,000 aliases of campaign stats', query: `{ ${repeat(1000, (i) => `c${i}: campaign(id: "1") { stats { recipients byCountry { country } } }`)} }`, limit: 'tokens' },
  { name: '200 aliases of conversations with their messages', query: `{ ${repeat(200, (i) => `c${i}: conversations { nodes { messages { nodes { id } } } }`)} }`, limit: 'aliases' },
  { name: 'a query nested 15 deep', query: nested(15), limit: 'depth', keyless: true },
  { name: '60 directives', query: `{ viewer { ${repeat(60, () => 'id @include(if: true)')} } }`, limit: 'directives', keyless: true },
];

async function post(app: TestApp, query: string, variables: Record<string, unknown> | undefined, token: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const started = performance.now();
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: res.status, body, ms: performance.now() - started };
}

async function healthzWhile<T>(app: TestApp, work: Promise<T>): Promise<{ result: T; healthzMs: number }> {
  const started = performance.now();
  const health = fetch(`${app.url}/healthz`).then(() => performance.now() - started);
  const [result, healthzMs] = await Promise.all([work, health]);
  return { result, healthzMs };
}

describeEachDatabase('query limits', (app) => {
  let account: AccountFixture;
  const timings: string[] = [];

  beforeAll(async () => {
    account = await createAccount(app(), 'Limits');
  });

  afterAll(() => {
    process.stdout.write(`query limits [${app().kind}]:\n${timings.join('\n')}\n`);
  });

  it.each(attacks)('refuses $name before running it ($limit)', async ({ query, variables, limit, keyless }) => {
    const token = keyless ? null : account.key;
    await post(app(), '{ __typename }', undefined, token);
    const { result, healthzMs } = await healthzWhile(app(), post(app(), query, variables, token));
    timings.push(`  ${limit.padEnd(10)} refused in ${result.ms.toFixed(1)} ms, /healthz meanwhile in ${healthzMs.toFixed(1)} ms`);
    // 400 and no data: refused while parsing or validating, before any resolver ran.
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
    expect(result.body.errors?.[0].extensions?.limit).toBe(limit);
    // Generous for a shared 2-core machine: the point is milliseconds, not the 5 to 200 s these took before.
    expect(result.ms).toBeLessThan(1000);
    expect(healthzMs).toBeLessThan(1000);
  });

  it('names the limit and the amount found', async () => {
    const { body } = await post(app(), nested(15), undefined, account.key);
    expect(body.errors?.[0].message).toMatch(/depth limit of 12 exceeded, found 17/i);
  });

  it('answers the standard introspection query without a key', async () => {
    const { status, body } = await post(app(), getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true }), undefined, null);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ __schema: { queryType: { name: 'Query' } } });
  });

  it('runs an ordinary page of 500 members with their contacts', async () => {
    const { status, body } = await post(app(), 'query($g: ID!) { subscriptionGroup(id: $g) { members(first: 500) { nodes { contact { phoneNumber memberships { status } } } } } }', { g: '1' }, account.key);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
  });

  it('applies the same limits to graphql-ws subscriptions', async () => {
    const client = wsClient(app().url, account.key);
    try {
      const deep = subscribe(client, `subscription { deliveryEvents { message { ${'contact { memberships { '.repeat(6)} status ${'} } '.repeat(6)} } } }`);
      await expect(deep.error).rejects.toMatchObject([{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' } }]);
      const wide = subscribe(client, `subscription { deliveryEvents { ${repeat(40, (i) => `s${i}: status`)} } }`);
      await expect(wide.error).rejects.toMatchObject([{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases' } }]);
    } finally {
      await client.dispose();
    }
  });
});

describeEachDatabase('execution bounds', (app) => {
  let account: AccountFixture;
  let groupId: string;

  beforeAll(async () => {
    account = await createAccount(app(), 'Bounds');
    const group = await app().ok('mutation($input: CreateSubscriptionGroupInput!) { createSubscriptionGroup(input: $input) { id } }', { input: { name: 'Bounded', accountId: account.id } }, account.key);
    groupId = group.createSubscriptionGroup.id;
    await importContacts(app(), account, groupId, Array.from({ length: 40 }, () => ({ phoneNumber: usPhone() })));
  });

  it('answers an error, once, when the resolvers return more rows than the cap', async () => {
    const res = await app().gql('query($g: ID!) { subscriptionGroup(id: $g) { members(first: 40) { nodes { contact { phoneNumber memberships { status } } } } } }', { g: groupId }, account.key);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_BUDGET_EXCEEDED']);
    expect(res.errors?.[0].message).toMatch(/more than 30 rows/);
  });

  it('keeps answering what fits under the cap', async () => {
    const res = await app().gql('query($g: ID!) { subscriptionGroup(id: $g) { members(first: 10) { nodes { status } } } }', { g: groupId }, account.key);
    expect(res.errors).toBeUndefined();
    expect(res.data.subscriptionGroup.members.nodes).toHaveLength(10);
  });
}, { env: { GRAPHQL_MAX_ROWS: '30' } });

describe('execution time budget', () => {
  it.each(databaseKinds())('answers an error when the request runs over its time budget [%s]', async (kind) => {
    const database = await freshDatabase(kind);
    const seeding = await bootApp(kind, { database });
    const account = await createAccount(seeding, 'Slow');
    await seeding.close();
    const slow = await bootApp(kind, { database, env: { GRAPHQL_TIMEOUT_MS: '1' } });
    try {
      // Authenticating, loading the account and its geo permissions take more than 1 ms together.
      const res = await slow.gql('{ viewer { subaccounts { id } geoPermissions { enabledCountries countries { country enabled } } } a: viewer { geoPermissions { warnings } } }', {}, account.key);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_BUDGET_EXCEEDED']);
      expect(res.errors?.[0].message).toMatch(/time budget of 1 ms/);
    } finally {
      await slow.close();
      await database.drop();
    }
  });
});
