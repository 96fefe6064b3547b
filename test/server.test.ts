import { ADMIN_TOKEN, bootApp, describeEachDatabase } from './helpers/app';
import { databaseKinds } from './helpers/databases';

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
