import { describeEachDatabase, ADMIN_TOKEN } from './helpers/app';
import { campaignState, createCampaign, setupWorld, until, usPhone } from './helpers/campaign-fixtures';
import { createAccount, createSubaccount } from './helpers/fixtures';
import { postTwilioWebhook } from './helpers/twilio-webhook';
import { subscribe, subscribed, wsClient } from './helpers/ws-client';

const EVENT = 'deliveryEvents { status previousStatus error { code providerCode } message { id status providerSid } }';

describeEachDatabase('status callback webhook', (app) => {
  it('moves statuses only forward, once per (MessageSid, MessageStatus), and publishes one event per change to its tenant only', async () => {
    const to = usPhone();
    const other = usPhone();
    const marker = usPhone();
    const world = await setupWorld(app(), 'Status', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: to }, { phoneNumber: other }, { phoneNumber: marker }] });
    const stranger = await createAccount(app(), 'Stranger');
    const sub = await createSubaccount(app(), world.account, 'Sub');

    const owner = wsClient(app().url, world.account.key);
    const outsider = wsClient(app().url, stranger.key);
    const subClient = wsClient(app().url, sub.key);
    const operator = wsClient(app().url, ADMIN_TOKEN);
    const [mine, theirs, subs, all] = await subscribed(app().url, () => [owner, outsider, subClient, operator].map((c) => subscribe(c, `subscription { ${EVENT} }`)));

    const id = await createCampaign(app(), world, 'Status test');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const sending = await until('the messages handed over', async () => {
      const state = await campaignState(app(), world.account.key, id);
      return state.messages.nodes.every((m: any) => m.status === 'SENDING' && m.providerSid) ? state.messages.nodes : null;
    });
    const message = sending.find((m: any) => m.to === to);
    const sid = message.providerSid as string;
    const statusOf = async () => (await app().ok('query($id: ID!) { message(id: $id) { status error { code providerCode message } } }', { id: message.id }, world.account.key)).message;
    const eventsFor = () => mine.events.filter((e: any) => e.deliveryEvents.message.id === message.id);
    expect(eventsFor().map((e: any) => e.deliveryEvents.status)).toEqual(['SENDING']);

    const cases: Array<{ name: string; params: Record<string, string>; options?: { signature?: string; authToken?: string }; http: number; status: string; newEvent?: string }> = [
      { name: 'forged signature', params: { MessageSid: sid, MessageStatus: 'delivered' }, options: { signature: 'bm90IGEgc2lnbmF0dXJl' }, http: 403, status: 'SENDING' },
      { name: 'signed with another token', params: { MessageSid: sid, MessageStatus: 'delivered' }, options: { authToken: 'not-the-token' }, http: 403, status: 'SENDING' },
      { name: 'backwards (queued)', params: { MessageSid: sid, MessageStatus: 'queued' }, http: 200, status: 'SENDING' },
      { name: 'same status (sending)', params: { MessageSid: sid, MessageStatus: 'sending' }, http: 200, status: 'SENDING' },
      { name: 'sent', params: { MessageSid: sid, MessageStatus: 'sent' }, http: 200, status: 'SENT', newEvent: 'SENT' },
      { name: 'sent replayed', params: { MessageSid: sid, MessageStatus: 'sent' }, http: 200, status: 'SENT' },
      { name: 'unknown status', params: { MessageSid: sid, MessageStatus: 'teleported' }, http: 200, status: 'SENT' },
      { name: 'unknown sid', params: { MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'delivered' }, http: 200, status: 'SENT' },
      { name: 'missing MessageStatus', params: { MessageSid: sid }, http: 400, status: 'SENT' },
      { name: 'undelivered with ErrorCode', params: { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' }, http: 200, status: 'UNDELIVERED', newEvent: 'UNDELIVERED' },
      { name: 'delivered after a final status', params: { MessageSid: sid, MessageStatus: 'delivered' }, http: 200, status: 'UNDELIVERED' },
      { name: 'undelivered replayed', params: { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' }, http: 200, status: 'UNDELIVERED' },
    ];
    const expected = ['SENDING'];
    for (const c of cases) {
      const before = mine.events.length;
      const res = await postTwilioWebhook(app(), '/webhooks/twilio/status', { AccountSid: 'AC00000000000000000000000000000000', ...c.params }, c.options);
      expect({ name: c.name, http: res.status }).toEqual({ name: c.name, http: c.http });
      expect({ name: c.name, status: (await statusOf()).status }).toEqual({ name: c.name, status: c.status });
      if (c.newEvent) {
        expected.push(c.newEvent);
        await mine.waitFor(before + 1);
      }
    }
    // A status of a third message, stored and published after every case above: once its event is
    // here, so is any event a case wrongly published (one subscription gets events in publish order).
    const markerMessage = sending.find((m: any) => m.to === marker);
    const markerEvent = async (status: string) => {
      await postTwilioWebhook(app(), '/webhooks/twilio/status', { MessageSid: markerMessage.providerSid, MessageStatus: status.toLowerCase() });
      await until(`the marker's ${status} event`, async () => mine.events.some((e: any) => e.deliveryEvents.message.id === markerMessage.id && e.deliveryEvents.status === status), 5000);
    };
    await markerEvent('SENT');
    expect(eventsFor().map((e: any) => e.deliveryEvents.status)).toEqual(expected);
    expect((await statusOf()).error).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 30003 });
    expect(eventsFor()[2].deliveryEvents).toMatchObject({ previousStatus: 'SENT', error: { code: 'PROVIDER_ERROR', providerCode: 30003 } });

    // Concurrent and duplicated callbacks for the other message: one forward chain, no duplicates.
    const second = sending.find((m: any) => m.to === other);
    const burst = ['sent', 'delivered', 'sent', 'delivered', 'sending', 'delivered', 'sent'];
    const answers = await Promise.all(burst.map((s) => postTwilioWebhook(app(), '/webhooks/twilio/status', { MessageSid: second.providerSid, MessageStatus: s })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const chainOf = () => mine.events.filter((e: any) => e.deliveryEvents.message.id === second.id).map((e: any) => e.deliveryEvents.status);
    // Every answer came after its event was published; the marker's comes after them all.
    await markerEvent('DELIVERED');
    const chain = chainOf();
    expect(chain[chain.length - 1]).toBe('DELIVERED');
    expect(new Set(chain).size).toBe(chain.length);
    expect(['SENDING,SENT,DELIVERED', 'SENDING,DELIVERED']).toContain(chain.join(','));
    const stats = (await app().ok('query($id: ID!) { campaign(id: $id) { status stats { delivered undelivered sending sent } } }', { id }, world.account.key)).campaign;
    expect(stats.stats).toEqual({ delivered: 2, undelivered: 1, sending: 0, sent: 0 });
    await until('campaign completed', async () => (await app().ok('query($id: ID!) { campaign(id: $id) { status } }', { id }, world.account.key)).campaign.status === 'COMPLETED');

    // Tenants apart: the stranger and the master's subaccount saw none of it; the operator saw it all.
    expect(theirs.events).toHaveLength(0);
    expect(subs.events).toHaveLength(0);
    expect(all.events.length).toBe(mine.events.length);
    for (const c of [owner, outsider, subClient, operator]) await c.dispose();
  });

  it('shows a subaccount its own events and its master the subaccount\'s too', async () => {
    const master = await createAccount(app(), 'Master');
    const sub = await createSubaccount(app(), master, 'Child');
    const siblingSub = await createSubaccount(app(), master, 'Sibling');
    const world = await setupWorld(app(), 'Child', { account: sub, countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: usPhone() }] });
    const masterClient = wsClient(app().url, master.key);
    const subClient = wsClient(app().url, sub.key);
    const siblingClient = wsClient(app().url, siblingSub.key);
    const [seenByMaster, seenBySub, seenBySibling] = await subscribed(app().url, () => [masterClient, subClient, siblingClient].map((c) => subscribe(c, `subscription { ${EVENT} }`)));
    const id = await createCampaign(app(), world, 'From the child');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, sub.key);
    await seenBySub.waitFor(1);
    await seenByMaster.waitFor(1);
    // The sibling's own campaign, launched after: once its first event reaches the sibling, any
    // event of the child's wrongly shown to it has too (events reach a subscriber in publish order).
    const siblingWorld = await setupWorld(app(), 'Sibling', { account: siblingSub, countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: usPhone() }] });
    const siblingCampaign = await createCampaign(app(), siblingWorld, 'From the sibling');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: siblingCampaign }, siblingSub.key);
    await seenBySibling.waitFor(1);
    const siblingMessage = (await campaignState(app(), siblingSub.key, siblingCampaign)).messages.nodes[0].id;
    expect(seenBySibling.events.filter((e: any) => e.deliveryEvents.message.id !== siblingMessage)).toEqual([]);
    const childMessages = new Set(seenBySub.events.map((e: any) => e.deliveryEvents.message.id));
    expect(seenByMaster.events.filter((e: any) => childMessages.has(e.deliveryEvents.message.id)).length).toBe(seenBySub.events.length);
    for (const c of [masterClient, subClient, siblingClient]) await c.dispose();
  });

  it('publishes each message\'s events in the order its statuses were stored, however its callbacks race', async () => {
    const numbers = Array.from({ length: 41 }, () => usPhone());
    const world = await setupWorld(app(), 'Race', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 1000 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const owner = wsClient(app().url, world.account.key);
    const [live] = await subscribed(app().url, () => [subscribe(owner, 'subscription { deliveryEvents { status message { id } } }')]);
    const id = await createCampaign(app(), world, 'Race');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const sending = await until('all 41 handed over', async () => {
      const state = await campaignState(app(), world.account.key, id);
      return state.messages.nodes.length === 41 && state.messages.nodes.every((m: any) => m.status === 'SENDING' && m.providerSid) ? state.messages.nodes : null;
    });
    // The last message is the marker: its callback comes after every other answer.
    const marker = sending.pop();
    const burst = ['sent', 'delivered', 'sent', 'delivered', 'sending', 'delivered', 'sent'];
    await Promise.all(sending.flatMap((m: any) => burst.map((s) => postTwilioWebhook(app(), '/webhooks/twilio/status', { MessageSid: m.providerSid, MessageStatus: s }))));
    const chainOf = (messageId: string) => live.events.filter((e: any) => e.deliveryEvents.message.id === messageId).map((e: any) => e.deliveryEvents.status).join(',');
    await postTwilioWebhook(app(), '/webhooks/twilio/status', { MessageSid: marker.providerSid, MessageStatus: 'delivered' });
    await until("the marker's event, the last published", async () => chainOf(marker.id).includes('DELIVERED'), 10000);
    const chains = new Set(sending.map((m: any) => chainOf(m.id)));
    for (const chain of chains) expect(['SENDING,SENT,DELIVERED', 'SENDING,DELIVERED']).toContain(chain);
    await owner.dispose();
  });

  it('stores a status change as TypeORM stores the row: the error columns, and updated_at in the dialect\'s own datetime form', async () => {
    const world = await setupWorld(app(), 'Columns', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 20 }], contacts: [{ phoneNumber: usPhone() }] });
    const id = await createCampaign(app(), world, 'Columns');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const [message] = await until('the message handed over', async () => {
      const nodes = (await campaignState(app(), world.account.key, id)).messages.nodes;
      return nodes.every((m: any) => m.providerSid) ? nodes : null;
    });
    const res = await postTwilioWebhook(app(), '/webhooks/twilio/status', { AccountSid: 'AC00000000000000000000000000000000', MessageSid: message.providerSid, MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect(res.status).toBe(200);
    const [row] = await app().server.services.dataSource.query(
      'SELECT status, error_code, provider_code, error_message, created_at, updated_at FROM messages WHERE provider_sid = ?', [message.providerSid]);
    expect({ ...row, provider_code: Number(row.provider_code), created_at: undefined, updated_at: undefined }).toEqual({
      status: 'UNDELIVERED', error_code: 'PROVIDER_ERROR', provider_code: 30003, error_message: expect.stringContaining('30003'), created_at: undefined, updated_at: undefined,
    });
    // created_at was written by TypeORM's insert: the change's updated_at must have the same form (SQLite compares them as text).
    if (typeof row.created_at === 'string') {
      const form = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;
      expect({ created: form.test(row.created_at), updated: form.test(row.updated_at) }).toEqual({ created: true, updated: true });
      expect(row.updated_at >= row.created_at).toBe(true);
    } else {
      expect(row.updated_at).toBeInstanceOf(Date);
      expect(row.updated_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
    }
  });
}, { env: { SIMULATOR_CALLBACK_DELAY_MS: '600000' } });
