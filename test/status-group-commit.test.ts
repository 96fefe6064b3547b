import { In } from 'typeorm';
import { describeEachDatabase, type TestApp } from './helpers/app';
import { campaignState, createCampaign, setupWorld, until, usPhone, type CampaignWorld } from './helpers/campaign-fixtures';
import { queriesDuring } from './helpers/query-count';
import { postTwilioWebhook } from './helpers/twilio-webhook';
import { startReceiver, type Receiver } from './helpers/webhook-receiver';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';
import { decode } from '../src/core/ids';
import { Message, MessageStatus } from '../src/messaging/message.entity';
import { SendErrorCode } from '../src/core/send-error';

// Status changes are group-committed: callbacks that arrive together share one compare-and-set
// UPDATE and one commit. Each must still change its message at most once, only forward, with its
// own columns, publish exactly one event, and store its webhook event in the same transaction.

const EVENT = 'subscription { deliveryEvents { status message { id } } }';

/** A campaign's messages, handed over to the carrier (whose own callbacks are held back). */
async function handedOver(app: TestApp, name: string, contacts: number, hook?: Receiver): Promise<{ world: CampaignWorld; messages: Array<{ id: string; providerSid: string }> }> {
  const world = await setupWorld(app, name, {
    countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 1000 }], contacts: Array.from({ length: contacts }, () => ({ phoneNumber: usPhone() })),
  });
  if (hook) {
    await app.ok('mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }',
      { input: { url: hook.url, events: ['MESSAGE_STATUS'] } }, world.account.key);
  }
  const id = await createCampaign(app, world, name);
  await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
  const messages = await until(`${name}: every message handed over`, async () => {
    const nodes = (await campaignState(app, world.account.key, id)).messages.nodes;
    return nodes.length === contacts && nodes.every((m: any) => m.status === 'SENDING' && m.providerSid) ? nodes : null;
  });
  return { world, messages };
}

/** Each tenant's subscriber heard SENT once per message, and the webhook had one SENT event for each message of the tenant that wants them. */
async function sentOnce(live: Array<{ events: any[]; waitFor(n: number): Promise<unknown> }>, tenants: Array<{ messages: Array<{ id: string }> }>, hook: Receiver, recorded: { messages: Array<{ id: string }> }): Promise<void> {
  for (const [i, tenant] of tenants.entries()) {
    await live[i].waitFor(tenant.messages.length);
    const sentOf = (id: string) => live[i].events.filter((e: any) => e.deliveryEvents.message.id === id && e.deliveryEvents.status === 'SENT').length;
    expect(tenant.messages.map((m) => sentOf(m.id))).toEqual(tenant.messages.map(() => 1));
  }
  const hooked = await until('every SENT webhook event', async () => {
    const sent = hook.requests.filter((r) => r.event.type === 'message.status' && r.event.data.status === 'SENT');
    return sent.length >= recorded.messages.length && sent;
  });
  await new Promise((r) => setTimeout(r, 200));
  expect(hooked.map((r) => r.event.data.message.id).sort()).toEqual(recorded.messages.map((m) => m.id).sort());
}

const statusUpdates = (sql: string[]) => sql.filter((s) => /^UPDATE messages SET .*status/is.test(s) && !/send_claim/.test(s));

describeEachDatabase('status changes, group-committed', (app) => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });
  /** Two tenants' handed-over messages, one tenant with a webhook for their events, each tenant's owner subscribed. */
  const twoTenants = async (name: string, contacts: number) => {
    const hook = await startReceiver();
    receivers.push(hook);
    const recorded = await handedOver(app(), `${name} with webhooks`, contacts, hook);
    const plain = await handedOver(app(), `${name} without`, contacts);
    const owners = [recorded, plain].map((t) => wsClient(app().url, t.world.account.key));
    const live = await subscribed(app().url, () => owners.map((c) => subscribe(c, EVENT)));
    return { hook, recorded, plain, owners, live };
  };

  it('applies a burst of callbacks over two tenants, each once, with its event and, where wanted, its webhook event', async () => {
    const { hook, recorded, plain, owners, live } = await twoTenants('Burst', 30);

    const callbacks = [...recorded.messages, ...plain.messages].flatMap((m) => [
      { MessageSid: m.providerSid, MessageStatus: 'sent' }, { MessageSid: m.providerSid, MessageStatus: 'sent' }]);
    const answers = await Promise.all(callbacks.map((params) => postTwilioWebhook(app(), '/webhooks/twilio/status', params)));
    expect(answers.map((a) => a.status)).toEqual(callbacks.map(() => 200));

    const ids = [...recorded.messages, ...plain.messages].map((m) => decode('msg', m.id)!);
    const rows = await app().server.services.dataSource.getRepository(Message).findBy({ id: In(ids) });
    expect(rows.filter((r) => r.status === MessageStatus.SENT)).toHaveLength(60);
    await sentOnce(live, [recorded, plain], hook, recorded);
    for (const owner of owners) await owner.dispose();
  });

  it('shares one UPDATE and one commit among the changes that arrive while others are written', async () => {
    const { hook, recorded, plain, owners, live } = await twoTenants('Together', 10);
    const { dataSource, statuses } = app().server.services;
    const loaded = await dataSource.getRepository(Message).findBy({ id: In([...recorded.messages, ...plain.messages].map((m) => decode('msg', m.id)!)) });

    const { sql, result } = await queriesDuring(dataSource, () => Promise.all(loaded.map((m) => statuses.transition(m, MessageStatus.SENT))));
    expect(result.map((m) => m?.status)).toEqual(loaded.map(() => MessageStatus.SENT));
    // The first two go alone (nothing else in flight yet); the other 18 wait and go together.
    expect(statusUpdates(sql).length).toBeLessThanOrEqual(4);
    expect(sql.filter((s) => /^COMMIT/i.test(s)).length).toBeLessThanOrEqual(4);
    await sentOnce(live, [recorded, plain], hook, recorded);
    for (const owner of owners) await owner.dispose();
  });

  it('when one message of a shared write had moved meanwhile, the others still change, each with its own columns, and that one is decided again', async () => {
    const { world, messages } = await handedOver(app(), 'Moved meanwhile', 12);
    const { dataSource, statuses } = app().server.services;
    const owner = wsClient(app().url, world.account.key);
    const [live] = await subscribed(app().url, () => [subscribe(owner, EVENT)]);
    const loaded = await dataSource.getRepository(Message).findBy({ id: In(messages.map((m) => decode('msg', m.id)!)) });
    loaded.sort((a, b) => a.id - b.id);
    // Another instance delivered the last one after this one read it as SENDING.
    const moved = loaded[loaded.length - 1];
    await dataSource.query('UPDATE messages SET status = ? WHERE id = ?', [MessageStatus.DELIVERED, moved.id]);

    const failure = { code: SendErrorCode.PROVIDER_ERROR, providerCode: 30003, message: 'unreachable handset' };
    const to = (i: number) => (i % 2 === 0 ? MessageStatus.SENT : MessageStatus.UNDELIVERED);
    const { sql, result } = await queriesDuring(dataSource, () => Promise.all(loaded.map((m, i) => statuses.transition(m, to(i), to(i) === MessageStatus.UNDELIVERED ? failure : null))));

    // The shared UPDATE was tried and rolled back, then each decided alone.
    expect(sql.some((s) => /^UPDATE messages SET .*CASE id/is.test(s))).toBe(true);
    expect(sql.some((s) => /ROLLBACK/i.test(s))).toBe(true);
    expect(result.map((changed) => changed?.status ?? null)).toEqual(loaded.map((m, i) => (m === moved ? null : to(i))));

    const rows = new Map((await dataSource.getRepository(Message).findBy({ id: In(loaded.map((m) => m.id)) })).map((r) => [r.id, r]));
    expect(loaded.map((m, i) => {
      const row = rows.get(m.id)!;
      return { status: row.status, errorCode: row.errorCode, providerCode: row.providerCode === null ? null : Number(row.providerCode), moved: m === moved, i };
    })).toEqual(loaded.map((m, i) => {
      if (m === moved) return { status: MessageStatus.DELIVERED, errorCode: null, providerCode: null, moved: true, i };
      const failed = to(i) === MessageStatus.UNDELIVERED;
      return { status: to(i), errorCode: failed ? SendErrorCode.PROVIDER_ERROR : null, providerCode: failed ? 30003 : null, moved: false, i };
    }));
    await live.waitFor(11);
    await new Promise((r) => setTimeout(r, 200));
    const after = live.events.map((e: any) => e.deliveryEvents.message.id);
    expect(after.sort()).toEqual(messages.filter((m) => decode('msg', m.id) !== moved.id).map((m) => m.id).sort());
    await owner.dispose();
  });
}, { env: { SIMULATOR_CALLBACK_DELAY_MS: '600000', WEBHOOKS_DEVELOPMENT: 'on', WEBHOOK_POLL_MS: '50' } });
