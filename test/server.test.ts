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
    expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ message: `request body exceeds the limit of ${5 * 1024 * 1024} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } });
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

  it.each(databaseKinds())('answers GraphQL 503 SERVICE_UNAVAILABLE while the database is gone, with a key or the admin token [%s]', async (kind) => {
    const app = await bootApp(kind);
    try {
      const account = await createAccount(app, 'Outage');
      await app.server.services.dataSource.destroy();
      // The key fails while authenticating, the admin token (checked in memory) in the resolver.
      for (const token of [account.key, ADMIN_TOKEN]) {
        const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: `{ account(id: "${account.id}") { id name } }` }) });
        expect(res.status).toBe(503);
        const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
        expect(body.errors[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
        expect(body.errors[0].message).toMatch(/database is unavailable/);
      }
    } finally {
      await app.close();
    }
  });
});

describe('carrier simulator', () => {
  it.each(databaseKinds())('is not served with Twilio credentials, even when asked [%s]', async (kind) => {
    const app = await bootApp(kind, { env: { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'a-real-looking-token' } });
    try {
      const basic = 'Basic ' + Buffer.from('AC00000000000000000000000000000000:switchboard-simulator-auth-token').toString('base64');
      for (const path of ['/carrier/dev/messages', '/carrier/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json']) {
        expect((await fetch(app.url + path, { headers: { authorization: basic } })).status).toBe(404);
      }
    } finally {
      await app.close();
    }
  });
});
