import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { campaignState, carrierMessages, closedWindow, createCampaign, setupWorld, until, usPhone, waitForCampaign, type CampaignWorld } from './helpers/campaign-fixtures';
import { createAccount, createSubaccount, enableCountries, type AccountFixture } from './helpers/fixtures';
import { messageSid } from './helpers/inbox';
import { rawId } from './helpers/ids';
import { postTwilioWebhook } from './helpers/twilio-webhook';

let caSeq = 0;
/** A fresh Canadian (Toronto) number each call. */
function caPhone(): string {
  caSeq += 1;
  return `+1416555${String(100 + (caSeq % 100)).padStart(4, '0')}`;
}

interface Drain {
  world: CampaignWorld;
  campaignId: string;
  numbers: string[];
  /** The account that launched (a subaccount in the inheritance cases), and its parent where it has one. */
  account: AccountFixture;
  parent: AccountFixture | null;
}

interface GuardCase {
  name: string;
  /** Recipients' numbers, in queue order; the sender sends one a second. */
  numbers: () => string[];
  country: 'US' | 'CA';
  subaccount?: boolean;
  /** The change made once the first message has been handed over. */
  change: (app: TestApp, drain: Drain) => Promise<unknown>;
  /** Indexes of the recipients the change forbids, and the error their messages must end with. */
  forbidden: number[];
  code: string;
}

const gql = (app: TestApp, query: string, variables: Record<string, unknown>, token: string) => app.ok(query, variables, token);

const CASES: GuardCase[] = [
  {
    name: 'a STOP keyword from the last recipient',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US',
    change: async (app, { world, numbers }) => {
      const res = await postTwilioWebhook(app, '/webhooks/twilio/inbound', { MessageSid: messageSid(), AccountSid: 'AC00000000000000000000000000000000', From: numbers[3], To: world.senders[0].value, Body: ' stop ' });
      expect(res.status).toBe(200);
    },
    forbidden: [3], code: 'RECIPIENT_UNSUBSCRIBED',
  },
  {
    name: 'an opt-out through the API',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US',
    change: (app, { world, numbers, account }) => gql(app, 'mutation($g: ID!, $p: String!) { setSubscription(groupId: $g, phoneNumber: $p, status: UNSUBSCRIBED) { status } }', { g: world.groupId, p: numbers[3] }, account.key),
    forbidden: [3], code: 'RECIPIENT_UNSUBSCRIBED',
  },
  {
    name: 'a prefix block',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US',
    change: (app, { numbers, account }) => gql(app, 'mutation($a: ID!, $p: String!) { blockPrefix(accountId: $a, prefix: $p, reason: "pumping") { id } }', { a: account.id, p: numbers[3] }, account.key),
    forbidden: [3], code: 'PREFIX_BLOCKED',
  },
  {
    name: "a parent's prefix block, over a subaccount",
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US', subaccount: true,
    change: (app, { numbers, parent }) => gql(app, 'mutation($a: ID!, $p: String!) { blockPrefix(accountId: $a, prefix: $p) { id } }', { a: parent!.id, p: numbers[2] }, parent!.key),
    forbidden: [2], code: 'PREFIX_BLOCKED',
  },
  {
    name: 'a region turned off',
    numbers: () => [caPhone(), caPhone(), caPhone(), caPhone()], country: 'CA',
    change: (app, { account }) => gql(app, 'mutation($a: ID!) { setGeoPermissions(accountId: $a, countries: ["CA"], enabled: false) { enabledCountries } }', { a: account.id }, account.key),
    forbidden: [1, 2, 3], code: 'GEO_PERMISSION_DENIED',
  },
  {
    name: "a region turned off on the parent a subaccount inherits from",
    numbers: () => [caPhone(), caPhone(), caPhone(), caPhone()], country: 'CA', subaccount: true,
    change: (app, { parent }) => gql(app, 'mutation($a: ID!) { setGeoPermissions(accountId: $a, countries: ["CA"], enabled: false) { enabledCountries } }', { a: parent!.id }, parent!.key),
    forbidden: [1, 2, 3], code: 'GEO_PERMISSION_DENIED',
  },
  {
    name: 'a subaccount that stops inheriting from a parent whose regions it used',
    numbers: () => [caPhone(), caPhone(), caPhone(), caPhone()], country: 'CA', subaccount: true,
    change: async (app, { account, parent }) => {
      // It starts from a copy of the parent's regions (CA included)...
      await gql(app, 'mutation($a: ID!) { setGeoPermissionInheritance(accountId: $a, inherit: false) { enabledCountries } }', { a: account.id }, parent!.key);
      // ...until the subaccount's own settings turn it off.
      await gql(app, 'mutation($a: ID!) { setGeoPermissions(accountId: $a, countries: ["CA"], enabled: false) { enabledCountries } }', { a: account.id }, parent!.key);
    },
    forbidden: [1, 2, 3], code: 'GEO_PERMISSION_DENIED',
  },
  {
    name: 'a suspension of the account',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US',
    change: (app, { account }) => gql(app, 'mutation($a: ID!) { suspendAccount(id: $a, reason: "fraud review") { status } }', { a: account.id }, ADMIN_TOKEN),
    forbidden: [1, 2, 3], code: 'ACCOUNT_SUSPENDED',
  },
  {
    name: 'a suspension of the parent account',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US', subaccount: true,
    change: (app, { parent }) => gql(app, 'mutation($a: ID!) { suspendAccount(id: $a, reason: "fraud review") { status } }', { a: parent!.id }, ADMIN_TOKEN),
    forbidden: [1, 2, 3], code: 'ACCOUNT_SUSPENDED',
  },
  {
    name: 'the removal of the only sender',
    numbers: () => [usPhone(), usPhone(), usPhone(), usPhone()], country: 'US',
    change: (app, { world, account }) => gql(app, 'mutation($s: ID!) { removeSender(id: $s) }', { s: world.senders[0].id }, account.key),
    forbidden: [1, 2, 3], code: 'NO_ELIGIBLE_SENDER',
  },
];

async function startDrain(app: TestApp, c: GuardCase): Promise<Drain> {
  const numbers = c.numbers();
  const parent = c.subaccount ? await createAccount(app, `Parent ${c.name}`, 'US') : null;
  if (parent && c.country !== 'US') await enableCountries(app, parent, [c.country]);
  const account = parent ? await createSubaccount(app, parent, `Sub ${c.name}`, true) : await createAccount(app, c.name, 'US');
  const countries = !parent && c.country !== 'US' ? [c.country] : [];
  const sender = c.country === 'CA' ? { type: 'LONG_CODE' as const, value: caPhone(), maxPerSecond: 1 } : { type: 'LONG_CODE' as const, value: usPhone(), maxPerSecond: 1 };
  const world = await setupWorld(app, c.name, { account, countries, senders: [sender], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
  const campaignId = await createCampaign(app, world, 'Spring sale');
  await app.ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id: campaignId }, account.key);
  return { world, campaignId, numbers, account, parent };
}

describeEachDatabase('hand-over guards', (app) => {
  const carrier = () => `${app().url}/carrier`;
  /** Campaign messages the carrier took for a number (a STOP's automatic answer is not one). */
  const taken = async (to: string, body = 'Spring sale') => (await carrierMessages(carrier(), to)).filter((m) => m.body === body).length;

  it.each(CASES.map((c) => [c.name, c] as const))('holds what %s forbids from the moment it is made', async (_name, c) => {
    const drain = await startDrain(app(), c);
    await until('the first message handed over', async () => (await taken(drain.numbers[0])) === 1);
    await c.change(app(), drain);
    const done = await waitForCampaign(app(), drain.account.key, drain.campaignId, ['COMPLETED'], 20000);
    const byTo = new Map<string, any>(done.messages.nodes.map((m: any) => [m.to, m]));
    for (const [index, to] of drain.numbers.entries()) {
      const message = byTo.get(to);
      if (c.forbidden.includes(index)) {
        expect({ index, status: message.status, code: message.error?.code, taken: await taken(to) }).toEqual({ index, status: 'REJECTED', code: c.code, taken: 0 });
        expect(message.error.message).toMatch(/^refused at hand-over: /);
      } else {
        expect({ index, status: message.status, taken: await taken(to) }).toEqual({ index, status: 'DELIVERED', taken: 1 });
      }
    }
    expect(done.stats.rejected).toBe(c.forbidden.length);
    expect(done.stats.rejectedByReason).toEqual([{ code: c.code, count: c.forbidden.length }]);
  });

  it('sends a campaign message from another sender of the group when its own was removed mid-drain', async () => {
    const numbers = [usPhone(), usPhone(), usPhone(), usPhone()];
    const world = await setupWorld(app(), 'Reroute', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 1 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(app(), world, 'Rerouted');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    await until('the first message handed over', async () => (await taken(numbers[0], 'Rerouted')) === 1);
    const spare = await app().ok('mutation($g: ID!, $v: String!) { addSender(groupId: $g, input: { type: LONG_CODE, value: $v, maxPerSecond: 5 }) { id value } }', { g: world.groupId, v: usPhone() }, world.account.key);
    await app().ok('mutation($s: ID!) { removeSender(id: $s) }', { s: world.senders[0].id }, world.account.key);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    expect(done.stats).toMatchObject({ recipients: 4, delivered: 4, rejected: 0 });
    for (const to of numbers.slice(1)) {
      const sent = (await carrierMessages(carrier(), to)).filter((m) => m.body === 'Rerouted');
      expect({ to, from: sent.map((m) => m.from) }).toEqual({ to, from: [spare.addSender.value] });
    }
  });

  it('defers a campaign message whose send window closed while it waited, instead of sending it out of hours', async () => {
    const to = usPhone();
    const world = await setupWorld(app(), 'Late', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 10 }], contacts: [{ phoneNumber: to }] });
    // The recipient is in Washington, DC: a window closed there now and for the next hour at least.
    const id = await createCampaign(app(), world, 'After hours?', { sendWindow: closedWindow('America/New_York') });
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const planned = (await campaignState(app(), world.account.key, id)).messages.nodes[0];
    // A backlog made it due now, when its window is closed: what a slow sender leaves behind.
    const ds = app().server.services.dataSource;
    await ds.query('UPDATE messages SET send_after = ? WHERE id = ?', [ds.options.type === 'mysql' ? new Date(Date.now() - 1000) : new Date(Date.now() - 1000).toISOString().replace('T', ' ').replace('Z', ''), rawId(planned.id)]);
    app().server.services.dispatcher.wake();
    const deferred = await until('the queue looked at it again', async () => {
      const m = (await campaignState(app(), world.account.key, id)).messages.nodes[0];
      return Date.parse(m.sendAfter) > Date.now() ? m : null;
    });
    expect(deferred.status).toBe('QUEUED');
    expect(deferred.sendAfter).toBe(planned.sendAfter);
    expect(await taken(to, 'After hours?')).toBe(0);
    await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id }, world.account.key);
  });

  it('hands over nothing of a campaign after its cancel has answered, and fails the rest with CAMPAIGN_CANCELLED', async () => {
    const numbers = Array.from({ length: 40 }, () => usPhone());
    const world = await setupWorld(app(), 'Cancelled', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 2 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(app(), world, 'Soon cancelled');
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const made = async () => (await Promise.all(numbers.map((to) => taken(to, 'Soon cancelled')))).reduce((a, b) => a + b, 0);
    await until('a message handed over', async () => (await made()) >= 1);
    const cancelled = await app().ok('mutation($id: ID!) { cancelCampaign(id: $id) { status } }', { id }, world.account.key);
    expect(cancelled.cancelCampaign.status).toBe('CANCELLED');
    // Hand-overs already on their way at the answer may still land; none may start after it.
    const atAnswer = (await campaignState(app(), world.account.key, id)).messages.nodes.filter((m: any) => m.status !== 'QUEUED' && m.status !== 'FAILED').length;
    const state = await until('no message left queued', async () => {
      const s = await campaignState(app(), world.account.key, id);
      return s.stats.queued === 0 ? s : null;
    });
    const failed = state.messages.nodes.filter((m: any) => m.error?.code === 'CAMPAIGN_CANCELLED');
    expect(failed.every((m: any) => m.status === 'FAILED' && m.providerSid === null)).toBe(true);
    expect(failed.length + atAnswer).toBe(numbers.length);
    expect(await made()).toBe(atAnswer);
  });

  it('sends at once after a resume: a launch right after resumeAccount is not refused', async () => {
    const numbers = [usPhone(), usPhone()];
    const world = await setupWorld(app(), 'Resumed', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 10 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(app(), world, 'Back again');
    await app().ok('mutation($a: ID!) { suspendAccount(id: $a, reason: "check") { status } }', { a: world.account.id });
    // A message queued by a reply would be held while suspended; a resume lets the next one through at once.
    await app().ok('mutation($a: ID!) { resumeAccount(id: $a) { status } }', { a: world.account.id });
    await app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    expect(done.stats).toMatchObject({ recipients: 2, delivered: 2, rejected: 0 });
  });

  it('rejects at hand-over what a STOP racing the launch forbids, and sends nothing twice', async () => {
    const numbers = Array.from({ length: 6 }, () => usPhone());
    const world = await setupWorld(app(), 'Race', { countries: [], senders: [{ type: 'LONG_CODE', value: usPhone(), maxPerSecond: 3 }], contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
    const id = await createCampaign(app(), world, 'Racing');
    const stops = numbers.filter((_, i) => i % 2 === 1);
    await Promise.all([
      app().ok('mutation($id: ID!) { launchCampaign(id: $id) { id } }', { id }, world.account.key),
      ...stops.map((from) => postTwilioWebhook(app(), '/webhooks/twilio/inbound', { MessageSid: messageSid(), AccountSid: 'AC00000000000000000000000000000000', From: from, To: world.senders[0].value, Body: 'STOP' })),
    ]);
    const done = await waitForCampaign(app(), world.account.key, id, ['COMPLETED']);
    for (const to of numbers) {
      const message = done.messages.nodes.find((m: any) => m.to === to);
      const campaignCopies = (await carrierMessages(carrier(), to)).filter((m) => m.body === 'Racing').length;
      if (stops.includes(to)) {
        // Opted out before the launch read its audience (not a recipient) or after (REJECTED at hand-over): never sent.
        expect({ to, campaignCopies, status: message?.status ?? 'not a recipient' }).toEqual({ to, campaignCopies: 0, status: message ? 'REJECTED' : 'not a recipient' });
      } else {
        expect({ to, campaignCopies, status: message.status }).toEqual({ to, campaignCopies: 1, status: 'DELIVERED' });
      }
    }
  });
}, { env: { SIMULATOR_UNDELIVERED_SHARE: '0' } });
