import { ADMIN_TOKEN, bootApp, describeEachDatabase } from './helpers/app';
import { until } from './helpers/campaign-fixtures';
import { databaseKinds } from './helpers/databases';
import { createAccount } from './helpers/fixtures';
import { subscribe, subscriptionsStarted, wsClient } from './helpers/ws-client';

describeEachDatabase('server', (app) => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${app().url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app().url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: true });
  });

  it('serves Prometheus metrics with request counts and latencies', async () => {
    await app().gql('{ __typename }');
    const text = await (await fetch(`${app().url}/metrics`)).text();
    expect(text).toMatch(/switchboard_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toContain('switchboard_http_request_duration_seconds_bucket');
  });

  it('counts open graphql-ws subscriptions on /metrics, and not those it refused', async () => {
    const active = async () => Number(/^switchboard_graphql_subscriptions_active (\d+)$/m.exec(await (await fetch(`${app().url}/metrics`)).text())?.[1]);
    const owner = await createAccount(app(), 'Metrics');
    const started = await subscriptionsStarted(app().url);
    expect(await active()).toBe(0);
    const client = wsClient(app().url, owner.key);
    const live = subscribe(client, 'subscription { replyReceived { keyword } }');
    await until('the subscription counted', async () => (await active()) === 1);
    expect(await subscriptionsStarted(app().url)).toBe(started + 1);
    const refused = subscribe(client, 'subscription($c: ID!) { campaignProgress(campaignId: $c) { sent } }', { c: '999999' });
    await expect(refused.error).rejects.toBeDefined();
    expect({ active: await active(), started: await subscriptionsStarted(app().url) }).toEqual({ active: 1, started: started + 1 });
    await live.close();
    await until('the subscription no longer counted', async () => (await active()) === 0);
    const again = subscribe(client, 'subscription { replyReceived { keyword } }');
    await until('the second subscription counted', async () => (await active()) === 1);
    await client.dispose();
    await until('a closed socket no longer counted', async () => (await active()) === 0);
    expect(await subscriptionsStarted(app().url)).toBe(started + 2);
    await again.close();
  });

  it('refuses a root field without a key as UNAUTHENTICATED, but allows introspection', async () => {
    const res = await app().gql('{ viewer { id } }', {}, null);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const intro = await app().gql('{ __schema { queryType { name } } }', {}, null);
    expect(intro.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses a body over 5 MB with 413', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } });
    const res = await fetch(`${app().url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: big });
    expect(res.status).toBe(413);
  });

  it('refuses deeply nested queries', async () => {
    let selection = 'id';
    for (let i = 0; i < 15; i++) selection = `parent { ${selection} }`;
    const res = await app().gql(`{ account(id: "1") { ${selection} } }`);
    expect(res.errors?.[0].message).toMatch(/depth exceeds the limit/);
  });
});

describe('readiness', () => {
  it.each(databaseKinds())('answers /readyz 503 once the database is gone, while /healthz stays 200 [%s]', async (kind) => {
    const app = await bootApp(kind);
    try {
      await app.server.services.dataSource.destroy();
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ database: false });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
