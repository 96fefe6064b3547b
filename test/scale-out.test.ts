import { randomBytes } from 'node:crypto';
import type { ServedSimulator } from '../src/carrier/simulator';
import { bootApp, type TestApp } from './helpers/app';
import { startCarrier } from './helpers/carrier';
import { createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { messageSid, postInbound, setupInbox, usNumber } from './helpers/inbox';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';

// Two instances over one database and one Redis, as `docker compose up --scale app=2` runs them.
const REDIS_URL = process.env.TEST_REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;

for (const kind of databaseKinds()) {
  describeWithRedis(`two instances sharing Redis [${kind}]`, () => {
    let database: FreshDatabase;
    let carrier: ServedSimulator;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      carrier = await startCarrier();
      database = await freshDatabase(kind);
      // A prefix of this run's own: other test runs on the same Redis never cross it.
      const env = { REDIS_URL: REDIS_URL!, REDIS_PREFIX: `sbtest-${randomBytes(4).toString('hex')}`, TWILIO_API_BASE_URL: carrier.url };
      a = await bootApp(kind, { database, env });
      b = await bootApp(kind, { database, env });
    });

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await carrier?.close();
      await database?.drop();
    });

    it('delivers a reply taken by one instance to inboxes connected to the other, and only to its tenant', async () => {
      const mine = await setupInbox(a, 'Scale inbox');
      const other = await setupInbox(a, 'Scale stranger');
      const mineClient = wsClient(a.url, mine.account.key);
      const otherClient = wsClient(a.url, other.account.key);
      const query = 'subscription { replyReceived { message { body from } conversation { account { id } } } }';
      const [mineEvents, otherEvents] = await subscribed(a.url, () => [subscribe(mineClient, query), subscribe(otherClient, query)]);
      // Instance A listens now, but its Redis channel may still be subscribing: a reply posted on B
      // reaches A's inbox once one does. Both inboxes are live before the reply under test.
      const live = async (sub: typeof mineEvents, to: string) => {
        for (let attempt = 0; ; attempt++) {
          await postInbound(b, { MessageSid: messageSid(), From: usNumber(), To: to, Body: 'probe' });
          if (await sub.next(500).then(() => true, () => attempt > 20 && Promise.reject(new Error('never live')))) break;
        }
      };
      await live(mineEvents, mine.senderValue);
      await live(otherEvents, other.senderValue);
      const bodies = (sub: typeof mineEvents) => sub.events.map((e: any) => e.replyReceived.message.body).filter((body: string) => body !== 'probe');

      const from = usNumber();
      const res = await postInbound(b, { MessageSid: messageSid(), From: from, To: mine.senderValue, Body: 'Hello from instance B' });
      expect(res.status).toBe(200);
      await until('the reply at A', async () => bodies(mineEvents).length > 0, 5000);
      expect(mineEvents.events.find((e: any) => e.replyReceived.message.body !== 'probe')).toEqual({ replyReceived: { message: { body: 'Hello from instance B', from }, conversation: { account: { id: mine.account.id } } } });
      // The other inbox's own reply, published after: anything wrongly sent it before is there by now.
      await postInbound(b, { MessageSid: messageSid(), From: usNumber(), To: other.senderValue, Body: 'marker' });
      await until('the marker at A', async () => bodies(otherEvents).includes('marker'), 5000);
      expect(bodies(otherEvents)).toEqual(['marker']);
      await Promise.all([mineClient.dispose(), otherClient.dispose()]);
    });

    it('keeps a sender to its maxPerSecond while both instances send for it', async () => {
      const sender = usPhone();
      const numbers = Array.from({ length: 6 }, () => usPhone());
      const world = await setupWorld(a, 'Scale pace', { countries: [], senders: [{ type: 'LONG_CODE', value: sender, maxPerSecond: 3 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
      // Two campaigns, each planned at the sender's rate, launched through each instance: due at
      // twice the rate, so only the pace the instances share in Redis holds the sender to it.
      const ids = [await createCampaign(a, world, 'Paced {{phone_number}}'), await createCampaign(a, world, 'Paced too {{phone_number}}')];
      await a.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: ids[0] }, world.account.key);
      await b.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: ids[1] }, world.account.key);
      for (const id of ids) await waitForCampaign(a, world.account.key, id, ['COMPLETED'], 30000);

      const arrivals = carrier.simulator.sent().filter((m) => m.from === sender).map((m) => Date.parse(m.createdAt)).sort((x, y) => x - y);
      expect(arrivals).toHaveLength(12);
      // At most 3 in any second: every 4th send is slotted 1050 ms after the first; arrivals add each
      // hand-over's claim and HTTP time, which varies by some hundreds of ms on a loaded machine.
      // Unpaced, they would come 333 ms apart.
      const gaps = arrivals.slice(3).map((t, i) => t - arrivals[i]);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(700);
    });

    it("publishes a campaign's progress and delivery events to a subscriber of the tenant on the other instance, and counts none while no one listens", async () => {
      const countedOn = async (app: TestApp) => Number(/^switchboard_campaign_progress_counts_total\{outcome="counted"\} (\d+)$/m.exec(await (await fetch(`${app.url}/metrics`)).text())?.[1] ?? 0);
      const phones = [usPhone(), usPhone()];
      const world = await setupWorld(a, 'Scale progress', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: phones.map((phoneNumber) => ({ phoneNumber })) });
      const launch = (id: string) => a.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
      const unwatched = await createCampaign(a, world, 'Nobody watches {{phone_number}}');
      const before = [await countedOn(a), await countedOn(b)];
      await launch(unwatched);
      await until('every message of it delivered', async () => (await waitForCampaign(a, world.account.key, unwatched, ['COMPLETED'])).stats.delivered === 2);
      await new Promise((r) => setTimeout(r, 1000));
      expect([await countedOn(a), await countedOn(b)]).toEqual(before);

      // The changes are made on either instance; the subscriber listens on B only.
      const watched = await createCampaign(a, world, 'Watched from B {{phone_number}}');
      const client = wsClient(b.url, world.account.key);
      const [progress, deliveries] = await subscribed(b.url, () => [
        subscribe(client, 'subscription($c: ID!) { campaignProgress(campaignId: $c) { recipients delivered } }', { c: watched }),
        subscribe(client, 'subscription($c: ID) { deliveryEvents(campaignId: $c) { status message { to } } }', { c: watched }),
      ]);
      await launch(watched);
      await until("B's subscriber told of both messages delivered", async () => progress.events.some((e: any) => e.campaignProgress.recipients === 2 && e.campaignProgress.delivered === 2));
      // Each change is published once on the tenant's channel, wherever it was made.
      await until('every delivery event at B', async () => deliveries.events.length >= 6);
      const seen = deliveries.events.map((e: any) => `${e.deliveryEvents.message.to} ${e.deliveryEvents.status}`).sort();
      expect(seen).toEqual(phones.flatMap((to) => ['DELIVERED', 'SENDING', 'SENT'].map((status) => `${to} ${status}`)).sort());
      await progress.close();
      await deliveries.close();
      await client.dispose();
    });

    it('holds on both instances what a block made through one of them forbids, and hands each message over once', async () => {
      const numbers = Array.from({ length: 8 }, () => usPhone());
      const world = await setupWorld(a, 'Scale guard', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 2 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
      const id = await createCampaign(a, world, 'Guarded on both');
      await a.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
      const made = (to: string) => carrier.simulator.sent().filter((m) => m.to === to && m.body === 'Guarded on both').length;
      await until('the first message handed over', async () => made(numbers[0]) === 1);
      const blocked = numbers.slice(4);
      for (const prefix of blocked) await b.ok('mutation($a: ID!, $p: String!) { blockPrefix(accountId: $a, prefix: $p) { id } }', { a: world.account.id, p: prefix }, world.account.key);
      const done = await waitForCampaign(a, world.account.key, id, ['COMPLETED'], 20000);
      for (const to of numbers) {
        const message = done.messages.nodes.find((m: any) => m.to === to);
        if (blocked.includes(to)) expect({ to, status: message.status, code: message.error?.code, made: made(to) }).toEqual({ to, status: 'REJECTED', code: 'PREFIX_BLOCKED', made: 0 });
        else expect({ to, status: message.status, made: made(to) }).toEqual({ to, status: 'DELIVERED', made: 1 });
      }
    });
  });
}
