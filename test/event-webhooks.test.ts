import { bootApp, describeEachDatabase, type TestApp } from './helpers/app';
import { createCampaign, setupWorld, until, usPhone, waitForCampaign, type CampaignWorld } from './helpers/campaign-fixtures';
import { databaseKinds } from './helpers/databases';
import { createAccount, createSubaccount, type AccountFixture } from './helpers/fixtures';
import { startReceiver, verifySwitchboardSignature, type Answer, type Receiver } from './helpers/webhook-receiver';

const FAST = {
  WEBHOOKS_DEVELOPMENT: 'on',
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_BACKOFF_BASE_MS: '50',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_RETRY_FOR_MS: '4000',
  WEBHOOK_POLL_MS: '50',
};

const ALL_EVENTS = ['MESSAGE_STATUS', 'MESSAGE_RECEIVED', 'CONTACT_OPTED_OUT', 'CONTACT_OPTED_IN', 'CAMPAIGN_COMPLETED'];
const ENDPOINT = 'id url enabled disabledReason events description';
const DELIVERIES = 'deliveries(first: 500) { totalCount nodes { id eventId eventType status attempts lastResponseCode lastError nextAttemptAt deliveredAt } }';

async function createEndpoint(app: TestApp, account: AccountFixture, url: string, events = ALL_EVENTS): Promise<{ id: string; secret: string }> {
  const data = await app.ok('mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }',
    { input: { url, events, description: 'test receiver' } }, account.key);
  return { id: data.createWebhookEndpoint.endpoint.id, secret: data.createWebhookEndpoint.secret };
}

async function deliveriesOf(app: TestApp, account: AccountFixture, id: string): Promise<any> {
  const data = await app.ok(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT} ${DELIVERIES} } }`, { id }, account.key);
  return data.webhookEndpoint;
}

/** One contact.opted_out event for the account: a member unsubscribed through the API. */
async function optOut(app: TestApp, world: CampaignWorld, phone = usPhone()): Promise<string> {
  await app.ok('mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }', { g: world.groupId, p: phone }, world.account.key);
  return phone;
}

describeEachDatabase('event webhooks', (app) => {
  const receivers: Receiver[] = [];
  const receiver = async (behaviour?: (n: number) => Answer) => {
    const r = await startReceiver(behaviour);
    receivers.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });

  it("delivers every event of a campaign once per event id, in order per message, each signed by the documented recipe", async () => {
    const hook = await receiver();
    const contacts = Array.from({ length: 8 }, () => ({ phoneNumber: usPhone() }));
    const world = await setupWorld(app(), 'Webhook campaign', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts });
    const { id: endpointId, secret } = await createEndpoint(app(), world.account, hook.url);
    const campaignId = await createCampaign(app(), world, 'Hello {{phone_number}}');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: campaignId }, world.account.key);
    const state = await waitForCampaign(app(), world.account.key, campaignId, ['COMPLETED'], 30000);

    const finals = new Map<string, string>(state.messages.nodes.map((m: any) => [m.id, m.status]));
    await until('the completion and every final status', async () => {
      const events = hook.requests.map((r) => r.event);
      return events.some((e) => e.type === 'campaign.completed')
        && [...finals].every(([id, status]) => events.some((e) => e.type === 'message.status' && e.data.message.id === id && e.data.status === status));
    }, 20000);
    const endpoint = await until('every delivery done', async () => {
      const e = await deliveriesOf(app(), world.account, endpointId);
      return e.deliveries.nodes.every((d: any) => d.status === 'SUCCEEDED') && e;
    });

    const ids = hook.delivered();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(endpoint.deliveries.nodes.map((d: any) => d.eventId).sort());
    for (const request of hook.requests) {
      expect(verifySwitchboardSignature(secret, String(request.headers['switchboard-signature']), request.raw)).toBe(true);
      expect(verifySwitchboardSignature(secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), String(request.headers['switchboard-signature']), request.raw)).toBe(false);
      expect(request.headers['switchboard-event-id']).toBe(request.event.id);
      expect(request.headers['switchboard-event-type']).toBe(request.event.type);
      expect(request.event.createdAt).toEqual(new Date(request.event.createdAt).toISOString());
    }
    const completed = hook.requests.filter((r) => r.event.type === 'campaign.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0].event.data.campaign).toMatchObject({ id: campaignId, status: 'COMPLETED', account: { id: world.account.id } });
    // Each message's statuses arrive in the order they happened, each naming the one before it.
    for (const id of finals.keys()) {
      const seen = hook.requests.filter((r) => r.event.type === 'message.status' && r.event.data.message.id === id).map((r) => r.event.data);
      for (let i = 1; i < seen.length; i++) expect(seen[i].previousStatus).toBe(seen[i - 1].status);
      expect(seen[seen.length - 1].status).toBe(finals.get(id));
      expect(seen[0].message).toMatchObject({ campaign: { id: campaignId }, account: { id: world.account.id } });
    }
    expect(endpoint.deliveries.nodes.every((d: any) => d.attempts === 1 && d.lastResponseCode === 200 && d.nextAttemptAt === null)).toBe(true);
  });

  it.each<[string, (n: number) => Answer]>([
    ['answers too slowly (timeout)', (n) => (n === 0 ? { status: 200, delayMs: 1200 } : { status: 200 })],
    ['answers 500, then recovers', (n) => (n < 2 ? { status: 500 } : { status: 200 })],
    ['redirects', (n) => (n === 0 ? { status: 302, location: '/elsewhere' } : { status: 200 })],
    ['closes the connection', (n) => (n === 0 ? 'close' : { status: 200 })],
  ])('retries an endpoint that %s until it takes the event, and follows no redirect', async (_case, behaviour) => {
    const hook = await receiver(behaviour);
    const world = await setupWorld(app(), 'Webhook faults', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const { id } = await createEndpoint(app(), world.account, hook.url, ['CONTACT_OPTED_OUT']);
    const phone = await optOut(app(), world);
    const endpoint = await until('the delivery', async () => {
      const e = await deliveriesOf(app(), world.account, id);
      return e.deliveries.nodes[0]?.status === 'SUCCEEDED' && e;
    });
    const [delivery] = endpoint.deliveries.nodes;
    // Each attempt reaches the receiver once; a slow answer is recorded when it is sent, which
    // may be after the retry succeeded. On a loaded machine a later attempt may time out too,
    // so the faults are a floor: each case's first answer is one.
    await until('every attempt recorded by the receiver', async () => hook.requests.length >= delivery.attempts);
    expect(hook.requests).toHaveLength(delivery.attempts);
    const failures = hook.requests.filter((r) => r.answer === 'close' || r.answer.status !== 200).length + (_case.includes('slowly') ? 1 : 0);
    expect(delivery.attempts).toBeGreaterThanOrEqual(failures + 1);
    expect(delivery.lastResponseCode).toBe(200);
    expect(hook.requests.every((r) => r.path === '/hooks')).toBe(true);
    expect(new Set(hook.requests.map((r) => r.event.id)).size).toBe(1);
    expect(hook.requests[0].event.data.member).toMatchObject({ status: 'UNSUBSCRIBED', source: 'API' });
    expect(hook.requests[0].event.data.member.contact.id).toMatch(/^ctc_/);
    expect(phone).toMatch(/^\+1/);
  });

  it('stops the pending deliveries of a deleted endpoint, and goes on with the others', async () => {
    const failing = await receiver(() => ({ status: 503 }));
    const healthy = await receiver();
    const world = await setupWorld(app(), 'Webhook delete', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const doomed = await createEndpoint(app(), world.account, failing.url, ['CONTACT_OPTED_OUT']);
    for (let i = 0; i < 3; i++) await optOut(app(), world);
    await until('a failed attempt', async () => failing.requests.length > 0);
    const deleted = await app().ok('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: doomed.id }, world.account.key);
    expect(deleted.deleteWebhookEndpoint.id).toBe(doomed.id);
    const afterDelete = failing.requests.length;
    await createEndpoint(app(), world.account, healthy.url, ['CONTACT_OPTED_OUT']);
    await optOut(app(), world);
    // By the time the new endpoint has its event, the deliverer has looked at the due work many times.
    await until('the other endpoint\'s event', async () => healthy.delivered().length === 1);
    await until('a few more looks', async () => {
      const before = healthy.requests.length;
      await optOut(app(), world);
      return (await until('next', async () => healthy.requests.length > before)) && healthy.requests.length >= 4;
    });
    // At most the attempt in flight at the delete finished after it.
    expect(failing.requests.length).toBeLessThanOrEqual(afterDelete + 1);
    expect(await app().ok('query($id: ID!) { webhookEndpoint(id: $id) { id } }', { id: doomed.id }, world.account.key)).toEqual({ webhookEndpoint: null });
  });

  it("sends a tenant only its own events, and a master its subaccounts' too", async () => {
    const [masterHook, subHook, otherHook] = [await receiver(), await receiver(), await receiver()];
    const master = await setupWorld(app(), 'Webhook master', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const sub = await createSubaccount(app(), master.account, 'Webhook sub');
    const subWorld = await setupWorld(app(), 'Webhook sub world', { account: sub, countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const other = await setupWorld(app(), 'Webhook other', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    await createEndpoint(app(), master.account, masterHook.url, ['CONTACT_OPTED_OUT']);
    await createEndpoint(app(), sub, subHook.url, ['CONTACT_OPTED_OUT']);
    await createEndpoint(app(), other.account, otherHook.url, ['CONTACT_OPTED_OUT']);
    await optOut(app(), subWorld);
    await optOut(app(), master);
    await optOut(app(), other);
    await until('every event', async () => masterHook.delivered().length === 2 && subHook.delivered().length === 1 && otherHook.delivered().length === 1);
    const groups = (r: Receiver) => r.requests.map((q) => q.event.data.member.group.id).sort();
    expect(groups(masterHook)).toEqual([master.groupId, subWorld.groupId].sort());
    expect(groups(subHook)).toEqual([subWorld.groupId]);
    expect(groups(otherHook)).toEqual([other.groupId]);
    // Another tenant's endpoint is not there for it.
    const list = await app().ok('{ webhookEndpoints { totalCount nodes { url } } }', {}, other.account.key);
    expect(list.webhookEndpoints).toEqual({ totalCount: 1, nodes: [{ url: otherHook.url }] });
  });

  it('replays a failed delivery with the same event id, and signs with both secrets while a rolled one has grace', async () => {
    let refusing = true;
    const hook = await receiver(() => (refusing ? { status: 500 } : { status: 200 }));
    const world = await setupWorld(app(), 'Webhook replay', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
    const { id, secret } = await createEndpoint(app(), world.account, hook.url, ['CONTACT_OPTED_OUT']);
    await optOut(app(), world);
    const failed = await until('the delivery failed for good', async () => {
      const e = await deliveriesOf(app(), world.account, id);
      return e.deliveries.nodes[0]?.status === 'FAILED' && e.deliveries.nodes[0];
    }, 20000);
    expect(failed).toMatchObject({ lastResponseCode: 500, lastError: 'HTTP 500', nextAttemptAt: null });
    refusing = false;
    const rolled = await app().ok('mutation($id: ID!) { rollWebhookSecret(id: $id, input: { graceSeconds: 60 }) { secret } }', { id }, world.account.key);
    const replayed = await app().ok('mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }', { id: failed.id }, world.account.key);
    expect(replayed.replayWebhookDelivery).toEqual({ id: failed.id, status: 'PENDING' });
    await until('the replay', async () => hook.delivered().length === 1);
    const last = hook.requests[hook.requests.length - 1];
    expect(last.event.id).toBe(failed.eventId);
    const header = String(last.headers['switchboard-signature']);
    expect(verifySwitchboardSignature(secret, header, last.raw)).toBe(true);
    expect(verifySwitchboardSignature(rolled.rollWebhookSecret.secret, header, last.raw)).toBe(true);
  });

  it.each([
    ['an empty list of events', { url: 'http://127.0.0.1:9/x', events: [] }, 'events'],
    ['a URL that is not one', { url: 'not a url', events: ['MESSAGE_STATUS'] }, 'url'],
    ['an ftp URL', { url: 'ftp://127.0.0.1/x', events: ['MESSAGE_STATUS'] }, 'url'],
    ['credentials in the URL', { url: 'http://user:pw@127.0.0.1/x', events: ['MESSAGE_STATUS'] }, 'url'],
    ['a URL of 3 KB', { url: `http://127.0.0.1/${'a'.repeat(3000)}`, events: ['MESSAGE_STATUS'] }, 'url'],
  ])('refuses %s, naming the field', async (_case, input, field) => {
    const account = await createAccount(app(), 'Webhook bad input');
    const res = await app().gql('mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }', { input }, account.key);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
}, { env: FAST });

for (const kind of databaseKinds()) {
  describe(`event webhooks outside development [${kind}]`, () => {
    let app: TestApp;
    let hook: Receiver;
    beforeAll(async () => {
      app = await bootApp(kind, { env: { ...FAST, WEBHOOKS_DEVELOPMENT: 'off', WEBHOOK_DISABLE_AFTER_MS: '1500' } });
      hook = await startReceiver();
    });
    afterAll(async () => {
      await app?.close();
      await hook?.close();
    });

    it.each([
      ['plain http', 'http://93.184.215.14/hooks', /https/],
      ['IPv4 loopback', 'https://127.0.0.1/hooks', /loopback/],
      ['IPv6 loopback', 'https://[::1]/hooks', /loopback/],
      ['10/8', 'https://10.1.2.3/hooks', /private/],
      ['192.168/16', 'https://192.168.0.10/hooks', /private/],
      ['172.16/12', 'https://172.20.0.1/hooks', /private/],
      ['cloud metadata (link-local)', 'https://169.254.169.254/latest/meta-data', /linkLocal/],
      ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hooks', /loopback/],
      ['IPv6 unique-local', 'https://[fd12:3456::1]/hooks', /uniqueLocal/],
      ['IPv6 link-local', 'https://[fe80::1]/hooks', /linkLocal/],
      ['the unspecified address', 'https://0.0.0.0/hooks', /unspecified/],
      ['a name resolving to loopback', 'https://localhost/hooks', /loopback/],
    ])('refuses %s', async (_case, url, reason) => {
      const account = await createAccount(app, 'SSRF');
      const res = await app.gql('mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: [MESSAGE_STATUS] }) { secret } }', { url }, account.key);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
      expect(res.errors?.[0].message).toMatch(reason);
    });

    it('registers an https URL of a public address (and sends it nothing here)', async () => {
      const account = await createAccount(app, 'Public');
      const made = await app.ok('mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/hooks", events: [PREFIX_BLOCKED] }) { endpoint { id url enabled } } }', {}, account.key);
      expect(made.createWebhookEndpoint.endpoint).toMatchObject({ url: 'https://93.184.215.14/hooks', enabled: true });
      await app.ok('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: made.createWebhookEndpoint.endpoint.id }, account.key);
    });

    it('checks the address again at delivery: a URL that turned private is never called, and an endpoint failing too long is disabled', async () => {
      const world = await setupWorld(app, 'Rebinding', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone() }], contacts: [] });
      // As if the name had resolved to a public address when it was registered, and to loopback now.
      const { dataSource } = app.server.services;
      const made = await app.ok('mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/hooks", events: [CONTACT_OPTED_OUT] }) { endpoint { id } } }', {}, world.account.key);
      const id = made.createWebhookEndpoint.endpoint.id;
      const [{ newest }] = await dataSource.query('SELECT MAX(id) AS newest FROM webhook_endpoints');
      await dataSource.query('UPDATE webhook_endpoints SET url = ? WHERE id = ?', [hook.url, Number(newest)]);
      await optOut(app, world);
      const endpoint = await until('the endpoint disabled', async () => {
        const e = await deliveriesOf(app, world.account, id);
        return !e.enabled && e;
      }, 20000);
      expect(endpoint.disabledReason).toMatch(/disabled automatically: every delivery has failed since .*loopback/);
      expect(endpoint.deliveries.nodes[0]).toMatchObject({ lastResponseCode: null });
      expect(endpoint.deliveries.nodes[0].attempts).toBeGreaterThan(0);
      expect(hook.requests).toHaveLength(0);
    });
  });
}
