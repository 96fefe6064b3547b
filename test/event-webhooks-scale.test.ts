import { randomBytes } from 'node:crypto';
import { bootApp, type TestApp } from './helpers/app';
import { setupWorld, until, usPhone } from './helpers/campaign-fixtures';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { startReceiver, type Receiver } from './helpers/webhook-receiver';

// Two instances over one database (and one Redis, as they are deployed), both delivering.
const REDIS_URL = process.env.TEST_REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;

for (const kind of databaseKinds()) {
  describeWithRedis(`event webhooks from two instances [${kind}]`, () => {
    let database: FreshDatabase;
    let a: TestApp;
    let b: TestApp;
    let hooks: Receiver[];

    beforeAll(async () => {
      database = await freshDatabase(kind);
      const env = { REDIS_URL: REDIS_URL!, REDIS_PREFIX: `sbtest-${randomBytes(4).toString('hex')}`, WEBHOOKS_DEVELOPMENT: 'on', WEBHOOK_POLL_MS: '20', WEBHOOK_TIMEOUT_MS: '2000' };
      a = await bootApp(kind, { database, env });
      b = await bootApp(kind, { database, env });
      hooks = [await startReceiver(() => ({ status: 200, delayMs: 5 })), await startReceiver(() => ({ status: 200, delayMs: 5 }))];
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      for (const hook of hooks ?? []) await hook.close();
      await database?.drop();
    });

    it('delivers each event once, one at a time per endpoint, whichever instance stored it', async () => {
      const world = await setupWorld(a, 'Two deliverers', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
      for (const hook of hooks) {
        await a.ok('mutation($u: String!) { createWebhookEndpoint(input: { url: $u, events: [CONTACT_OPTED_OUT, CONTACT_OPTED_IN] }) { secret } }', { u: hook.url }, world.account.key);
      }
      const phones = Array.from({ length: 30 }, () => usPhone());
      await Promise.all(phones.map((phone, i) => (i % 2 ? a : b).ok(
        'mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }', { g: world.groupId, p: phone }, world.account.key)));
      await until('every event at both endpoints', async () => hooks.every((hook) => new Set(hook.delivered()).size === phones.length), 30000);
      for (const hook of hooks) {
        expect(hook.delivered()).toHaveLength(phones.length);
        expect(hook.maxConcurrent).toBe(1);
      }
      // The same events, under the same ids, at both endpoints.
      expect(new Set(hooks[0].delivered())).toEqual(new Set(hooks[1].delivered()));
    });
  });
}
