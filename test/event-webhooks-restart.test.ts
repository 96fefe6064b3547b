import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from './helpers/app';
import { ADMIN_TOKEN } from './helpers/app';
import { createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { requireBuiltServer, spawnServer, stopProcess, waitForHealth } from './helpers/child-server';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { freePort } from './helpers/net';
import { startReceiver, verifySwitchboardSignature, type Receiver } from './helpers/webhook-receiver';

// The compiled server, as `npm start` runs it, killed with SIGKILL in the middle of delivering.

/** Just enough of TestApp for the fixtures, over HTTP to the child process. */
function client(url: string): TestApp {
  const gql = async (query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
    return res.json() as Promise<any>;
  };
  return {
    url,
    gql,
    ok: async (query: string, variables?: Record<string, unknown>, token?: string | null) => {
      const res = await gql(query, variables, token);
      if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
      return res.data;
    },
  } as unknown as TestApp;
}

for (const kind of databaseKinds()) {
  describe(`event webhooks across a crash [${kind}]`, () => {
    let dir: string;
    let database: FreshDatabase;
    let hook: Receiver;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      requireBuiltServer();
      dir = mkdtempSync(join(tmpdir(), 'switchboard-webhooks-'));
      database = kind === 'sqlite' ? { url: `sqlite:${join(dir, 'sb.db')}`, drop: async () => {} } : await freshDatabase(kind);
      // Slow enough that the campaign's events are still being delivered when the process dies.
      hook = await startReceiver(() => ({ status: 200, delayMs: 150 }));
    });
    afterAll(async () => {
      await stopProcess(child);
      await hook?.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('loses no event when the product is killed mid-delivery and started again', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_TOKEN, PUBLIC_URL: url, LOG_LEVEL: 'error',
        CARRIER_SIMULATOR: 'on', SIMULATOR_CALLBACK_DELAY_MS: '20',
        // The law's hours would hold these US recipients when the suite runs at night there.
        LEGAL_RULES: 'off',
        WEBHOOKS_DEVELOPMENT: 'on', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '200',
      };
      const up = async () => {
        child = spawnServer(env);
        await waitForHealth(url);
      };
      await up();
      const app = client(url);
      const world = await setupWorld(app, 'Crash webhooks', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: Array.from({ length: 12 }, () => ({ phoneNumber: usPhone() })) });
      const made = await app.ok('mutation($u: String!) { createWebhookEndpoint(input: { url: $u, events: [MESSAGE_STATUS, CAMPAIGN_COMPLETED] }) { secret endpoint { id } } }', { u: hook.url }, world.account.key);
      const { secret, endpoint } = made.createWebhookEndpoint;
      const campaignId = await createCampaign(app, world, 'Crash {{phone_number}}');
      await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: campaignId }, world.account.key);
      await waitForCampaign(app, world.account.key, campaignId, ['COMPLETED'], 30000);
      await until('some deliveries', async () => hook.requests.length >= 5);
      const total = async () => (await app.ok('query($id: ID!) { webhookEndpoint(id: $id) { deliveries { totalCount } } }', { id: endpoint.id }, world.account.key)).webhookEndpoint.deliveries.totalCount;
      const stored = await total();
      expect(hook.requests.length).toBeLessThan(stored);

      await stopProcess(child);
      await up();

      const state = await waitForCampaign(app, world.account.key, campaignId, ['COMPLETED']);
      const done = async () => (await app.ok('query($id: ID!) { webhookEndpoint(id: $id) { deliveries(status: SUCCEEDED) { totalCount } } }', { id: endpoint.id }, world.account.key)).webhookEndpoint.deliveries.totalCount;
      await until('every stored event delivered', async () => (await done()) === (await total()), 30000);
      const ids = new Set(hook.delivered());
      expect(ids.size).toBe(await total());
      // At least once: only the attempt in flight at the kill may have come twice.
      expect(hook.delivered().length - ids.size).toBeLessThanOrEqual(1);
      expect(hook.requests.every((r) => verifySwitchboardSignature(secret, String(r.headers['switchboard-signature']), r.raw))).toBe(true);
      for (const message of state.messages.nodes) {
        expect(hook.requests.some((r) => r.event.type === 'message.status' && r.event.data.message.id === message.id && r.event.data.status === message.status)).toBe(true);
      }
      expect(hook.requests.filter((r) => r.event.type === 'campaign.completed').map((r) => r.event.id)).toHaveLength(1);
      await stopProcess(child, 'SIGTERM');
      child = undefined;
    });
  });
}
