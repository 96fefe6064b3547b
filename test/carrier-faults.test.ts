import { serveSimulator, type CarrierFault, type ServedSimulator } from '../src/carrier/simulator';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';
import { createLogger } from '../src/core/logger';
import { bootApp, type TestApp } from './helpers/app';
import { describeWithOutsideCarrier } from './helpers/carrier';
import { createCampaign, setupWorld, until, usPhone, waitForCampaign } from './helpers/campaign-fixtures';
import { databaseKinds } from './helpers/databases';
import { freePort } from './helpers/net';

const MESSAGE = 'query($id: ID!) { message(id: $id) { status providerSid attempts lastProviderResponse error { code providerCode message } } }';

interface FaultCase {
  name: string;
  fault: Omit<CarrierFault, 'count'>;
  /** How many messages the carrier holds for the recipient in the end: at most one, whatever happened. */
  made: 0 | 1;
  status: string;
  attempts: number;
  error?: { code: string; providerCode: number | null; message: RegExp };
  response: RegExp;
}

const CASES: FaultCase[] = [
  { name: 'makes the message, then answers 500', fault: { status: 500, afterCreate: true }, made: 1, status: 'DELIVERED', attempts: 1, response: /found at the carrier/ },
  { name: 'makes the message, then cuts the connection', fault: { reset: true, afterCreate: true }, made: 1, status: 'DELIVERED', attempts: 1, response: /found at the carrier/ },
  {
    name: 'answers 500 without making it', fault: { status: 500 }, made: 0, status: 'FAILED', attempts: 1,
    error: { code: 'PROVIDER_ERROR', providerCode: null, message: /carrier has no record of the message: it did not leave, and is not sent again/ }, response: /HTTP 500/,
  },
  {
    name: 'cuts the connection without making it', fault: { reset: true }, made: 0, status: 'FAILED', attempts: 1,
    error: { code: 'PROVIDER_ERROR', providerCode: null, message: /carrier has no record/ }, response: /socket hang up|ECONNRESET/,
  },
  { name: 'answers 429 once, with Retry-After', fault: { status: 429, retryAfter: 1 }, made: 1, status: 'DELIVERED', attempts: 2, response: /^HTTP 201: SM/ },
  {
    name: 'refuses with 21610 (the recipient opted out at the carrier)', fault: { status: 400, code: 21610 }, made: 0, status: 'FAILED', attempts: 1,
    error: { code: 'PROVIDER_ERROR', providerCode: 21610, message: /refused/ }, response: /HTTP 400 \(error 21610\)/,
  },
  { name: 'answers late, after its status callbacks', fault: { delayMs: 600 }, made: 1, status: 'DELIVERED', attempts: 1, response: /^HTTP 201: SM/ },
];

async function membership(app: TestApp, key: string, groupId: string, phoneNumber: string) {
  const data = await app.ok('query($p: String!) { contactByPhone(phoneNumber: $p) { memberships { status source group { id } } } }', { p: phoneNumber }, key);
  return data.contactByPhone.memberships.find((m: any) => m.group.id === groupId);
}

describeWithOutsideCarrier('a misbehaving carrier', (ctx) => {
  const madeFor = (to: string) => ctx().carrier.simulator.sent().filter((m) => m.to === to);

  it.each(CASES.map((c) => [c.name, c] as const))('when it %s, makes at most one message and records what happened', async (_name, c) => {
    const to = usPhone();
    const world = await setupWorld(ctx().app, 'Faulty', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: [{ phoneNumber: to }] });
    ctx().carrier.simulator.addFault({ ...c.fault, count: 1 });
    const id = await createCampaign(ctx().app, world, 'Once only');
    await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const done = await waitForCampaign(ctx().app, world.account.key, id, ['COMPLETED'], 20000);
    const message = (await ctx().app.ok(MESSAGE, { id: done.messages.nodes[0].id }, world.account.key)).message;
    expect(madeFor(to)).toHaveLength(c.made);
    expect(message).toMatchObject({ status: c.status, attempts: c.attempts, error: c.error ? { code: c.error.code, providerCode: c.error.providerCode } : null });
    if (c.error) expect(message.error.message).toMatch(c.error.message);
    if (c.made) expect(message.providerSid).toBe(madeFor(to)[0].sid);
    expect(message.lastProviderResponse).toMatch(c.response);
    const early = await ctx().app.server.services.dataSource.query('SELECT COUNT(*) AS n FROM early_status_callbacks');
    expect(Number(early[0].n)).toBe(0);
  });

  it('unsubscribes a recipient the carrier refuses with 21610, so that the next campaign does not try again', async () => {
    const [optedOut, other] = [usPhone(), usPhone()];
    const world = await setupWorld(ctx().app, 'CarrierStop', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: [{ phoneNumber: optedOut }, { phoneNumber: other }] });
    ctx().carrier.simulator.addFault({ status: 400, code: 21610, count: 1 });
    // The fault takes the first hand-over: make the opted-out number the only one due first.
    const first = await createCampaign(ctx().app, { ...world }, 'First');
    await ctx().app.ok('mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }', { g: world.groupId, p: other }, world.account.key);
    await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: first }, world.account.key);
    await waitForCampaign(ctx().app, world.account.key, first, ['COMPLETED']);
    expect(await membership(ctx().app, world.account.key, world.groupId, optedOut)).toMatchObject({ status: 'UNSUBSCRIBED', source: 'CARRIER' });
    await ctx().app.ok('mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: SUBSCRIBED) { status } }', { g: world.groupId, p: other }, world.account.key);
    const second = await createCampaign(ctx().app, world, 'Second');
    const launched = await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { stats { recipients } } }', { id: second }, world.account.key);
    expect(launched.launchCampaign.stats.recipients).toBe(1);
    await waitForCampaign(ctx().app, world.account.key, second, ['COMPLETED']);
    expect(madeFor(optedOut)).toHaveLength(0);
    expect(madeFor(other).map((m) => m.body)).toEqual(['Second']);
  });

  it('unsubscribes a recipient whose status callback carries 21610', async () => {
    const to = usPhone();
    const world = await setupWorld(ctx().app, 'CallbackStop', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: [{ phoneNumber: to }] });
    const auth = 'Basic ' + Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString('base64');
    const set = await fetch(`${ctx().carrier.url}/dev/outcomes`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ to, status: 'failed', errorCode: 21610 }) });
    expect(set.status).toBe(200);
    const id = await createCampaign(ctx().app, world, 'Refused later');
    await ctx().app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const done = await waitForCampaign(ctx().app, world.account.key, id, ['COMPLETED']);
    expect(done.messages.nodes[0]).toMatchObject({ status: 'FAILED', error: { code: 'PROVIDER_ERROR', providerCode: 21610 } });
    expect(await membership(ctx().app, world.account.key, world.groupId, to)).toMatchObject({ status: 'UNSUBSCRIBED', source: 'CARRIER' });
  });
});

describe('a carrier that refuses connections for a while', () => {
  for (const kind of databaseKinds()) {
    it(`retries until it answers, and makes the message once [${kind}]`, async () => {
      const port = await freePort();
      const app = await bootApp(kind, { env: { TWILIO_API_BASE_URL: `http://127.0.0.1:${port}` } });
      let carrier: ServedSimulator | undefined;
      try {
        const to = usPhone();
        const world = await setupWorld(app, 'Unreachable', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 50 }], contacts: [{ phoneNumber: to }] });
        const id = await createCampaign(app, world, 'Knock knock');
        await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
        const refused = await until('a refused hand-over recorded', async () => {
          const rows = await app.server.services.dataSource.query('SELECT attempts, last_provider_response AS response, status FROM messages WHERE to_address = ?', [to]);
          return Number(rows[0]?.attempts) > 0 ? rows[0] : null;
        });
        expect(refused.status).toBe('QUEUED');
        expect(refused.response).toMatch(/ECONNREFUSED/);
        carrier = await serveSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, publicUrl: app.url, undeliveredShare: 0, callbackDelayMs: 20 }, createLogger('silent'), port);
        const done = await waitForCampaign(app, world.account.key, id, ['COMPLETED'], 30000);
        expect(done.messages.nodes[0].status).toBe('DELIVERED');
        expect(carrier.simulator.sent().filter((m) => m.to === to)).toHaveLength(1);
      } finally {
        await app.close();
        await carrier?.close();
      }
    });
  }
});
